"""Image-editing metrics: pixel fidelity (whole image, inside and outside a mask), CLIP similarities, and
the toy world's oracle.

Definitions (images are RGB, converted to float tensors in [0, 1], NCHW, ``data_range = 1``; a mask
is an ``L`` image or a boolean HxW array, True / >127 = inside). ``region`` is the whole image, the
pixels inside the mask (``*_in``) or outside it (``*_out``); a region with no pixels gives ``None``.

* ``l1``   = mean over the region's pixels and channels of ``|a - b|``.
* ``l2``   = mean over the region's pixels and channels of ``(a - b)^2`` (a mean squared error).
  MagicBrush's "L1" and "L2" are exactly these on the whole image (``nn.L1Loss`` / ``nn.MSELoss``
  on ``ToTensor`` images; their L2 is an MSE, not a root). PIE-Bench's "MSE" is ``l2``.
* ``psnr`` = ``10 log10(1 / l2)`` in dB over the region, capped at ``PSNR_CAP_DB`` (identical regions
  have an infinite PSNR, which JSON cannot hold).
* ``ssim`` = the mean, over the region's pixels and channels, of the SSIM map of the *whole* images
  (Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03: torchmetrics' defaults, Wang et al. 2004).
  Whole-image ``ssim`` equals torchmetrics' ``structural_similarity_index_measure``.
  PIE-Bench computes its background PSNR / MSE / SSIM on images whose edited part is set to zero in
  both images; that counts the zeroed pixels as perfect matches. Here ``*_out`` averages over the
  unedited pixels only, so it is not diluted by the size of the edit (for MSE the two are related by
  ``pie_mse = l2_out * (unedited fraction)``).
* CLIP (``nanoedit.experts.clip``, the one scorer that grounding uses too; open_clip; the architecture is
  chosen by name and the weights come from a local checkpoint;
  without one the CLIP figures are reported as unavailable, never approximated). Embeddings are
  L2-normalised.
  - ``clip_image`` = ``cos(E_I(a), E_I(b))``: MagicBrush's CLIP-I (output vs. ground truth), and
    InstructPix2Pix's "CLIP image similarity" (output vs. input).
  - ``clip_text`` = ``cos(E_I(image), E_T(text))``: MagicBrush's CLIP-T (output vs. the target
    caption). PIE-Bench's "CLIP similarity" is ``100 * max(clip_text, 0)`` (torchmetrics CLIPScore).
  - ``clip_direction`` = ``cos(E_I(out) - E_I(src), E_T(out caption) - E_T(src caption))``:
    InstructPix2Pix's directional similarity (from StyleGAN-NADA), with normalised embeddings first.
* Oracle (toy world only): ``nanoedit.toyworld``'s judge compares the output with the exact expected
  scene; ``oracle_report`` returns its figures.

Pixel metrics use torchmetrics' functional implementations (not hand-written).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from PIL import Image
from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure
from torchmetrics.functional.regression import mean_absolute_error, mean_squared_error

from nanoedit.experts.clip import CLIP_CHECKPOINT_ENV, DEFAULT_CLIP_MODEL, ClipScorer, load_clip

__all__ = [
    "CLIP_CHECKPOINT_ENV",
    "DEFAULT_CLIP_MODEL",
    "PSNR_CAP_DB",
    "ClipScorer",
    "image_tensor",
    "load_clip",
    "mask_array",
    "oracle_figures",
    "pixel_metrics",
]

PSNR_CAP_DB = 100.0
PIXEL_METRICS = ("l1", "l2", "psnr", "ssim")


def image_tensor(image: Image.Image) -> torch.Tensor:
    """A 1x3xHxW float tensor in [0, 1] (the range the published metrics use)."""
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0).contiguous()


def mask_array(mask: Image.Image | np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A boolean HxW array (True = inside) from an ``L`` image or an array, checked against ``size`` (W, H)."""
    array = (
        np.asarray(mask.convert("L")) > 127
        if isinstance(mask, Image.Image)
        else np.asarray(mask).astype(bool)
    )
    if array.shape != (size[1], size[0]):
        raise ValueError(f"mask is {array.shape[1]}x{array.shape[0]} but the image is {size[0]}x{size[1]}")
    return array


def _region_figures(
    a: torch.Tensor, b: torch.Tensor, ssim_map: torch.Tensor, region: torch.Tensor | None
) -> dict:
    if region is None:
        sel_a, sel_b, sel_ssim = a, b, ssim_map
    else:
        if not bool(region.any()):
            return dict.fromkeys(PIXEL_METRICS)
        sel_a, sel_b, sel_ssim = a[..., region], b[..., region], ssim_map[..., region]
    psnr = float(peak_signal_noise_ratio(sel_a, sel_b, data_range=1.0))
    return {
        "l1": float(mean_absolute_error(sel_a, sel_b)),
        "l2": float(mean_squared_error(sel_a, sel_b)),
        "psnr": min(psnr, PSNR_CAP_DB),
        "ssim": float(sel_ssim.mean()),
    }


def pixel_metrics(
    output: Image.Image, reference: Image.Image, mask: Image.Image | np.ndarray | None = None
) -> dict[str, float | None]:
    """L1, L2, PSNR, SSIM of ``output`` against ``reference``; with a mask also ``*_in`` and ``*_out``."""
    if output.size != reference.size:
        output = output.resize(reference.size, Image.Resampling.BICUBIC)  # as MagicBrush does
    a, b = image_tensor(output), image_tensor(reference)
    _, ssim_map = structural_similarity_index_measure(a, b, data_range=1.0, return_full_image=True)
    figures = _region_figures(a, b, ssim_map, None)
    if mask is not None:
        inside = torch.from_numpy(mask_array(mask, reference.size))
        for suffix, region in (("in", inside), ("out", ~inside)):
            figures.update({f"{k}_{suffix}": v for k, v in _region_figures(a, b, ssim_map, region).items()})
    return figures


def oracle_figures(source: Any, expected: Any, output: Image.Image) -> dict[str, Any]:
    """The toy-world oracle's verdict on ``output`` (see ``nanoedit.toyworld.oracle.judge``), flattened:
    ``edit_rate`` is the share of expected changes the output made, ``identity_*`` compare the face
    with the expected render, ``preservation_*`` compare the unchanged pixels with the source."""
    from nanoedit.toyworld.oracle import judge

    report = judge(source, expected, output)
    changes = report.changes
    return {
        "oracle_passed": report.passed,
        "edit_rate": sum(c.passed for c in changes) / len(changes) if changes else 1.0,
        "edit_agreement": sum(c.agreement for c in changes) / len(changes) if changes else 1.0,
        "identity_psnr": report.identity.psnr,
        "identity_ssim": report.identity.ssim,
        "identity_passed": report.identity.passed,
        "preservation_psnr": report.preservation.psnr,
        "preservation_l1": report.preservation.l1,
        "preservation_passed": report.preservation.passed,
        "oracle_summary": report.summary(),
    }
