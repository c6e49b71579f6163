"""Looks: the whole-image adjustments a picture carries (lighting, tone, style), kept apart from its content.

They work as a photo editor's adjustment layers. Each edit changes the content, and the looks are
applied on top of it, so:

- a later edit sees the content's own colours (a gray square added at night is drawn gray, then lit);
- a later look replaces the one before on its layer instead of stacking on it ("make it night",
  then "make it day", gives the picture back; "warm" after "cool" is warm, not neutral).

Each look here is a named preset, a classical transform computed exactly from the pixels. The
presets are this project's definitions of the lexicon's words (the ones the toy world renders too).
A look with no preset ("like a watercolour", "golden hour") is the model's to draw, on the content.

One pass in float, one clip at the end, in this order:
1. the outline (ink is part of the drawing, so the light falls on it);
2. the lighting;
3. the tone;
4. the quantising styles, posterize and pixelate (they act on the final colours).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy import ndimage

from nanoedit.errors import EditorError
from nanoedit.graphs import EditNode, Op

LIGHTING = {  # a colour multiply, then an add (RGB, 0-255)
    "night": ((0.35, 0.42, 0.75), (0.0, 0.0, 25.0)),
    "sunset": ((1.0, 0.75, 0.55), (30.0, 10.0, 0.0)),
}
TONE_SHIFT = {"warm": (32.0, 8.0, -32.0), "cool": (-32.0, 0.0, 32.0)}
LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601, as PIL's convert("L")
TONES = (*TONE_SHIFT, "grayscale")
STYLES = ("outline", "posterize", "pixelate")
POSTERIZE_LEVELS = 3  # per channel: dark, middle, bright
PIXELATE_BLOCKS = 16  # blocks across the image
OUTLINE_INK = (24, 24, 24)  # a near-black line
DAY = "day"  # the lighting with no preset: the content's own


@dataclass(frozen=True)
class Looks:
    """The preset on each layer (None: none). ``Looks()`` is a picture as its content is."""

    lighting: str | None = None
    tone: str | None = None
    style: str | None = None

    def __post_init__(self):
        for layer, allowed in (("lighting", LIGHTING), ("tone", TONES), ("style", STYLES)):
            value = getattr(self, layer)
            if value is not None and value not in allowed:
                raise EditorError(f"no {layer} preset {value!r}; presets: {', '.join(allowed)}")

    def __bool__(self) -> bool:
        return any(asdict(self).values())

    def after(self, node: EditNode) -> Looks | None:
        """These looks once ``node`` is done, when ``node`` sets a preset (or takes a preset light
        back to day); None when it is no look of these presets, which leaves it to the model."""
        p = node.params
        if node.op is Op.lighting:
            if p.lighting in LIGHTING:
                return replace(self, lighting=p.lighting)
            if p.lighting == DAY and self.lighting is not None:
                return replace(self, lighting=None)
        elif node.op is Op.tone and p.tone in TONES:
            return replace(self, tone=p.tone)
        elif node.op is Op.style and p.style in STYLES:
            return replace(self, style=p.style)
        return None

    @property
    def needs_regions(self) -> bool:
        return self.style == "outline"

    def apply(self, pixels: np.ndarray, regions: np.ndarray | None = None) -> np.ndarray:
        """``pixels`` (uint8 HxWx3, the content) with these looks on top. An outline needs
        ``regions`` (which thing owns each pixel, e.g. ``Grounder.regions``): a one-pixel line is drawn
        where the owner changes from the pixel on the left or above."""
        if not self:
            return pixels.copy()
        rgb = pixels.astype(np.float32)
        height, width = rgb.shape[:2]
        if self.style == "outline":
            if regions is None or regions.shape != (height, width):
                raise EditorError("an outline needs the image's regions (one owner id per pixel)")
            edge = np.zeros(regions.shape, bool)
            edge[:, 1:] |= regions[:, 1:] != regions[:, :-1]
            edge[1:, :] |= regions[1:, :] != regions[:-1, :]
            rgb[edge] = OUTLINE_INK
        if self.lighting is not None:
            multiply, add = LIGHTING[self.lighting]
            rgb = rgb * np.asarray(multiply, np.float32) + np.asarray(add, np.float32)
        if self.tone == "grayscale":
            rgb = np.repeat((rgb @ np.asarray(LUMA, np.float32))[..., None], 3, axis=2)
        elif self.tone is not None:
            rgb = rgb + np.asarray(TONE_SHIFT[self.tone], np.float32)
        rgb = np.clip(rgb, 0, 255)
        if self.style == "posterize":
            step = 255.0 / (POSTERIZE_LEVELS - 1)
            rgb = np.round(rgb / step) * step
        elif self.style == "pixelate":
            rgb = _pixelated(rgb)
        return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)

    def spread(self, region: np.ndarray) -> np.ndarray:
        """Where a change of the content inside ``region`` shows once these looks are on: a pixelated
        block changes whole, and an outline may move by its one pixel."""
        if self.style == "pixelate":
            spread = np.zeros_like(region)
            for rows, cols in _blocks(*region.shape):
                if region[rows, cols].any():
                    spread[rows, cols] = True
            return spread
        if self.style == "outline":
            return ndimage.binary_dilation(region, structure=np.ones((3, 3), bool))
        return region.copy()

    def to_dict(self) -> dict[str, str]:
        return {layer: value for layer, value in asdict(self).items() if value is not None}

    @classmethod
    def from_dict(cls, values: dict[str, str] | None) -> Looks:
        return cls(**(values or {}))


def _blocks(height: int, width: int):
    """The ``PIXELATE_BLOCKS`` x ``PIXELATE_BLOCKS`` blocks as (rows, cols) slices; an image that does
    not divide evenly is split as evenly as it can be."""
    rows = np.linspace(0, height, min(PIXELATE_BLOCKS, height) + 1).astype(int)
    cols = np.linspace(0, width, min(PIXELATE_BLOCKS, width) + 1).astype(int)
    for y0, y1 in zip(rows[:-1], rows[1:]):
        for x0, x1 in zip(cols[:-1], cols[1:]):
            yield slice(y0, y1), slice(x0, x1)


def _pixelated(rgb: np.ndarray) -> np.ndarray:
    """Each block as its mean colour."""
    out = np.empty_like(rgb)
    for rows, cols in _blocks(*rgb.shape[:2]):
        out[rows, cols] = rgb[rows, cols].reshape(-1, 3).mean(axis=0)
    return out
