"""Grounding: which pixels an edit's target names, and why (the mask's provenance).

``Grounder.ground(target, image, context)`` looks in this order:

1. a user mask (``context.user_mask``): provenance ``"user"``;
2. an entity remembered from an earlier turn (``target.entity_id`` or ``target.mask`` found in
   ``context.entities``): ``"session:<id>"``;
3. proposals scored against the target's words: ``"proposal:classical"`` or ``"proposal:sam"``.
   Colour words are scored directly (the distance of a region's mean colour to the named palette),
   position words by the 3x3 grid cell of its centroid, size words by its extent, and the noun by
   CLIP (``nanoedit.experts.clip``) when a scorer is given, else by a classical shape scorer
   (fill of the box, solidity, where the mass sits). ``person``, ``face`` and ``background`` nouns
   have their own classical groundings.

``place(position, image)`` gives the region an ``add`` paints into: ``"placement"``.

A target that matches nothing, or two regions about equally well, raises ``GroundingError`` naming
the target and the candidates with their scores, unless ``pick="best"`` (argument or
``EntityRef.pick``) asks for the best of equals. A target that matches nothing always raises.

The classical proposer segments an image into connected regions of similar colour from its pixels
alone. On the toy world's flat, anti-aliased renders it is exact: an anti-aliased pixel goes to the
region whose colour explains more than half of it, which is the renderer's own rule (coverage >= 0.5).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import ConvexHull, QhullError

from nanoedit.errors import GroundingError, ModelLoadError
from nanoedit.graphs import POSITIONS, EntityRef, lexicon

if TYPE_CHECKING:
    from .clip import ClipScorer

__all__ = [
    "ClassicalProposer",
    "Grounder",
    "GroundingContext",
    "Mask",
    "Proposer",
    "Region",
    "SamProposer",
    "Segmentation",
    "ShapeScorer",
    "cell_of",
    "palette",
]

Pick = Literal["unique", "best"]


# -- masks ----------------------------------------------------------------------------------------


@dataclass
class Mask:
    """A boolean HxW mask with where it came from (``provenance``), how well it matched (``score``),
    what it is (``label``) and the other candidates that were considered (``candidates``)."""

    array: np.ndarray
    provenance: str
    score: float | None = None
    label: str = ""
    candidates: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        array = np.asarray(self.array)
        if array.ndim != 2:
            raise GroundingError(f"a mask must be a 2-D HxW array, got shape {array.shape}")
        self.array = array.astype(bool, copy=False)

    @property
    def area(self) -> int:
        return int(np.count_nonzero(self.array))

    @property
    def shape(self) -> tuple[int, int]:
        return self.array.shape  # type: ignore[return-value]

    def bbox(self) -> tuple[int, int, int, int] | None:
        """``(x0, y0, x1, y1)`` with x1, y1 exclusive (PIL's box convention); None when empty."""
        rows, cols = np.flatnonzero(self.array.any(axis=1)), np.flatnonzero(self.array.any(axis=0))
        if not len(rows):
            return None
        return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1

    def dilate(self, px: int) -> Mask:
        """The mask grown by ``px`` pixels (a disc of that radius); same provenance and label."""
        if px <= 0:
            return Mask(self.array.copy(), self.provenance, self.score, self.label, list(self.candidates))
        r = int(px)
        yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
        grown = ndimage.binary_dilation(self.array, structure=yy * yy + xx * xx <= r * r)
        return Mask(grown, self.provenance, self.score, self.label, list(self.candidates))

    @classmethod
    def from_image(
        cls, image: Image.Image | np.ndarray | str | Path, size: tuple[int, int], provenance: str = "user"
    ) -> Mask:
        """A user mask from an image (white / > 127 = inside; any mode is read as its luminance,
        an RGBA mask by its alpha when it has transparency) or a boolean array, checked against the
        image ``size`` (W, H)."""
        if isinstance(image, (str, Path)):
            try:
                with Image.open(image) as opened:
                    image = opened.copy()
            except (OSError, ValueError) as exc:
                raise GroundingError(f"cannot read the mask {image}: {exc}; give a PNG of the image's size") from exc
        if isinstance(image, Image.Image):
            if image.mode in ("RGBA", "LA") and image.getextrema()[-1][0] < 255:
                array = np.asarray(image.getchannel("A")) > 127
            else:
                array = np.asarray(image.convert("L")) > 127
        else:
            array = np.asarray(image)
            if array.ndim == 3 and array.shape[2] in (1, 3, 4):
                array = array[..., 0] if array.shape[2] != 4 else array[..., 3]
            if array.ndim != 2:
                raise GroundingError(f"a mask array must be HxW, got shape {array.shape}")
            array = array > (127 if array.dtype == np.uint8 else 0.5) if array.dtype != bool else array
        w, h = size
        if array.shape != (h, w):
            raise GroundingError(
                f"the mask is {array.shape[1]}x{array.shape[0]} but the image is {w}x{h}; "
                "give a mask of the image's size"
            )
        return cls(array, provenance, None, provenance)

    def to_image(self) -> Image.Image:
        return Image.fromarray(self.array.astype(np.uint8) * 255, "L")

    def summary(self) -> dict:
        """JSON-serialisable facts for a trace (not the pixels)."""
        return {
            "provenance": self.provenance,
            "score": None if self.score is None else round(float(self.score), 4),
            "label": self.label,
            "area": self.area,
            "bbox": self.bbox(),
            "candidates": self.candidates,
        }


@dataclass
class GroundingContext:
    """What grounding may use besides the pixels: the user's mask and the session's known entities."""

    user_mask: Mask | None = None
    entities: dict[str, Mask] = field(default_factory=dict)


# -- palette and grid -------------------------------------------------------------------------------


def palette() -> dict[str, tuple[int, int, int]]:
    """The named RGB palette of the basic colour words (the lexicon's ``COLOR_RGB``)."""
    return dict(lexicon.COLOR_RGB)


def _palette_array() -> tuple[list[str], np.ndarray]:
    global _PALETTE
    if _PALETTE is None:
        table = palette()
        _PALETTE = (list(table), np.asarray(list(table.values()), np.float32))
    return _PALETTE


_PALETTE: tuple[list[str], np.ndarray] | None = None


def cell_of(x: float, y: float) -> str:
    """The 3x3 grid cell (a ``graphs.POSITIONS`` name) of a point in normalised [0, 1] coordinates."""
    col, row = min(int(x * 3), 2), min(int(y * 3), 2)
    return POSITIONS[row * 3 + col]


def cell_centre(position: str) -> tuple[float, float]:
    """The centre of a 3x3 grid cell (a ``graphs.POSITIONS`` name) in normalised [0, 1] coordinates."""
    index = POSITIONS.index(position)
    return (index % 3 + 0.5) / 3, (index // 3 + 0.5) / 3


# -- segmentation -----------------------------------------------------------------------------------

# Offsets of the 5x5 window around a pixel, same row first (a vertical gradient keeps its colour
# along a row), then by distance.
_OFFSETS = np.array(
    sorted(((dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if (dy, dx) != (0, 0)),
           key=lambda o: (abs(o[0]), abs(o[1]))),
)  # fmt: skip
_MAX_REFS = 4
_UNEXPLAINED = 16.0**2  # mean squared residual per channel above which a mixture does not explain a pixel


@dataclass
class Region:
    """One proposal: a mask and its pixel statistics (``color`` is the mean RGB)."""

    mask: np.ndarray
    color: np.ndarray
    source: str = "classical"
    id: int = -1

    @property
    def area(self) -> int:
        return int(np.count_nonzero(self.mask))

    def bbox(self) -> tuple[int, int, int, int] | None:
        return Mask(self.mask, "").bbox()

    def centroid(self) -> tuple[float, float]:
        """(x, y) in normalised [0, 1] image coordinates."""
        ys, xs = np.nonzero(self.mask)
        h, w = self.mask.shape
        return (float(xs.mean()) + 0.5) / w, (float(ys.mean()) + 0.5) / h


MIN_GAP = 4  # pixels: a smaller region of the background's colour is an anti-aliased edge, not a gap
GAP_TOLERANCE = 16  # levels per channel from a background colour (the palette's colours are far apart)


class Segmentation:
    """An image cut into connected regions of similar colour (``labels``: region id per pixel)."""

    def __init__(self, rgb: np.ndarray, tolerance: int = 2):
        self.rgb = rgb
        self.labels = _segment(rgb, tolerance)
        self.count = int(self.labels.max()) + 1
        flat = self.labels.ravel()
        self.areas = np.bincount(flat, minlength=self.count)
        sums = np.stack([np.bincount(flat, rgb[..., c].ravel(), self.count) for c in range(3)], axis=1)
        self.colors = sums / np.maximum(self.areas, 1)[:, None]
        self._background: np.ndarray | None = None
        self._foreground: tuple[np.ndarray, int] | None = None

    def mask(self, region: int) -> np.ndarray:
        return self.labels == region

    # -- the background: regions of the colours that hold a large share of the border ----------

    def background(self) -> np.ndarray:
        if self._background is None:
            self._background = self._find_background()
        return self._background

    def _find_background(self) -> np.ndarray:
        labels = self.labels
        border = np.concatenate([labels[0], labels[-1], labels[1:-1, 0], labels[1:-1, -1]])
        share = np.bincount(border, minlength=self.count) / len(border)
        touching = np.flatnonzero(share)
        colors = self.colors
        # Regions whose colours are within a few levels form one colour group (a pattern has two).
        group_share = np.array(
            [share[touching][np.abs(colors[touching] - colors[r]).max(axis=1) <= 8].sum() for r in touching]
        )
        keys = touching[(group_share >= 0.15) | (share[touching] == share.max())]
        key_colors = colors[keys]
        close = (np.abs(colors[:, None, :] - key_colors[None]).max(axis=2) <= 8).any(axis=1)
        close[keys] = True
        candidate = close[labels]
        parts, _ = ndimage.label(candidate, structure=np.ones((3, 3), bool))
        edge = np.unique(np.concatenate([parts[0], parts[-1], parts[:, 0], parts[:, -1]]))
        return np.isin(parts, edge[edge > 0])

    def background_and_gaps(self) -> np.ndarray:
        """The background plus where it shows through a gap in the foreground (between an arm and the
        head): regions of its colours that do not reach the border. A small gap's mean colour takes in
        its anti-aliased rim, so it is matched more loosely than the background's own regions."""
        background = self.background()
        keys = self.colors[np.unique(self.labels[background])]
        close = (np.abs(self.colors[:, None, :] - keys[None]).max(axis=2) <= GAP_TOLERANCE).any(axis=1)
        return background | (close & (self.areas >= MIN_GAP))[self.labels]

    # -- foreground clusters: the person and the objects -------------------------------------------

    def foreground_parts(self) -> tuple[np.ndarray, int]:
        """4-connected components of everything that is not background (0 = background)."""
        if self._foreground is None:
            self._foreground = ndimage.label(~self.background())
        return self._foreground

    def regions_in(self, mask: np.ndarray) -> np.ndarray:
        ids, counts = np.unique(self.labels[mask], return_counts=True)
        return ids[counts > 0]

    def person(self) -> np.ndarray | None:
        """The largest foreground cluster made of several colour regions (a person has skin, clothes,
        hair), or None when there is none."""
        parts, count = self.foreground_parts()
        if count == 0:
            return None
        sizes = np.bincount(parts.ravel(), minlength=count + 1)
        for part in np.argsort(sizes[1:])[::-1] + 1:
            mask = parts == part
            significant = [r for r in self.regions_in(mask) if self.areas[r] >= max(4, 0.002 * mask.size)]
            if len(significant) >= 2:
                return mask
        return None

    def face(self) -> np.ndarray | None:
        """Within the person: the region that encloses the eyes and mouth, with its holes filled, the
        neck below the chin cut off and glasses (a dark ring inside it) left out."""
        person = self.person()
        if person is None:
            return None
        best, best_holes = None, 0
        for r in self.regions_in(person):
            mask = self.labels == r
            if self.areas[r] < 8:
                continue
            filled = ndimage.binary_fill_holes(mask)
            holes = int(filled.sum() - self.areas[r])
            if holes > best_holes:
                best, best_holes = (r, filled), holes
        if best is None:
            return self._face_from_skin(person)
        skin, filled = best
        skin_luma = float(self.colors[skin] @ (0.299, 0.587, 0.114))
        inside = filled & (self.labels != skin)
        for r in self.regions_in(inside):
            ring = self.labels == r
            if not (ring & ~filled).any() and float(self.colors[r] @ (0.299, 0.587, 0.114)) < 0.5 * skin_luma:
                if ndimage.binary_fill_holes(ring).sum() > ring.sum():
                    filled &= ~ring  # a dark ring around the eyes: glasses, not face
        return _cut_neck(filled)

    def _face_from_skin(self, person: np.ndarray) -> np.ndarray | None:
        """When glasses or a mouth split the face into pieces: skin is the colour of most separate
        parts of the person (face, hands); the face is the skin in the person's central column above
        the shoulders, joined and filled (eyes and mouth inside it), the neck cut off."""
        regions = [r for r in self.regions_in(person) if self.areas[r] >= 3]
        if not regions:
            return None
        colors = np.array([self.colors[r] for r in regions])
        close = np.abs(colors[:, None] - colors[None]).max(axis=2) <= 12
        skin_colour = colors[int(np.argmax(close.sum(axis=1)))]
        ys, xs = np.nonzero(person)
        cx, height = xs.mean(), ys.max() - ys.min() + 1
        column = np.zeros_like(person)
        half = max(2, int(0.12 * person.shape[1]))
        column[:, max(0, int(cx) - half) : int(cx) + half + 1] = True
        column[int(ys.min() + 0.6 * height) :] = False  # below the shoulders: the body
        skin = np.zeros_like(person)
        for r, colour in zip(regions, colors):
            if np.abs(colour - skin_colour).max() <= 12:
                skin |= self.labels == r
        skin &= column
        if skin.sum() < 8:
            return None
        joined = ndimage.binary_closing(skin, np.ones((3, 3), bool), iterations=2) | skin
        return _cut_neck(ndimage.binary_fill_holes(joined) & person)

    def objects(self) -> list[Region]:
        """Object proposals: every colour region that is neither background nor part of the person."""
        background, person = self.background(), self.person()
        taken = background if person is None else background | person
        minimum = max(4, int(0.0008 * self.labels.size))
        touched = np.bincount(self.labels[taken], minlength=self.count)
        keep = np.flatnonzero((self.areas >= minimum) & (touched == 0))
        return [Region(self.labels == r, self.colors[r], "classical", int(r)) for r in keep]


def _cut_neck(face: np.ndarray) -> np.ndarray:
    """Drop the rows below the widest row where the region is no wider than its bottom rows (the neck)."""
    widths = face.sum(axis=1)
    rows = np.flatnonzero(widths)
    if len(rows) < 4:
        return face
    widest = rows[np.argmax(widths[rows])]
    neck = float(np.median(widths[rows[-2:]]))
    if neck >= 0.6 * widths[widest]:
        return face  # no narrow neck below (the region ends at the chin)
    out = face.copy()
    for row in rows[rows > widest]:
        if widths[row] <= neck + 1:
            out[row] = False
    return out


def _segment(rgb: np.ndarray, tolerance: int) -> np.ndarray:
    """Region id per pixel. Pixels join when 4-adjacent and within ``tolerance`` levels on every
    channel (a smooth gradient stays one region); a component holding a 2x2 block is a seed; every
    other pixel (anti-aliased edges) goes to the neighbouring seed its colour is closest to, as a
    two-colour mixture: to the one that covers more than half of it."""
    a = rgb.astype(np.int16)
    h, w, _ = a.shape
    index = np.arange(h * w).reshape(h, w)
    right = np.abs(a[:, 1:] - a[:, :-1]).max(axis=2) <= tolerance
    down = np.abs(a[1:] - a[:-1]).max(axis=2) <= tolerance
    rows = np.concatenate([index[:, :-1][right], index[:-1][down]])
    cols = np.concatenate([index[:, 1:][right], index[1:][down]])
    graph = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(h * w, h * w))
    count, comp = connected_components(graph, directed=False)
    comp = comp.reshape(h, w)
    top = comp[:-1, :-1]
    block = (top == comp[1:, :-1]) & (top == comp[:-1, 1:]) & (top == comp[1:, 1:])
    is_seed = np.zeros(count, bool)
    is_seed[top[block]] = True
    seed = is_seed[comp]
    labels = np.where(seed, comp, -1)
    fragments = np.flatnonzero(~seed.ravel())
    if len(fragments):
        labels.ravel()[fragments] = _assign_fragments(a, comp, seed, fragments)
        if (labels < 0).any():
            _, (iy, ix) = ndimage.distance_transform_edt(labels < 0, return_indices=True)
            labels = labels[iy, ix]
    _, dense = np.unique(labels, return_inverse=True)
    return dense.reshape(h, w).astype(np.int32)


def _assign_fragments(a: np.ndarray, comp: np.ndarray, seed: np.ndarray, fragments: np.ndarray) -> np.ndarray:
    h, w, _ = a.shape
    n = len(fragments)
    fy, fx = np.divmod(fragments, w)
    pixel = a.reshape(-1, 3)[fragments].astype(np.float32)
    y = fy[:, None] + _OFFSETS[:, 0]
    x = fx[:, None] + _OFFSETS[:, 1]
    inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
    y, x = np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)
    # A seed pixel whose 8 neighbours share its component is a clean reference colour; a seed pixel on
    # its component's edge may be an anti-aliased pixel that joined it, so it is used only when its
    # component has no clean pixel in the window.
    pad = np.pad(comp, 1, mode="edge")
    interior = seed.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                interior &= pad[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] == comp
    seeded = inside & seed[y, x]
    clean = seeded & interior[y, x]
    label = np.where(seeded, comp[y, x], -1)
    k = len(_OFFSETS)
    # Per pixel and neighbouring component, one reference: its first clean pixel in window order, else
    # its first pixel; then the first _MAX_REFS components by that order.
    rank = np.where(clean, 0, k) + np.arange(k)[None, :]
    row = np.repeat(np.arange(n), k)
    flat_label, flat_rank, flat_ok = label.ravel(), rank.ravel(), seeded.ravel()
    order = np.lexsort((flat_rank, flat_label, row))
    order = order[flat_ok[order]]
    start = np.ones(len(order), bool)
    start[1:] = (row[order][1:] != row[order][:-1]) | (flat_label[order][1:] != flat_label[order][:-1])
    picked = order[start]
    picked = picked[np.lexsort((flat_rank[picked], row[picked]))]
    picked_row = row[picked]
    slot = np.arange(len(picked)) - np.searchsorted(picked_row, picked_row, side="left")
    keep = slot < _MAX_REFS
    picked, picked_row, slot = picked[keep], picked_row[keep], slot[keep]
    reference = np.zeros((n, _MAX_REFS), bool)
    reference[picked_row, slot] = True
    order = np.zeros((n, _MAX_REFS), np.int64)
    order[picked_row, slot] = picked % k
    rows = np.arange(n)[:, None]
    label = np.where(reference, label[rows, order], -1)
    ref = a[y[rows, order], x[rows, order]].astype(np.float32)  # n, R, 3
    # Every pair (i, j) of reference colours: the mixture i + t (j - i) closest to the pixel. Channels
    # clipped at 0 or 255 in either colour (a warm or cool tone saturates them) do not mix linearly.
    first, second = ref[:, :, None, :], ref[:, None, :, :]
    usable = ~((first <= 0) | (first >= 255) | (second <= 0) | (second >= 255))
    weight = usable.astype(np.float32)
    weight = np.where(weight.sum(-1, keepdims=True) == 0, 1.0, weight)
    step = second - first
    offset = pixel[:, None, None, :] - first
    norm = (step * step * weight).sum(-1)
    t = np.where(norm > 0, (offset * step * weight).sum(-1) / np.maximum(norm, 1e-9), 0.0)
    residual = (((offset - np.clip(t, 0.0, 1.0)[..., None] * step) ** 2) * weight).sum(-1) / weight.sum(-1)
    residual = np.where(reference[:, :, None] & reference[:, None, :], residual, np.inf)
    best = residual.reshape(n, -1).argmin(axis=1)
    i, j = np.divmod(best, _MAX_REFS)
    r = np.arange(n)
    out = np.where(t[r, i, j] > 0.5, label[r, j], label[r, i])
    out[~np.isfinite(residual[r, i, j])] = -1
    # A pixel that no mixture of its neighbours explains (a thin feature: a pupil, a 1 px line) keeps
    # its own component: it is a region of its own, not an edge of its neighbours.
    unexplained = residual[r, i, j] > _UNEXPLAINED
    out[unexplained] = comp.ravel()[fragments[unexplained]]
    return out


# -- proposers ----------------------------------------------------------------------------------------


class Proposer(Protocol):
    """Anything that cuts an image into candidate regions."""

    name: str

    def propose(self, image: Image.Image) -> list[Region]: ...


class ClassicalProposer:
    """Connected regions of similar colour, from the pixels only (no weights).

    ``segmentation(image)`` is cached for the last few images, so grounding several targets in one
    image segments it once.
    """

    name = "classical"

    def __init__(self, tolerance: int = 2, cache_size: int = 8):
        self.tolerance = tolerance
        self._cache: OrderedDict[bytes, Segmentation] = OrderedDict()
        self._cache_size = cache_size

    def segmentation(self, image: Image.Image | np.ndarray) -> Segmentation:
        rgb = _rgb_array(image)
        key = hashlib.blake2b(rgb.tobytes(), digest_size=16, person=str(rgb.shape).encode()[:16]).digest()
        found = self._cache.get(key)
        if found is None:
            found = Segmentation(rgb, self.tolerance)
            self._cache[key] = found
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found

    def propose(self, image: Image.Image) -> list[Region]:
        return self.segmentation(image).objects()


def _rgb_array(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"))
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise GroundingError(f"an image must be HxWx3 RGB, got shape {array.shape}")
    return array.astype(np.uint8, copy=False)


# SAM: the registry's architectures (segment_anything/build_sam.py), with the image size free so that
# tests can build a tiny one.
SAM_ARCHITECTURES: dict[str, dict[str, Any]] = {
    "vit_h": {"encoder_embed_dim": 1280, "encoder_depth": 32, "encoder_num_heads": 16,
              "encoder_global_attn_indexes": [7, 15, 23, 31]},
    "vit_l": {"encoder_embed_dim": 1024, "encoder_depth": 24, "encoder_num_heads": 16,
              "encoder_global_attn_indexes": [5, 11, 17, 23]},
    "vit_b": {"encoder_embed_dim": 768, "encoder_depth": 12, "encoder_num_heads": 12,
              "encoder_global_attn_indexes": [2, 5, 8, 11]},
}  # fmt: skip


def build_sam(
    encoder_embed_dim: int = 768,
    encoder_depth: int = 12,
    encoder_num_heads: int = 12,
    encoder_global_attn_indexes: list[int] | tuple[int, ...] = (2, 5, 8, 11),
    image_size: int = 1024,
    patch_size: int = 16,
    prompt_embed_dim: int = 256,
    decoder_depth: int = 2,
    decoder_mlp_dim: int = 2048,
    decoder_heads: int = 8,
    window_size: int = 14,
    mask_in_chans: int = 16,
    iou_head_hidden_dim: int = 256,
):
    """A SAM built from its parts (``Sam(ImageEncoderViT, PromptEncoder, MaskDecoder)``), as the
    segment_anything registry builds it; the defaults are ``vit_b`` at 1024 px."""
    from functools import partial

    import torch
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer

    grid = image_size // patch_size
    sam = Sam(
        image_encoder=ImageEncoderViT(
            depth=encoder_depth, embed_dim=encoder_embed_dim, img_size=image_size,
            mlp_ratio=4, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), num_heads=encoder_num_heads,
            patch_size=patch_size, qkv_bias=True, use_rel_pos=True,
            global_attn_indexes=tuple(encoder_global_attn_indexes), window_size=window_size,
            out_chans=prompt_embed_dim,
        ),
        prompt_encoder=PromptEncoder(
            embed_dim=prompt_embed_dim, image_embedding_size=(grid, grid),
            input_image_size=(image_size, image_size), mask_in_chans=mask_in_chans,
        ),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=3,
            transformer=TwoWayTransformer(
                depth=decoder_depth, embedding_dim=prompt_embed_dim, mlp_dim=decoder_mlp_dim,
                num_heads=decoder_heads,
            ),
            transformer_dim=prompt_embed_dim, iou_head_depth=3, iou_head_hidden_dim=iou_head_hidden_dim,
        ),
        pixel_mean=[123.675, 116.28, 103.53],
        pixel_std=[58.395, 57.12, 57.375],
    )  # fmt: skip
    sam.eval()
    return sam


