"""The primitives every expert program is made of ("editing as programs", as in IEAP).

- ``localize``: the grounded mask of a node's target (or its placement, for ``add``);
- ``inpaint``: fill a region from its surroundings (a removal, the hole a move leaves);
- ``regenerate``: redraw inside a region with the op's conditioning;
- ``composite``: paste a cut-out at a new place or scale;
- ``repaint``: give a thing a new flat colour, its outline and shading kept (a recolor);
- ``smooth_fill``: what a smooth surround (one colour, a gradient) continues behind a thing;
- ``snap``: a drawing of flat-colour art snapped to the art's colours (``flat_palette``);
- ``matte``: a drawn thing of one named colour remade over a known surround, the drawing's coverage kept;
- ``colour_counts``: the colours a region has, and how many pixels each;
- ``two_tone`` / ``plane_fit``: a drawn pattern made two flat tones (stripes, a checkerboard) or a
  plane (a gradient); ``bleed``: a colour field carried past a mask's edge (what lies behind a rim);
- ``global_transform``: regenerate everything but a protected foreground (a look with no preset in
  ``looks``; the presets are computed there).

The generative ones (``GENERATIVE_STEPS``) run the shared backbone (``Backbone``) with whatever adapter the caller made
active: conditioned on the source plus the region (channel concat, when the model was trained with
those channels) and on the node's prompt, with blended latent diffusion outside the region (the
source re-noised to each step's level), which is also how a plain SANA checkpoint edits zero-shot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from nanoedit.backbone.samplers import SAMPLERS, Guidance, generate
from nanoedit.errors import EditorError

from .regions import box_centre, dilate

GENERATIVE_STEPS = frozenset({"inpaint", "regenerate", "global_transform"})


def rgb(image: torch.Tensor) -> np.ndarray:
    """A (1, 3, H, W) image in [-1, 1] as an (H, W, 3) float array of 0-255 levels."""
    return (image[0].permute(1, 2, 0).float().numpy() + 1) * 127.5


def from_rgb(pixels: np.ndarray) -> torch.Tensor:
    """An (H, W, 3) array of 0-255 levels as a (1, 3, H, W) float32 image in [-1, 1]."""
    return torch.from_numpy((np.asarray(pixels, np.float64) / 127.5 - 1).astype(np.float32)).permute(2, 0, 1)[None]


def solid(color: tuple[int, int, int]) -> torch.Tensor:
    """One 0-255 RGB colour as a (1, 3, 1, 1) float32 image in [-1, 1], to broadcast over an image."""
    return torch.tensor(color, dtype=torch.float32)[None, :, None, None] / 127.5 - 1


@dataclass
class Backbone:
    """The one shared diffusion model: transformer (maybe wrapped by peft), text encoder, autoencoder
    (None: the model works on pixels) and the sampling defaults."""

    transformer: torch.nn.Module
    text_encoder: torch.nn.Module
    autoencoder: torch.nn.Module | None = None
    sampler: str = "euler"
    flow_shift: float = 1.0
    steps: int = 8
    text_scale: float = 1.0
    image_channels: int = 3
    prediction: str = "velocity"  # "sample": the clean image; "residual": its change from the source
    spent_ms: float = 0.0  # wall time inside ``regenerate`` so far (the editor reports it per node)

    @property
    def core(self):
        """The transformer itself, under any peft wrapper."""
        model = self.transformer
        return model.get_base_model() if hasattr(model, "get_base_model") else model

    @property
    def conditioned(self) -> bool:
        """Whether the transformer takes the source and region as extra input channels."""
        config = self.core.config
        return config.in_channels > config.out_channels

    def encode(self, image: torch.Tensor) -> torch.Tensor:
        return image if self.autoencoder is None else self.autoencoder.encode(image)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return latents if self.autoencoder is None else self.autoencoder.decode(latents)

    def _denoise(self, latents, text, timestep, text_mask):
        output = self.transformer(latents, text, timestep, text_mask)
        if self.prediction == "velocity":
            return output
        from nanoedit.train import to_velocity

        sigma = (timestep / 1000.0).to(output.dtype)[:, None, None, None]
        channels = output.shape[1]  # model input: [noisy, source, region]
        noisy, source = latents[:, :channels], latents[:, channels : 2 * channels]
        return to_velocity(output, noisy, sigma, self.prediction, source)

    @torch.no_grad()
    def regenerate(
        self,
        image: torch.Tensor,
        region: np.ndarray,
        prompt: str,
        seed: int,
        steps: int | None = None,
        strength: float = 1.0,
        progress: bool = False,
    ) -> torch.Tensor:
        """``image`` (1, 3, H, W) redrawn inside ``region`` for ``prompt``; outside it, the source."""
        started = time.perf_counter()
        device, dtype = self.core.device, self.core.dtype
        image = image.to(device, dtype)
        known = self.encode(image)
        grid = torch.from_numpy(region.astype(np.float32))[None, None].to(device)
        # A latent cell is regenerated when any pixel it covers is.
        mask = F.adaptive_max_pool2d(grid, known.shape[-2:]).to(dtype)
        text, text_mask = self.text_encoder.encode([prompt])
        null_text, null_mask = self.text_encoder.encode([""])
        condition = torch.cat([known, mask * 2 - 1], dim=1) if self.conditioned else None
        generator = torch.Generator(device="cpu").manual_seed(int(seed))
        noise = torch.randn(known.shape, generator=generator, dtype=torch.float32).to(device, dtype)
        sampler = SAMPLERS[self.sampler](flow_shift=self.flow_shift)
        latents = generate(
            self._denoise, sampler, noise, text.to(dtype), text_mask, null_text.to(dtype), null_mask,
            image_condition=condition, guidance=Guidance(text_scale=self.text_scale, image_scale=1.0),
            num_steps=steps or self.steps, strength=strength, init_latents=known if strength < 1 else None,
            timestep_scale=getattr(self.core.config, "timestep_scale", 1.0), progress=progress,
            known_latents=known, known_mask=mask,
        )  # fmt: skip
        out = self.decode(latents).clamp(-1, 1).float().cpu()
        self.spent_ms += (time.perf_counter() - started) * 1000
        return out


def localize(grounder, node, image, context=None):
    """The node's region on the image: its grounded target, or for ``add`` the placement."""
    from nanoedit.graphs import Op

    if node.op is Op.add:
        if context is not None and context.user_mask is not None:
            return context.user_mask
        position = node.params.position or node.target.position
        if not position:
            raise EditorError(f"node {node.id!r} adds {node.target.describe()} but says nowhere; give a position")
        return grounder.place(position, image)
    return grounder.ground(node.target, image, context, pick=getattr(node.target, "pick", "unique"))


