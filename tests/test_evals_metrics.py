"""Metrics: torchmetrics agreement, masked regions, a tiny open_clip model saved and loaded back, I2EBench templates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchmetrics.functional.image import structural_similarity_index_measure

from nanoedit.errors import ModelLoadError
from nanoedit.evals.i2ebench import extract_templates, load_templates
from nanoedit.evals.metrics import PSNR_CAP_DB, ClipScorer, image_tensor, load_clip, pixel_metrics

I2EBENCH = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "i2ebench"


def random_image(seed: int, size: int = 32) -> Image.Image:
    return Image.fromarray(
        np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8), "RGB"
    )


def test_pixel_metrics_match_definitions_inside_and_outside():
    a, b = random_image(0), random_image(1)
    mask = np.zeros((32, 32), bool)
    mask[4:12, 8:20] = True
    figures = pixel_metrics(a, b, mask)
    x, y = np.asarray(a, np.float64) / 255, np.asarray(b, np.float64) / 255
    for suffix, region in (("", np.ones_like(mask)), ("_in", mask), ("_out", ~mask)):
        diff = x[region] - y[region]
        assert figures[f"l1{suffix}"] == pytest.approx(np.abs(diff).mean(), rel=1e-5)
        assert figures[f"l2{suffix}"] == pytest.approx((diff**2).mean(), rel=1e-5)
        assert figures[f"psnr{suffix}"] == pytest.approx(10 * np.log10(1 / (diff**2).mean()), rel=1e-4)
    whole = structural_similarity_index_measure(image_tensor(a), image_tensor(b), data_range=1.0)
    assert figures["ssim"] == pytest.approx(float(whole), rel=1e-5)


def test_identical_and_empty_regions():
    a = random_image(2)
    figures = pixel_metrics(a, a, np.zeros((32, 32), bool))
    assert figures["psnr"] == PSNR_CAP_DB and figures["l1"] == 0 and figures["ssim"] == pytest.approx(1.0)
    assert figures["l1_in"] is None and figures["psnr_out"] == PSNR_CAP_DB
    with pytest.raises(ValueError, match="mask is"):
        pixel_metrics(a, a, np.zeros((8, 8), bool))


TINY_CLIP = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 8, "head_width": 16},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


def save_tiny_clip(folder: Path):
    """A tiny random open_clip model registered as ``nanoedit-test-tiny-clip`` and saved as safetensors:
    (the model, the checkpoint path)."""
    import open_clip
    from safetensors.torch import save_file

    config = folder / "nanoedit-test-tiny-clip.json"
    config.write_text(json.dumps(TINY_CLIP))
    open_clip.add_model_config(config)
    torch.manual_seed(0)
    model = open_clip.create_model("nanoedit-test-tiny-clip").eval()
    checkpoint = folder / "tiny_clip.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, checkpoint)
    return model, checkpoint


def test_tiny_open_clip_checkpoint_round_trip(tmp_path):
    model, checkpoint = save_tiny_clip(tmp_path)
    scorer, status = load_clip("nanoedit-test-tiny-clip", checkpoint)
    assert scorer is not None and "from" in status
    red, blue = Image.new("RGB", (48, 48), (220, 40, 40)), Image.new("RGB", (48, 48), (40, 90, 220))
    with torch.no_grad():
        expected = torch.nn.functional.normalize(
            model.encode_image(torch.stack([scorer.preprocess(red)])), dim=-1
        )
    assert torch.allclose(
        scorer.embed_images([red]), expected, atol=1e-6
    )  # the saved weights, not random ones
    assert scorer.image_image(red, red) == pytest.approx(1.0, abs=1e-5)
    assert -1.0 <= scorer.image_image(red, blue) < 1.0
    text = scorer.image_text(red, "a red square")
    direction = scorer.directional(red, blue, "a red square", "a blue square")
    assert -1.0 <= text <= 1.0 and -1.0 <= direction <= 1.0

    (tmp_path / "broken.safetensors").write_bytes(b"not a checkpoint")
    with pytest.raises(ModelLoadError):
        ClipScorer.from_pretrained("nanoedit-test-tiny-clip", tmp_path / "broken.safetensors")


def test_clip_without_checkpoint_is_unavailable(monkeypatch):
    monkeypatch.delenv("NANOEDIT_CLIP_CHECKPOINT", raising=False)
    scorer, status = load_clip("ViT-B-32")
    assert scorer is None and status.startswith("unavailable")
    scorer, status = load_clip("ViT-B-32", "/nonexistent/clip.safetensors")
    assert scorer is None and "not found" in status


@pytest.mark.skipif(
    not I2EBENCH.is_dir(), reason="the I2EBench instruction files are not next to the repository"
)
def test_shipped_templates_are_what_the_benchmark_gives():
    templates = extract_templates(I2EBENCH)
    assert templates == load_templates()
    assert all(templates[op] for op in ("recolor", "remove", "replace", "background", "tone"))
    # ColorAlteration #1 pairs "brown" with a "black" paraphrase: a changed meaning, so it is dropped.
    assert all(t["source"] != "ColorAlteration/1" for t in templates["recolor"])