class SamProposer:
    """Proposals from segment_anything's automatic mask generator (a grid of point prompts).

    ``SamProposer.from_checkpoint(path, model_type="vit_b")`` builds the architecture and loads a local
    ``.pth`` state dict with ``torch.load(weights_only=True)``; ``config=`` gives the ``build_sam``
    arguments of a custom (e.g. tiny) architecture instead of a registry name. Generator settings
    (``points_per_side``, ``pred_iou_thresh``, ``stability_score_thresh``, ...) pass through.
    """

    name = "sam"

    def __init__(self, model, **generator: Any):
        from segment_anything import SamAutomaticMaskGenerator

        self.model = model
        self.generator = SamAutomaticMaskGenerator(model, **generator)

    @classmethod
    def from_checkpoint(
        cls,
        checkpoint: str | Path,
        model_type: str = "vit_b",
        config: dict[str, Any] | None = None,
        device: str = "cpu",
        **generator: Any,
    ) -> SamProposer:
        import torch

        path = Path(checkpoint)
        if not path.is_file():
            raise ModelLoadError(f"SAM checkpoint {path} does not exist; give the path of a local .pth file")
        if config is None:
            if model_type not in SAM_ARCHITECTURES:
                raise ModelLoadError(
                    f"unknown SAM model type {model_type!r}; use one of {', '.join(SAM_ARCHITECTURES)} "
                    "or pass config= with build_sam arguments"
                )
            config = SAM_ARCHITECTURES[model_type]
        try:
            model = build_sam(**config)
        except TypeError as exc:
            raise ModelLoadError(f"bad SAM config {config}: {exc}") from exc
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - a corrupt file raises many types (pickle, zip, runtime)
            raise ModelLoadError(
                f"cannot read SAM checkpoint {path}: {exc}; it must be a torch state dict (.pth)"
            ) from exc
        if not isinstance(state, dict):
            raise ModelLoadError(f"SAM checkpoint {path} holds a {type(state).__name__}, not a state dict")
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            first = str(exc).splitlines()[0:3]
            raise ModelLoadError(
                f"SAM checkpoint {path} does not match the {model_type if config is None else 'configured'} "
                f"architecture: {' '.join(first)}; check model_type / config"
            ) from exc
        return cls(model.to(device).eval(), **generator)

    def propose(self, image: Image.Image) -> list[Region]:
        import torch

        rgb = _rgb_array(image)
        with torch.no_grad():
            found = self.generator.generate(rgb)
        regions = []
        for item in found:
            mask = np.asarray(item["segmentation"], bool)
            if mask.any():
                regions.append(Region(mask, rgb[mask].mean(axis=0).astype(np.float32), "sam"))
        return regions