def regenerate(backbone: Backbone, image, region, prompt, seed, steps=None, progress=False):
    return backbone.regenerate(image, region, prompt, seed, steps, progress=progress)


def inpaint(backbone: Backbone, image, region, prompt, seed, steps=None, progress=False):
    """Fill ``region`` from its surroundings: a regenerate conditioned on a removal prompt."""
    return backbone.regenerate(image, region, prompt, seed, steps, progress=progress)


def global_transform(backbone: Backbone, image, protected, prompt, seed, steps=None, progress=False):
    """Regenerate everything but ``protected`` (bool HxW; e.g. the foreground for a background)."""
    return backbone.regenerate(image, ~protected, prompt, seed, steps, progress=progress)


def composite(
    image: torch.Tensor, cutout: np.ndarray, dx: float, dy: float, scale: float = 1.0,
    onto: torch.Tensor | None = None,
) -> tuple[torch.Tensor, np.ndarray]:
    """Paste the pixels of ``image`` under ``cutout`` moved by (dx, dy) pixels and scaled about their
    centre, onto ``onto`` (default: ``image`` itself; a move pastes onto the image with the object
    removed). Returns the new image and the mask of the pasted pixels; parts pushed off the canvas
    are dropped.

    Pasting whole pixels would shift the object by up to half a pixel and cut its anti-aliased rim
    out with the old background in it; resampling a hard mask gives a blocky or blurred rim. So what
    is resampled, at sub-pixel positions, is the object's edge as a signed distance, refined on the
    rim by each pixel's coverage (how far its colour lies from the background behind it towards the
    object's own, as a two-colour matte reads it), and drawn anew with one pixel of anti-aliasing, as
    a renderer draws it; the colours are the object's own, bled outwards past its rim.
    """
    _, _, height, width = image.shape
    onto = image if onto is None else onto
    if not cutout.any():
        raise EditorError("the cut-out to paste is empty; ground the target first")
    colours, coverage, rim = _cutout_matte(image, cutout)
    signed = np.where(cutout, 0.5 - ndimage.distance_transform_edt(cutout), ndimage.distance_transform_edt(~cutout) - 0.5)
    signed = np.where(rim, 0.5 - coverage, signed)
    cx, cy = box_centre(cutout)
    # each output pixel centre, mapped back into the source, in grid_sample's [-1, 1] (align_corners=False)
    u = ((torch.arange(width) + 0.5 - cx - dx) / scale + cx) / width * 2 - 1
    v = ((torch.arange(height) + 0.5 - cy - dy) / scale + cy) / height * 2 - 1
    grid = torch.stack(torch.meshgrid(u, v, indexing="xy"), dim=-1)[None].to(torch.float32)
    sample = lambda x: F.grid_sample(x.float(), grid, mode="bilinear", padding_mode="border", align_corners=False)  # noqa: E731
    alpha = (0.5 - sample(torch.from_numpy(signed.astype(np.float32))[None, None]) * scale).clamp(0, 1)
    if not (alpha > 0).any():
        raise EditorError("the move or resize puts the object entirely off the canvas; choose another place")
    out = torch.lerp(onto.float(), sample(colours), alpha).to(onto.dtype)
    return out, alpha[0, 0].numpy() > 0


