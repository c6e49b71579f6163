"""Deterministic, anti-aliased rendering of a scene with numpy: the image plus one mask per entity.

Every shape is a signed distance field in pixel units; a pixel's coverage is ``clip(0.5 - d, 0, 1)``,
which anti-aliases edges exactly one pixel wide at any canvas size. Each shape is evaluated only in
its bounding box. A label map records which entity owns each pixel (coverage >= 0.5 of the topmost
layer), and the masks are read off it, so masks never overlap and always cover the whole canvas.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image

from . import vocab
from .scene import Character, Scene, SceneObject

# Label values of the parts; objects get OBJECT_LABEL0 + their index in ``scene.objects``.
BACKGROUND, BODY, FACE, HAIR, HAT, GLASSES = range(6)
CHARACTER_PARTS = {"body": BODY, "face": FACE, "hair": HAIR, "hat": HAT, "glasses": GLASSES}
OBJECT_LABEL0 = 10

SKIN = {"light": (252, 218, 185), "tan": (228, 176, 128), "brown": (170, 110, 66), "dark": (105, 66, 42)}
INK = (30, 28, 36)  # eyes, glasses, outlines
LIPS = (170, 50, 60)
LIGHTING = {  # multiply, then add (RGB)
    "night": ((0.35, 0.42, 0.75), (0.0, 0.0, 25.0)),
    "sunset": ((1.0, 0.75, 0.55), (30.0, 10.0, 0.0)),
}
TONE_SHIFT = {"warm": (32.0, 8.0, -32.0), "cool": (-32.0, 0.0, 32.0)}


@dataclass
class Rendering:
    """``image``: PIL RGB. ``masks``: bool HxW per entity ("background", "character", "face", "hair",
    "body", "hat", "glasses" and one per object id). ``labels``: the owner label of every pixel."""

    image: Image.Image
    masks: dict[str, np.ndarray]
    labels: np.ndarray

    @property
    def array(self) -> np.ndarray:
        return np.asarray(self.image)


def render(scene: Scene) -> Rendering:
    character = _character_layer(scene.character, scene.size)
    canvas = _Canvas(scene.size)
    canvas.rgb = _background(scene) * (1.0 - character.alpha[..., None]) + character.rgb
    canvas.labels = character.labels.copy()
    for index, obj in enumerate(scene.objects):
        _draw_object(canvas, obj, OBJECT_LABEL0 + index)
    rgb = _global_look(canvas, scene)
    image = Image.fromarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8), "RGB")
    return Rendering(image=image, masks=_masks(canvas.labels, scene), labels=canvas.labels)


def change_mask(before: Scene | Rendering, after: Scene | Rendering, tolerance: int = 0) -> np.ndarray:
    """Pixels whose colour differs between two scenes (or their renders) by more than ``tolerance``
    (0-255, largest channel difference)."""
    a, b = (x if isinstance(x, Rendering) else render(x) for x in (before, after))
    if a.image.size != b.image.size:
        raise ValueError(f"renders of different sizes ({a.image.size} vs {b.image.size}) cannot be compared")
    return np.abs(a.array.astype(np.int16) - b.array.astype(np.int16)).max(axis=2) > tolerance


# -- canvas and distance fields -------------------------------------------------------------------


class _Canvas:
    """RGB (premultiplied by ``alpha``) and owner labels. A canvas starts transparent and black."""

    def __init__(self, size: int):
        self.size = size
        self.rgb = np.zeros((size, size, 3), np.float32)
        self.alpha = np.zeros((size, size), np.float32)
        self.labels = np.zeros((size, size), np.int16)

    def fill(self, sdf, box: tuple[float, float, float, float], color, label: int) -> None:
        """Paint the shape ``sdf(x, y) -> distance`` (normalised units) inside ``box`` (x0, y0, x1, y1)."""
        s = self.size
        x0, y0 = max(int(box[0] * s) - 1, 0), max(int(box[1] * s) - 1, 0)
        x1, y1 = min(int(np.ceil(box[2] * s)) + 1, s), min(int(np.ceil(box[3] * s)) + 1, s)
        if x0 >= x1 or y0 >= y1:
            return
        ys, xs = _pixel_centres(s)
        coverage = 0.5 - sdf(xs[y0:y1, x0:x1], ys[y0:y1, x0:x1]) * s
        np.minimum(np.maximum(coverage, 0.0, out=coverage), 1.0, out=coverage)  # clip, without its overhead
        region = self.rgb[y0:y1, x0:x1]
        region += (np.asarray(color, np.float32) - region) * coverage[..., None]  # "over" compositing
        alpha = self.alpha[y0:y1, x0:x1]
        alpha += (1.0 - alpha) * coverage
        self.labels[y0:y1, x0:x1][coverage >= 0.5] = label


@lru_cache(maxsize=8)
def _pixel_centres(size: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    return (ys + 0.5) / size, (xs + 0.5) / size


def _circle(cx, cy, r):
    return lambda x, y: np.hypot(x - cx, y - cy) - r


def _ellipse(cx, cy, a, b):
    return lambda x, y: (np.hypot((x - cx) / a, (y - cy) / b) - 1.0) * min(a, b)


def _box(cx, cy, hw, hh, radius=0.0):
    def sdf(x, y):
        qx = np.abs(x - cx) - hw + radius
        qy = np.abs(y - cy) - hh + radius
        outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
        return outside + np.minimum(np.maximum(qx, qy), 0) - radius

    return sdf


def _segment(ax, ay, bx, by, r):
    ex, ey = bx - ax, by - ay
    length2 = ex * ex + ey * ey

    def sdf(x, y):
        t = np.clip(((x - ax) * ex + (y - ay) * ey) / length2, 0.0, 1.0)
        return np.hypot(x - ax - t * ex, y - ay - t * ey) - r

    return sdf


def _polygon(points):
    """Exact signed distance to a simple polygon (negative inside), after Inigo Quilez; all edges at once."""
    a = np.asarray([(float(px), float(py)) for px, py in points], np.float32)
    b = np.roll(a, 1, axis=0)
    ex, ey = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
    edge2 = ex * ex + ey * ey

    def sdf(x, y):
        wx, wy = x[..., None] - a[:, 0], y[..., None] - a[:, 1]
        t = np.clip((wx * ex + wy * ey) / edge2, 0.0, 1.0)
        dist2 = ((wx - ex * t) ** 2 + (wy - ey * t) ** 2).min(axis=-1)
        c1, c2, c3 = y[..., None] >= a[:, 1], y[..., None] < b[:, 1], ex * wy > ey * wx
        inside = ((c1 & c2 & c3) | ~(c1 | c2 | c3)).sum(axis=-1) % 2 == 1
        return np.where(inside, -1.0, 1.0) * np.sqrt(dist2)

    return sdf


def _union(*sdfs):
    def sdf(x, y):
        return np.minimum.reduce([f(x, y) for f in sdfs])

    return sdf


def _intersect(*sdfs):
    def sdf(x, y):
        return np.maximum.reduce([f(x, y) for f in sdfs])

    return sdf


def _below(level):
    """Half-plane y > level (negative below the line, image y grows downwards)."""
    return lambda x, y: level - y


def _above(level):
    return lambda x, y: y - level


# -- background and global look ------------------------------------------------------------------


def _shade(color) -> np.ndarray:
    """A second tone of ``color`` for patterns: darker for light colours, lighter for dark ones."""
    c = np.asarray(color, np.float32)
    luma = c @ np.array([0.299, 0.587, 0.114], np.float32)
    return c * 0.72 if luma > 110 else c * 0.55 + 255 * 0.45


def _background(scene: Scene) -> np.ndarray:
    s = scene.size
    base = np.asarray(vocab.COLORS[scene.background.color], np.float32)
    other = _shade(base)
    pattern = scene.background.pattern
    if pattern == "solid":
        return np.broadcast_to(base, (s, s, 3))
    ys, xs = np.mgrid[0:s, 0:s]
    cell = s // 8
    if pattern == "stripes":
        second = (xs // cell) % 2 == 1
    elif pattern == "checker":
        second = ((xs // cell) + (ys // cell)) % 2 == 1
    else:  # gradient, top to bottom
        t = ((ys + 0.5) / s)[..., None].astype(np.float32)
        return base * (1 - t) + other * t
    return np.where(second[..., None], other, base)


def _global_look(canvas: _Canvas, scene: Scene) -> np.ndarray:
    rgb = canvas.rgb
    if scene.style == "outline":
        edge = np.zeros(canvas.labels.shape, bool)
        edge[:, 1:] |= canvas.labels[:, 1:] != canvas.labels[:, :-1]
        edge[1:, :] |= canvas.labels[1:, :] != canvas.labels[:-1, :]
        rgb = np.where(edge[..., None], np.asarray(INK, np.float32), rgb)
    if scene.lighting in LIGHTING:
        multiply, add = LIGHTING[scene.lighting]
        rgb = rgb * np.asarray(multiply, np.float32) + np.asarray(add, np.float32)
    if scene.tone == "grayscale":
        luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
        rgb = np.repeat(luma[..., None], 3, axis=2)
    elif scene.tone in TONE_SHIFT:
        rgb = rgb + np.asarray(TONE_SHIFT[scene.tone], np.float32)
    rgb = np.clip(rgb, 0, 255)
    if scene.style == "posterize":
        rgb = np.rint(rgb / 127.5) * 127.5
    elif scene.style == "pixelate":
        block = scene.size // 16
        s = scene.size
        means = rgb.reshape(s // block, block, s // block, block, 3).mean(axis=(1, 3))
        rgb = np.repeat(np.repeat(means, block, axis=0), block, axis=1)
    return rgb


# -- character ------------------------------------------------------------------------------------

HEAD_X, HEAD_Y = 0.5, 0.52
SHOULDER_Y = 0.70


def _head(character: Character):
    """The head's distance field and its half height."""
    if character.face_shape == "oval":
        return _ellipse(HEAD_X, HEAD_Y, 0.088, 0.112), 0.112
    if character.face_shape == "square":
        return _box(HEAD_X, HEAD_Y, 0.095, 0.1, 0.035), 0.1
    return _circle(HEAD_X, HEAD_Y, 0.103), 0.103