# -- scoring --------------------------------------------------------------------------------------


class ShapeScorer:
    """Classical shape probabilities from a region's geometry: how much of its box it fills, its
    solidity (area over convex hull), its aspect and how far its mass sits below the box's centre.
    The prototypes are the shapes' continuous values, nudged to what rasterised small shapes measure."""

    SHAPES = ("circle", "square", "triangle", "star", "heart")
    # fill, solidity, aspect (w/h), mass offset (down, in box heights)
    PROTOTYPES = np.array(
        [
            [0.787, 1.00, 1.00, 0.0],
            [0.985, 1.00, 1.00, 0.0],
            [0.505, 1.00, 1.11, 0.166],
            [0.375, 0.55, 1.05, 0.05],
            [0.64, 0.95, 1.10, -0.105],
        ]
    )
    SCALE = np.array([0.06, 0.08, 0.12, 0.04])

    def features(self, mask: np.ndarray) -> np.ndarray:
        ys, xs = np.nonzero(mask)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        h, w = y1 - y0, x1 - x0
        area = len(ys)
        fill = area / (h * w)
        solidity = area / max(_hull_area(mask[y0:y1, x0:x1]), 1.0)
        offset = ((ys.mean() + 0.5 - y0) - h / 2) / h
        return np.array([fill, min(solidity, 1.0), w / h, offset])

    def probabilities(self, mask: np.ndarray) -> dict[str, float]:
        distance = (((self.features(mask) - self.PROTOTYPES) / self.SCALE) ** 2).sum(axis=1)
        logits = -0.5 * distance
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return dict(zip(self.SHAPES, p.tolist()))


