"""The oracle judge: what an editor's output image really did, measured from pixels only.

``judge(source_scene, expected_scene, output_image)`` renders both scenes (exact ground truth),
lists what changed between them per entity (object added / removed / recoloured / moved / resized /
replaced, character attribute or pose, background, lighting, tone, style), and checks the output:

- **edit applied**, per change: in the pixels that change there (the entity's masks before and after,
  where the two renders differ), the share of output pixels that are within ``pixel_tolerance`` of
  the expected render *and* closer to it than to the source (``min_agreement``); for an object
  present after the edit, also the mean colour in its expected mask (``max_color_distance``);
- **identity preserved**: PSNR and SSIM of the face region against the expected render;
- **unchanged regions preserved**: PSNR and mean L1 against the source outside the change mask
  (dilated by one pixel for anti-aliased edges), and, per untouched entity, the share of its
  pixels there that stayed within ``pixel_tolerance`` (``min_agreement``); at most
  ``max_spurious_share`` of the canvas may move by more than that outside the change.

The editor is a black box: only its output image is looked at.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel, Field

from nanoedit.errors import EditorError
from nanoedit.io import load_image

from .render import Rendering, render
from .scene import Scene

MAX_PSNR = 100.0  # identical images: reported as 100 dB rather than infinity


class Thresholds(BaseModel):
    """Every number a verdict depends on (pixel values are 0-255, L1 is in [0, 1])."""

    pixel_tolerance: int = 32
    changed_pixel: int = 8  # a pixel counts as changed by the edit when the renders differ by more
    min_agreement: float = 0.8
    max_color_distance: float = 40.0
    identity_psnr: float = 25.0
    identity_ssim: float = 0.8
    preservation_psnr: float = 30.0
    preservation_l1: float = 0.02
    max_spurious_share: float = 0.002  # of the canvas: 8 pixels at 64 px


class ChangeResult(BaseModel):
    entity: str  # object id, "person", "background" or "image"
    op: str  # the graph op the change corresponds to
    aspect: str = ""  # e.g. "hair_color" for an attribute, "color+position" for an object
    pixels: int  # changed pixels in the entity's region
    agreement: float  # share of those pixels the output got right
    color_distance: float | None = None
    passed: bool


class IdentityResult(BaseModel):
    psnr: float
    ssim: float
    pixels: int
    passed: bool


class PreservationResult(BaseModel):
    psnr: float | None  # None when the edit changed every pixel
    l1: float | None
    pixels: int
    # Per entity, the share of its unchanged pixels the output kept (a small wrong edit hides in a
    # whole-image PSNR; it cannot hide here).
    entities: dict[str, float] = Field(default_factory=dict)
    spurious_pixels: int = 0  # unchanged-region pixels the output moved by more than pixel_tolerance
    passed: bool


class JudgeReport(BaseModel):
    passed: bool
    changes: list[ChangeResult] = Field(default_factory=list)
    identity: IdentityResult
    preservation: PreservationResult
    thresholds: Thresholds

    def summary(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        parts = [f"{c.op}:{c.entity}={'ok' if c.passed else 'FAIL'}({c.agreement:.2f})" for c in self.changes]
        parts.append(f"identity={self.identity.psnr:.1f}dB/{self.identity.ssim:.2f}")
        if self.preservation.psnr is not None:
            parts.append(f"preserved={self.preservation.psnr:.1f}dB")
        return f"{verdict} " + " ".join(parts)


def judge(
    source: Scene, expected: Scene, output: Image.Image | str | Path, thresholds: Thresholds | None = None
) -> JudgeReport:
    t = thresholds or Thresholds()
    before, after = render(source), render(expected)
    out = _pixels(output, expected.size)
    src, exp = before.array.astype(np.float32), after.array.astype(np.float32)
    changed = np.abs(src - exp).max(axis=2) > t.changed_pixel
    d_exp = np.abs(out - exp).max(axis=2)
    agrees = (d_exp <= t.pixel_tolerance) & (d_exp < np.abs(out - src).max(axis=2))

    changes = []
    for entity, op, aspect, region in scene_changes(source, expected, before, after):
        region = region & changed
        pixels = int(region.sum())
        agreement = float(agrees[region].mean()) if pixels else 1.0
        ok = agreement >= t.min_agreement
        distance = None
        if entity in after.masks and entity.startswith("obj"):
            distance, moved = _color_distance(out, src, exp, _erode(after.masks[entity]), t.changed_pixel)
            ok = ok and moved and distance <= t.max_color_distance
        changes.append(ChangeResult(entity=entity, op=op, aspect=aspect, pixels=pixels, agreement=agreement,
                                    color_distance=distance, passed=ok))  # fmt: skip

    face = after.masks["face"]
    identity_psnr = _psnr(out[face], exp[face])
    identity_ssim = _ssim(out, exp, face)
    identity = IdentityResult(psnr=identity_psnr, ssim=identity_ssim, pixels=int(face.sum()),
                              passed=identity_psnr >= t.identity_psnr and identity_ssim >= t.identity_ssim)  # fmt: skip

    keep = ~_dilate(np.abs(src - exp).max(axis=2) > 0)
    if keep.any():
        psnr, l1 = _psnr(out[keep], src[keep]), float(np.abs(out[keep] - src[keep]).mean() / 255.0)
        same = np.abs(out - src).max(axis=2) <= t.pixel_tolerance
        entities = {}
        for name, mask in before.masks.items():
            region = _erode(mask) & keep
            if region.any() and name != "character":
                entities[name] = float(same[region].mean())
        spurious = int((~same & keep).sum())
        kept = psnr >= t.preservation_psnr and l1 <= t.preservation_l1
        kept = kept and spurious <= t.max_spurious_share * keep.size
        kept = kept and all(share >= t.min_agreement for share in entities.values())
        preservation = PreservationResult(psnr=psnr, l1=l1, pixels=int(keep.sum()), entities=entities,
                                          spurious_pixels=spurious, passed=kept)  # fmt: skip
    else:
        preservation = PreservationResult(psnr=None, l1=None, pixels=0, passed=True)

    passed = all(c.passed for c in changes) and identity.passed and preservation.passed
    return JudgeReport(
        passed=passed, changes=changes, identity=identity, preservation=preservation, thresholds=t
    )


def scene_changes(
    source: Scene, expected: Scene, before: Rendering | None = None, after: Rendering | None = None
):
    """``(entity, op, aspect, region)`` for every difference between two scenes, where ``region`` is
    where that entity was or is (bool HxW)."""
    before = before or render(source)
    after = after or render(expected)
    old = {o.id: o for o in source.objects}
    new = {o.id: o for o in expected.objects}
    for object_id in old:
        if object_id not in new:
            yield object_id, "remove", "", before.masks[object_id]
    for object_id, obj in new.items():
        if object_id not in old:
            yield object_id, "add", "", after.masks[object_id]
            continue
        fields = [
            f for f in ("shape", "color", "size", "position") if getattr(obj, f) != getattr(old[object_id], f)
        ]
        if fields:
            op = {"shape": "replace", "color": "recolor", "size": "resize", "position": "move"}[fields[0]]
            yield object_id, op, "+".join(fields), before.masks[object_id] | after.masks[object_id]
    parts = {"hair_color": "hair", "hat": "hat", "glasses": "glasses", "pose": "body"}
    for name, part in parts.items():
        if getattr(source.character, name) != getattr(expected.character, name):
            op = "pose" if name == "pose" else "attribute"
            yield "person", op, name, before.masks[part] | after.masks[part]
    if source.background != expected.background:
        yield "background", "background", "", before.masks["background"] | after.masks["background"]
    everywhere = np.ones((expected.size, expected.size), bool)
    for name in ("lighting", "tone", "style"):
        if getattr(source, name) != getattr(expected, name):
            yield "image", name, str(getattr(expected, name)), everywhere


# -- measures -------------------------------------------------------------------------------------


def _pixels(image: Image.Image | str | Path, size: int) -> np.ndarray:
    image = load_image(image, error=EditorError, what="the output image")
    if image.size != (size, size):
        raise EditorError(
            f"output is {image.size[0]}x{image.size[1]} but the scene is {size}x{size}; resize it first"
        )
    return np.asarray(image, np.float32)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2)) if a.size else 0.0
    return MAX_PSNR if mse == 0 else min(MAX_PSNR, 10 * np.log10(255.0**2 / mse))


def _ssim(a: np.ndarray, b: np.ndarray, mask: np.ndarray, window: int = 5) -> float:
    """Mean SSIM (Wang et al. 2004, uniform window) over the mask's bounding box, on luma."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return 1.0
    pad = window // 2
    y0, y1 = max(ys.min() - pad, 0), min(ys.max() + pad + 1, mask.shape[0])
    x0, x1 = max(xs.min() - pad, 0), min(xs.max() + pad + 1, mask.shape[1])
    luma = np.array([0.299, 0.587, 0.114], np.float32)
    x, y = a[y0:y1, x0:x1] @ luma, b[y0:y1, x0:x1] @ luma
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def mean(v):
        return np.lib.stride_tricks.sliding_window_view(v, (window, window)).mean(axis=(-1, -2))

    mx, my = mean(x), mean(y)
    vx, vy, cov = mean(x * x) - mx**2, mean(y * y) - my**2, mean(x * y) - mx * my
    ssim = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(ssim.mean())


def _color_distance(
    out: np.ndarray, src: np.ndarray, exp: np.ndarray, mask: np.ndarray, unchanged: float
) -> tuple[float, bool]:
    """Distance of the output's mean colour in ``mask`` to the expected one, and whether the output
    there is closer to the expected colour than to the source's (False: nothing was done). Where the
    expected colour is the source's to within ``unchanged`` levels (a shrunk object lies inside its
    old self), there is no colour change to have done."""
    o, s, e = (v[mask].mean(axis=0) for v in (out, src, exp))
    distance = float(np.linalg.norm(o - e))
    moved = bool(np.linalg.norm(s - e) <= unchanged or distance < np.linalg.norm(o - s))
    return distance, moved


def _dilate(mask: np.ndarray) -> np.ndarray:
    grown = mask.copy()
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    return grown


def _erode(mask: np.ndarray) -> np.ndarray:
    core = ~_dilate(~mask)
    return core if core.any() else mask  # a sliver-thin mask keeps its edge pixels