def repaint(
    image: torch.Tensor, cutout: np.ndarray, color: tuple[int, int, int] | torch.Tensor
) -> tuple[torch.Tensor, np.ndarray]:
    """The thing under ``cutout`` in a new ``color`` (0-255 RGB, or a per-pixel colour field of the
    image's shape in [-1, 1], as ``smooth_fill`` gives), its outline kept: each pixel keeps its share
    of the thing (its coverage, on the anti-aliased rim) and its own variation from the thing's colour
    (shading), and only the thing's share changes colour. Returns the new image and the mask of the
    pixels it changed. Repainting a thing with what lies behind it erases it."""
    if not cutout.any():
        raise EditorError("the region to repaint is empty; ground the target first")
    colours, coverage, rim = _cutout_matte(image, cutout)
    share = torch.from_numpy(np.where(rim, coverage, cutout).astype(np.float32))[None, None]
    if not isinstance(color, torch.Tensor):
        color = solid(color)
    out = (image.float() + share * (color.float() - colours.float())).clamp(-1, 1).to(image.dtype)
    return out, share[0, 0].numpy() > 0


SMOOTH_RING = (2, 5)  # pixels out from a thing: the ring its surround is read from
SMOOTH_RESIDUAL = 6.0  # levels (RMS): a surround a plane fits this well is smooth


def smooth_fill(image: torch.Tensor, cutout: np.ndarray) -> torch.Tensor | None:
    """What lies behind the thing under ``cutout`` when its surround is smooth (one colour or a
    linear gradient): a plane, per channel ``a + b x + c y``, fitted to a ring around it, as a colour
    field of the image's shape; None when the ring is not smooth (another thing, a pattern, a
    texture), which needs a generative inpainting instead."""
    ring = dilate(cutout, SMOOTH_RING[1]) & ~dilate(cutout, SMOOTH_RING[0])
    if ring.sum() < 8:
        return None
    field, residual = plane_fit(image, ring)
    return field if residual <= SMOOTH_RESIDUAL else None


def plane_fit(image: torch.Tensor, region: np.ndarray) -> tuple[torch.Tensor, float]:
    """The plane per channel (``a + b x + c y``) that fits ``region``'s pixels best, as a colour field
    of the image's shape, and its RMS residual in levels."""
    height, width = region.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32) / max(height, width)
    design = np.stack([np.ones_like(xs), xs, ys], axis=-1)
    pixels = rgb(image)
    plane, *_ = np.linalg.lstsq(design[region], pixels[region], rcond=None)
    residual = float(np.sqrt(np.mean((design[region] @ plane - pixels[region]) ** 2)))
    return from_rgb(np.clip(design @ plane, 0, 255)), residual


TWO_TONE_APART = 24.0  # levels: a pixel this far from the first tone starts the second


def two_tone(image: torch.Tensor, region: np.ndarray, first: tuple[int, int, int]) -> torch.Tensor:
    """``image`` with each pixel of ``region`` set to the nearer of two flat tones: ``first`` (0-255)
    and the other one the pixels there make (two-medians with one centre held): a two-tone pattern
    (stripes, a checkerboard) a small model draws blurred, drawn flat where it put it."""
    pixels = rgb(image)
    inside = pixels[region]
    first = np.asarray(first, np.float32)
    far = np.linalg.norm(inside - first, axis=1) > TWO_TONE_APART
    if not far.any():
        return image.clone()
    second = np.median(inside[far], axis=0)  # medians: stray colours (a blurred neighbour) do not pull it
    for _ in range(8):
        nearer = np.linalg.norm(inside - second, axis=1) < np.linalg.norm(inside - first, axis=1)
        if not nearer.any():
            return image.clone()
        second = np.median(inside[nearer], axis=0)
    pixels[region] = np.where(nearer[:, None], second, first)
    return from_rgb(pixels).to(image.dtype)


SNAP_RING = 3  # pixels out from a region: where the colours of the art around it are read
SNAP_MIN_PIXELS = 6  # a colour with fewer pixels in the ring is an anti-aliased edge, not one of the art's
SNAP_FLAT_SHARE = 0.9  # of the ring: flat-colour art, when its few colours cover this much of it
SNAP_DISTANCE = 60.0  # levels: a drawn pixel this near one of them becomes it (chosen on val: 40, 60, 80, 120)