def _hull_area(mask: np.ndarray) -> float:
    """Area of the convex hull of a mask's pixels (their corners, so a full box's hull is the box)."""
    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) < 2:
        return float(mask.sum())
    sub = mask[rows]
    left = sub.argmax(axis=1).astype(np.float64)
    right = (sub.shape[1] - 1 - sub[:, ::-1].argmax(axis=1)).astype(np.float64)
    r = rows.astype(np.float64)
    points = np.concatenate([np.c_[left, r], np.c_[left, r + 1], np.c_[right + 1, r], np.c_[right + 1, r + 1]])
    try:
        return float(ConvexHull(points).volume)
    except QhullError:
        return float(mask.sum())


SIZE_EXTENT = {"small": 0.12, "medium": 0.18, "large": 0.25}  # largest box side / image side
SHAPE_EXTENT = {"square": 0.85}  # a square's box is 0.85 of the others' at the same size


def color_scores(color: np.ndarray) -> dict[str, float]:
    """How well a mean RGB colour fits each palette name: a softmax of minus the squared distances."""
    names, table = _palette_array()
    d2 = ((table - np.asarray(color, np.float32)) ** 2).sum(axis=1)
    logits = -d2 / (2 * 30.0**2)
    p = np.exp(logits - logits.max())
    return dict(zip(names, (p / p.sum()).tolist()))