@lru_cache(maxsize=256)
def _character_layer(character: Character, size: int) -> _Canvas:
    """The character alone on a transparent canvas. Compositing it over the background later gives
    the same image as drawing it there, and most edits leave the character as it was, so the layer
    is cached (its arrays are never written after this)."""
    canvas = _Canvas(size)
    _draw_character(canvas, character)
    for array in (canvas.rgb, canvas.alpha, canvas.labels):
        array.flags.writeable = False
    return canvas


def _draw_character(canvas: _Canvas, c: Character) -> None:
    skin = SKIN[c.skin]
    shirt = vocab.COLORS[c.shirt]
    hair = vocab.COLORS[c.hair_color]
    head, half_height = _head(c)
    top = HEAD_Y - half_height

    raised = {"raise_left_arm": {-1}, "raise_right_arm": {1}, "raise_both_arms": {-1, 1}}.get(c.pose, set())
    for side in (-1, 1):
        sx = HEAD_X + side * 0.085
        hx, hy = (HEAD_X + side * 0.16, 0.47) if side in raised else (HEAD_X + side * 0.145, 0.88)
        canvas.fill(
            _segment(sx, SHOULDER_Y + 0.02, hx, hy, 0.026), _around(sx, SHOULDER_Y, hx, hy, 0.03), shirt, BODY
        )
        canvas.fill(_circle(hx, hy, 0.028), _around(hx, hy, hx, hy, 0.03), skin, BODY)

    if c.hair_style == "long":
        canvas.fill(_box(HEAD_X, HEAD_Y + 0.03, 0.122, 0.12, 0.05), (0.37, 0.4, 0.63, 0.68), hair, HAIR)
    canvas.fill(_box(HEAD_X, 0.84, 0.1, 0.155, 0.05), (0.39, 0.68, 0.61, 1.0), shirt, BODY)
    canvas.fill(_box(HEAD_X, 0.655, 0.028, 0.03), (0.47, 0.62, 0.53, 0.69), skin, BODY)
    canvas.fill(head, (0.39, 0.4, 0.61, 0.64), skin, FACE)
    _draw_face(canvas, c)

    cap = _intersect(_circle(HEAD_X, HEAD_Y, half_height + 0.018), _above(top + 0.055))
    if c.hair_style == "spiky":
        spikes = [_polygon([(HEAD_X + dx - 0.035, top + 0.03), (HEAD_X + dx, top - 0.045), (HEAD_X + dx + 0.035, top + 0.03)])
                  for dx in (-0.06, 0.0, 0.06)]  # fmt: skip
        cap = _union(cap, *spikes)
    canvas.fill(cap, (0.38, top - 0.05, 0.62, top + 0.06), hair, HAIR)

    if c.glasses:
        ink = INK
        rims = [_intersect(_circle(HEAD_X + dx, 0.52, 0.03), lambda x, y, dx=dx: 0.021 - np.hypot(x - HEAD_X - dx, y - 0.52))
                for dx in (-0.042, 0.042)]  # fmt: skip
        bridge = _segment(HEAD_X - 0.014, 0.515, HEAD_X + 0.014, 0.515, 0.006)
        canvas.fill(_union(*rims, bridge), (0.42, 0.48, 0.58, 0.56), ink, GLASSES)
    if c.hat:
        hat = _union(
            _box(HEAD_X, top + 0.004, 0.14, 0.016, 0.008), _box(HEAD_X, top - 0.04, 0.085, 0.045, 0.02)
        )
        canvas.fill(hat, (0.35, top - 0.09, 0.65, top + 0.03), vocab.COLORS[c.hat_color], HAT)