def colour_counts(image: torch.Tensor, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct colours (k, 3; whole 0-255 levels) of the pixels under ``mask``, in order, and how
    many pixels have each."""
    return np.unique(np.round(rgb(image)[mask]).astype(int), axis=0, return_counts=True)


def flat_palette(image: torch.Tensor, region: np.ndarray) -> np.ndarray | None:
    """The colours of the flat-colour art in and around ``region`` (k, 3; 0-255), or None when a few
    colours do not make it up (a photo, a texture), where nothing should be snapped."""
    ring = ndimage.binary_dilation(region, iterations=SNAP_RING)
    colours, counts = colour_counts(image, ring)
    kept = counts >= SNAP_MIN_PIXELS
    if counts[kept].sum() < SNAP_FLAT_SHARE * ring.sum():
        return None
    return colours[kept].astype(np.float32)


def snap(drawn: torch.Tensor, region: np.ndarray, colours: np.ndarray) -> torch.Tensor:
    """``drawn`` with each pixel of ``region`` that lies within ``SNAP_DISTANCE`` of one of
    ``colours`` (k, 3; 0-255) set to the nearest: flat-colour art is drawn in a few colours, which a
    small model's redraw blurs into many."""
    pixels = rgb(drawn)
    inside = pixels[region]
    distance = np.linalg.norm(inside[:, None, :] - colours[None], axis=2)
    near = distance.min(axis=1) < SNAP_DISTANCE
    inside[near] = colours[distance.argmin(axis=1)[near]]
    pixels[region] = inside
    return from_rgb(pixels).to(drawn.dtype)


# Coverage below the first is none, above the second full; chosen on val (adds and replaces of 30):
# 0.15/0.85 drew 19 and 10, 0.25/0.75 21 and 10, 0.35/0.65 21 and 10, 0.5/0.5 19 and 8 (the snap alone 20 and 8).
MATTE_CLEAN = (0.25, 0.75)


def matte(drawn: torch.Tensor, behind: torch.Tensor, region: np.ndarray, color: tuple[int, int, int]) -> torch.Tensor:
    """The thing ``drawn`` in ``region`` remade in its one flat ``color`` over the known ``behind``
    (a colour field): each pixel's coverage is where the drawing puts it between the two colours,
    cleaned at the ends (a faint halo is none, a blotchy inside full), so the model gives the shape and
    the edge stays anti-aliased."""
    px, bg = rgb(drawn), rgb(behind)
    towards = np.asarray(color, np.float32) - bg
    coverage, _ = _coverage(px, bg, towards)
    low, high = MATTE_CLEAN
    coverage = np.where(coverage < low, 0.0, np.where(coverage > high, 1.0, coverage))
    out = px.copy()
    out[region] = (bg + coverage[..., None] * towards)[region]
    return from_rgb(np.clip(out, 0, 255)).to(drawn.dtype)


def bleed(image: torch.Tensor, mask: np.ndarray) -> torch.Tensor:
    """``image`` with every pixel outside ``mask`` given the colour of the nearest pixel inside it."""
    iy, ix = ndimage.distance_transform_edt(~mask, return_indices=True)[1]
    return image[:, :, torch.from_numpy(iy), torch.from_numpy(ix)]


def _cutout_matte(image: torch.Tensor, cutout: np.ndarray):
    """The thing under ``cutout`` as a two-colour matte: per pixel, the thing's own colour (that of
    its nearest inner pixel, so bled outwards past its rim) and its coverage, read against the
    colour behind it (the nearest pixel outside it); and the rim, where that coverage was read from
    the pixel (elsewhere a pixel is just inside or outside)."""
    core = ndimage.binary_erosion(cutout, border_value=0)
    core = core if core.any() else cutout  # rim pixels are part background: colours come from inside
    colours, behind = bleed(image, core), bleed(image, ~dilate(cutout, 1))
    fg, bg, px = (c[0].permute(1, 2, 0).float().numpy() for c in (colours, behind, image))
    coverage, contrast = _coverage(px, bg, fg - bg)
    rim = ndimage.binary_dilation(cutout) & ~core & (contrast > 0.05)
    return colours, coverage, rim


def _coverage(pixels: np.ndarray, behind: np.ndarray, towards: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel, how far its colour lies from ``behind`` along ``towards`` (the thing's colour less
    ``behind``; 0 to 1: a two-colour matte's coverage), and the squared contrast it was read against."""
    contrast = (towards**2).sum(axis=2)
    return np.clip(((pixels - behind) * towards).sum(axis=2) / np.maximum(contrast, 1e-6), 0, 1), contrast