def position_score(centroid: tuple[float, float], position: str) -> float:
    cx, cy = cell_centre(position)
    d2 = (centroid[0] - cx) ** 2 + (centroid[1] - cy) ** 2
    return float(np.exp(-d2 / (2 * 0.12**2)))


def size_score(extent: float, size: str, shape: str | None = None) -> float:
    target = SIZE_EXTENT[size] * SHAPE_EXTENT.get(shape or "", 1.0)
    return float(np.exp(-(np.log(max(extent, 1e-6) / target) ** 2) / (2 * 0.12**2)))


def extent(mask: np.ndarray) -> float:
    """A mask's largest box side over the image's largest side: what ``SIZE_EXTENT`` measures."""
    x0, y0, x1, y1 = Mask(mask, "").bbox()
    return max(x1 - x0, y1 - y0) / max(mask.shape)


def size_of(mask: np.ndarray, shape: str | None = None) -> str:
    """The size word (``SIZE_EXTENT``) that best fits a mask's largest box side."""
    if not mask.any():
        raise GroundingError("an empty mask has no size; ground the target first")
    return max(SIZE_EXTENT, key=lambda size: size_score(extent(mask), size, shape))


def color_of(pixels: np.ndarray) -> str:
    """The palette name nearest to the mean colour of ``pixels`` (N, 3)."""
    scores = color_scores(np.asarray(pixels, np.float32).reshape(-1, 3).mean(axis=0))
    return max(scores, key=scores.get)