def _draw_face(canvas: _Canvas, c: Character) -> None:
    for dx in (-0.042, 0.042):
        ex = HEAD_X + dx
        box = (ex - 0.03, 0.49, ex + 0.03, 0.55)
        if c.eyes == "round":
            canvas.fill(_circle(ex, 0.52, 0.022), box, (250, 250, 250), FACE)
            canvas.fill(_circle(ex, 0.522, 0.012), box, INK, FACE)
        elif c.eyes == "sleepy":
            canvas.fill(_segment(ex - 0.016, 0.525, ex + 0.016, 0.525, 0.007), box, INK, FACE)
        else:
            canvas.fill(_circle(ex, 0.52, 0.015), box, INK, FACE)
    box = (0.44, 0.55, 0.56, 0.61)
    if c.mouth == "smile":
        ring = lambda x, y: np.abs(np.hypot(x - HEAD_X, y - 0.548) - 0.035) - 0.008  # noqa: E731
        canvas.fill(_intersect(ring, _below(0.56)), box, LIPS, FACE)
    elif c.mouth == "open":
        canvas.fill(_ellipse(HEAD_X, 0.582, 0.02, 0.016), box, LIPS, FACE)
    else:
        canvas.fill(_segment(HEAD_X - 0.025, 0.58, HEAD_X + 0.025, 0.58, 0.007), box, LIPS, FACE)