# -- the grounder ---------------------------------------------------------------------------------


_PERSON_NOUNS = frozenset(lexicon.PERSON_NOUNS) | {lexicon.PERSON}
_FACE_NOUNS = frozenset({"face", "head"})
_BACKGROUND_NOUNS = frozenset(lexicon.BACKGROUND_NOUNS)
_IMAGE_NOUNS = frozenset(lexicon.IMAGE_NOUNS)
_PERSON_PART_NOUNS = frozenset(set(lexicon.PERSON_PARTS) | set(lexicon.ACCESSORIES) | {"shirt", "clothes"}) - {
    "face", "identity", "pose"
}  # fmt: skip


ENCLOSED_SHARE = 0.01  # of the image: the largest region ``Grounder.regions`` folds into its encloser


class Grounder:
    """Grounds edit targets to masks (see the module docstring for the order and the scoring).

    ``proposer``: where proposals come from (default: ``ClassicalProposer``); ``scorer``: a
    ``ClipScorer`` for nouns (default: the classical shape scorer). ``margin``: two candidates whose
    scores differ by less than this are ambiguous; ``min_score``: below it a candidate does not match.
    """

    def __init__(
        self,
        proposer: Proposer | None = None,
        scorer: ClipScorer | None = None,
        *,
        margin: float = 0.15,
        min_score: float = 0.3,
    ):
        self.classical = proposer if isinstance(proposer, ClassicalProposer) else ClassicalProposer()
        self.proposer: Proposer = proposer if proposer is not None else self.classical
        self.scorer = scorer
        self.shapes = ShapeScorer()
        self.margin = margin
        self.min_score = min_score

    # -- the public groundings ----------------------------------------------------------------------

    def ground(
        self,
        target: EntityRef | None,
        image: Image.Image,
        context: GroundingContext | None = None,
        *,
        pick: Pick = "unique",
    ) -> Mask:
        context = context or GroundingContext()
        size = image.size
        if context.user_mask is not None:
            return self._checked(context.user_mask, size, "user", "user")
        if target is None:
            raise GroundingError(
                "this edit names no target and no mask was given; name what to edit or pass a mask"
            )
        for key in (target.entity_id, target.mask):
            if key and key in context.entities:
                return self._checked(context.entities[key], size, f"session:{key}", key)
        if target.mask and not target.noun:
            known = ", ".join(sorted(context.entities)) or "none"
            raise GroundingError(
                f"no mask named {target.mask!r} (known entities: {known}); pass the mask or name the target"
            )
        if not target.noun:
            known = ", ".join(sorted(context.entities)) or "none"
            raise GroundingError(
                f"entity @{target.entity_id} is not in this session (known entities: {known}); "
                "name the target with words instead"
            )
        best = "best" if (pick == "best" or getattr(target, "pick", "unique") == "best") else "unique"
        return self._ground_words(target, image, best)

    def place(self, position: str | None, image: Image.Image) -> Mask:
        """Where an ``add`` paints: a square centred in the grid cell, half side 0.15 of the image side."""
        position = position or "center"
        if position not in POSITIONS:
            raise GroundingError(f"unknown position {position!r}; use one of {', '.join(POSITIONS)}")
        w, h = image.size
        cx, cy = cell_centre(position)
        half = 0.15 * min(w, h)
        ys, xs = np.mgrid[0:h, 0:w]
        array = (np.abs(xs + 0.5 - cx * w) <= half) & (np.abs(ys + 0.5 - cy * h) <= half)
        return Mask(array, "placement", 1.0, position)

    def person(self, image: Image.Image) -> Mask:
        found = self.classical.segmentation(image).person()
        if found is None:
            raise GroundingError("no person found in the image (no multi-part foreground); pass a mask")
        return Mask(found, "proposal:classical", 1.0, "person")

    def face(self, image: Image.Image) -> Mask:
        found = self.classical.segmentation(image).face()
        if found is None:
            raise GroundingError("no face found (no region of the person encloses eyes and mouth); pass a mask")
        return Mask(found, "proposal:classical", 1.0, "face")

    def background(self, image: Image.Image) -> Mask:
        return Mask(self.classical.segmentation(image).background_and_gaps(), "proposal:classical", 1.0, "background")

    def regions(self, image: Image.Image) -> np.ndarray:
        """Which thing owns each pixel (int HxW), from the pixels: the colour regions, with the whole
        background as region 0 (a striped background is one thing, not many) and a small region that
        one other region encloses (a pupil, a mouth) part of that one."""
        segmentation = self.classical.segmentation(image)
        regions = np.where(segmentation.background_and_gaps(), 0, segmentation.labels + 1)
        # A feature is often several small regions (a pupil's anti-aliased pixels), so small regions
        # are grouped by adjacency first; a group that one region alone surrounds joins it.
        small = (segmentation.areas <= ENCLOSED_SHARE * regions.size)[segmentation.labels] & (regions > 0)
        groups, _ = ndimage.label(small, structure=np.ones((3, 3), bool))
        height, width = regions.shape
        for group, box in enumerate(ndimage.find_objects(groups), start=1):
            # each group's own neighbourhood only: a photo has thousands of them
            ys = slice(max(box[0].start - 1, 0), min(box[0].stop + 1, height))
            xs = slice(max(box[1].start - 1, 0), min(box[1].stop + 1, width))
            inside, near = groups[ys, xs] == group, regions[ys, xs]
            around = np.unique(near[ndimage.binary_dilation(inside) & ~inside])
            if len(around) == 1:
                near[inside] = around[0]
        face = segmentation.face()
        if face is not None:  # a face is one thing, whatever its eyes, mouth and glasses cut it into
            owners = [o for o in np.unique(regions[face]) if o and (face[regions == o]).mean() > 0.5]
            regions[np.isin(regions, owners)] = regions.max() + 1
        return regions

    # -- words -------------------------------------------------------------------------------------

    def _ground_words(self, target: EntityRef, image: Image.Image, pick: Pick) -> Mask:
        noun = _canonical_noun(target.noun)
        if noun in _IMAGE_NOUNS:
            return Mask(np.ones(image.size[::-1], bool), "proposal:classical", 1.0, "image")
        if noun in _BACKGROUND_NOUNS:
            return self.background(image)
        if noun in _PERSON_NOUNS:
            return self.person(image)
        if noun in _FACE_NOUNS:
            return self.face(image)
        segmentation = self.classical.segmentation(image) if self.proposer is self.classical else None
        if noun in _PERSON_PART_NOUNS and segmentation is not None:
            regions = self._person_parts(segmentation)
        else:
            regions = self.proposer.propose(image)
        provenance = f"proposal:{self.proposer.name}"
        scored = self._score(target, noun, regions, image)
        scored.sort(key=lambda item: -item[0])
        candidates = [
            {"label": _describe(region, image.size), "score": round(total, 4), "scores": parts}
            for total, parts, region in scored[:6]
        ]
        wanted = target.count or 1
        matching = [item for item in scored if item[0] >= self.min_score]
        what = target.describe()
        if len(matching) < wanted:
            raise GroundingError(
                f"no region matches '{what}'"
                + (f" (found {len(matching)} of {wanted})" if wanted > 1 else "")
                + f"; candidates: {_listing(candidates) or 'none'}; check the words against the image or pass a mask"
            )
        if pick == "unique" and len(matching) > wanted:
            last, runner_up = matching[wanted - 1][0], matching[wanted][0]
            if last - runner_up < self.margin:
                tied = [c for c in candidates if c["score"] >= round(runner_up, 4) - 1e-3]
                raise GroundingError(
                    f"'{what}' is ambiguous: {len(tied)} regions match about equally well "
                    f"({_listing(tied)}); add a colour, size or position, or set pick: best"
                )
        chosen = matching[:wanted]
        array = np.logical_or.reduce([region.mask for _, _, region in chosen])
        label = what if wanted > 1 else _describe(chosen[0][2], image.size)
        return Mask(array, provenance, float(min(t for t, _, _ in chosen)), label, candidates)

    def match(self, target: EntityRef, image: Image.Image, within: np.ndarray) -> float:
        """How well the best proposal lying inside ``within`` matches ``target`` (0: none there).
        The verifier asks it whether an edit drew what it was asked to, or left what it removed."""
        regions = [r for r in self.proposer.propose(image) if r.area >= 4 and (r.mask & within).sum() >= 0.8 * r.area]
        keyed = _keyed(image, _canonical_color(target.color), within)
        regions += [keyed] if keyed is not None else []
        return max((total for total, _, _ in self._score(target, _canonical_noun(target.noun), regions, image)), default=0.0)

    def _person_parts(self, segmentation: Segmentation) -> list[Region]:
        person = segmentation.person()
        if person is None:
            return []
        face = segmentation.face()
        out = []
        for r in segmentation.regions_in(person):
            mask = segmentation.labels == r
            if face is not None and (mask & face).sum() > 0.5 * mask.sum():
                continue
            if segmentation.areas[r] >= 4:
                out.append(Region(mask, segmentation.colors[r], "classical", int(r)))
        return out

    def _score(
        self, target: EntityRef, noun: str, regions: list[Region], image: Image.Image
    ) -> list[tuple[float, dict, Region]]:
        if not regions:
            return []
        noun_scores = self._noun_scores(noun, regions, image)
        color = _canonical_color(target.color)
        palette_names = set(_palette_array()[0])
        out = []
        for index, region in enumerate(regions):
            parts: dict[str, float] = {}
            if noun_scores is not None:
                parts["noun"] = noun_scores[index]
            if color in palette_names:
                parts["color"] = color_scores(region.color)[color]
            if target.position in POSITIONS:
                parts["position"] = position_score(region.centroid(), target.position)
            if target.size in SIZE_EXTENT:
                shape = noun if noun in ShapeScorer.SHAPES else None
                parts["size"] = size_score(extent(region.mask), target.size, shape)
            values = np.array(list(parts.values()) or [1.0])
            total = float(np.exp(np.log(np.maximum(values, 1e-9)).mean()))
            out.append((total, {k: round(v, 4) for k, v in parts.items()}, region))
        return out

    def _noun_scores(self, noun: str, regions: list[Region], image: Image.Image) -> list[float] | None:
        """Per region, the probability that it is a ``noun``; None when nothing can score the noun."""
        if self.scorer is not None:
            others = [s for s in ShapeScorer.SHAPES if s != noun] + ["person", "background"]
            texts = [f"a photo of a {noun}"] + [f"a photo of a {o}" for o in others]
            crops = [_crop(image, region.mask) for region in regions]
            return self.scorer.text_probabilities(crops, texts)[:, 0].tolist()
        if noun in ShapeScorer.SHAPES:
            return [self.shapes.probabilities(region.mask)[noun] for region in regions]
        return None

    @staticmethod
    def _checked(mask: Mask, size: tuple[int, int], provenance: str, label: str) -> Mask:
        if mask.array.shape != (size[1], size[0]):
            raise GroundingError(
                f"the {label} mask is {mask.array.shape[1]}x{mask.array.shape[0]} but the image is "
                f"{size[0]}x{size[1]}; give a mask of the image's size"
            )
        return Mask(mask.array, provenance, 1.0, mask.label or label, [])


def _canonical_noun(noun: str | None) -> str:
    word = (noun or "").strip().lower()
    word = lexicon.SHAPE_WORDS.get(word, word)
    return lexicon.PERSON_WORDS.get(word, word)


def _canonical_color(color: str | None) -> str | None:
    if not color:
        return None
    word = color.strip().lower()
    return lexicon.COLOR_ALIASES.get(word, word)


def _describe(region: Region, size: tuple[int, int]) -> str:
    x, y = region.centroid()
    return f"{color_of(region.color)} region at {cell_of(x, y)} ({region.area} px)"


KEY_DISTANCE = 64.0  # RGB distance from a palette colour that still counts as that colour


def _keyed(image: Image.Image, color: str | None, within: np.ndarray) -> Region | None:
    """The largest blob of ``color`` inside ``within``: a proposal that a generated object's soft or
    textured pixels still form, where the classical segmentation splits them into crumbs."""
    table = palette()
    if color not in table:
        return None
    rgb = np.asarray(image.convert("RGB"), np.float32)
    near = (((rgb - np.asarray(table[color], np.float32)) ** 2).sum(axis=2) < KEY_DISTANCE**2) & within
    labels, count = ndimage.label(near)
    if count == 0:
        return None
    blob = labels == int(np.bincount(labels.ravel())[1:].argmax()) + 1
    return Region(blob, rgb[blob].mean(axis=0), "color-key") if blob.sum() >= 4 else None


def _listing(candidates: list[dict]) -> str:
    return ", ".join(f"{c['label']}: {c['score']:.2f}" for c in candidates)


def _crop(image: Image.Image, mask: np.ndarray) -> Image.Image:
    """The region's box (padded by a fifth) with everything outside the region grey, for CLIP."""
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    pad = max(2, int(0.2 * max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1)))
    y0, y1 = max(ys.min() - pad, 0), min(ys.max() + 1 + pad, h)
    x0, x1 = max(xs.min() - pad, 0), min(xs.max() + 1 + pad, w)
    rgb = np.asarray(image.convert("RGB"))[y0:y1, x0:x1].copy()
    rgb[~mask[y0:y1, x0:x1]] = 128
    return Image.fromarray(rgb, "RGB")