def _around(ax, ay, bx, by, pad):
    return (min(ax, bx) - pad, min(ay, by) - pad, max(ax, bx) + pad, max(ay, by) + pad)


# -- objects --------------------------------------------------------------------------------------

OBJECT_HALF_EXTENT = {"small": 0.06, "medium": 0.09, "large": 0.125}
CELL_CENTRE = {
    name: ((index % 3 + 0.5) / 3, (index // 3 + 0.5) / 3) for index, name in enumerate(vocab.POSITIONS)
}


def object_sdf(shape: str, cx: float, cy: float, h: float):
    """The distance field of a shape of half extent ``h`` centred at (cx, cy)."""
    if shape == "circle":
        return _circle(cx, cy, h)
    if shape == "square":
        return _box(cx, cy, 0.85 * h, 0.85 * h, 0.12 * h)
    if shape == "triangle":
        return _polygon([(cx, cy - h), (cx + h, cy + 0.8 * h), (cx - h, cy + 0.8 * h)])
    if shape == "star":
        angles = -np.pi / 2 + np.arange(10) * np.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, 1.05 * h, 0.45 * h)
        return _polygon(zip(cx + radii * np.cos(angles), cy + radii * np.sin(angles)))
    lobes = [_circle(cx + side * 0.46 * h, cy - 0.32 * h, 0.52 * h) for side in (-1, 1)]
    point = _polygon([(cx - 0.93 * h, cy - 0.12 * h), (cx, cy + 0.95 * h), (cx + 0.93 * h, cy - 0.12 * h)])
    return _union(*lobes, point)


def _draw_object(canvas: _Canvas, obj: SceneObject, label: int) -> None:
    cx, cy = CELL_CENTRE[obj.position]
    h = OBJECT_HALF_EXTENT[obj.size]
    reach = 1.1 * h
    canvas.fill(object_sdf(obj.shape, cx, cy, h), (cx - reach, cy - reach, cx + reach, cy + reach),
                vocab.COLORS[obj.color], label)  # fmt: skip


def _masks(labels: np.ndarray, scene: Scene) -> dict[str, np.ndarray]:
    masks = {"background": labels == BACKGROUND}
    masks["character"] = (labels >= BODY) & (labels <= GLASSES)
    for name, label in CHARACTER_PARTS.items():
        masks[name] = labels == label
    for index, obj in enumerate(scene.objects):
        masks[obj.id] = labels == OBJECT_LABEL0 + index
    return masks
