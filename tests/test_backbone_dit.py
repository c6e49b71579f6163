"""LinearDiT against diffusers' SanaTransformer2DModel: same weights, same outputs (fp32, <= 1e-5)."""

from __future__ import annotations

import json

import pytest
import torch

from nanoedit.backbone import LinearDiT, LinearDiTConfig
from nanoedit.errors import ModelLoadError

diffusers = pytest.importorskip("diffusers")

TOLERANCE = 1e-5

SMALL = dict(
    in_channels=4,
    out_channels=4,
    num_attention_heads=2,
    attention_head_dim=8,
    num_layers=2,
    num_cross_attention_heads=2,
    cross_attention_head_dim=8,
    cross_attention_dim=16,
    caption_channels=12,
    mlp_ratio=2.5,
    sample_size=8,
    patch_size=1,
)


def perturbed_diffusers_model(seed: int = 0, **overrides):
    """A diffusers SANA transformer whose every parameter is random (norm weights are not all ones)."""
    torch.manual_seed(seed)
    model = diffusers.SanaTransformer2DModel(**{**SMALL, **overrides}).eval()
    with torch.no_grad():
        for param in model.parameters():
            param.add_(torch.randn_like(param) * 0.2)
    return model


def inputs(batch=2, height=8, width=8, channels=4, text_len=5, caption=12, seed=1):
    gen = torch.Generator().manual_seed(seed)
    latents = torch.randn(batch, channels, height, width, generator=gen)
    text = torch.randn(batch, text_len, caption, generator=gen)
    timestep = torch.tensor([999.0, 125.5])[:batch]
    mask = torch.ones(batch, text_len)
    mask[-1, 2:] = 0  # the last prompt is padded
    return latents, text, timestep, mask


def compare(tmp_path, diffusers_model, latents, text, timestep, mask, guidance=None, shard=None):
    folder = tmp_path / "transformer"
    diffusers_model.save_pretrained(folder, max_shard_size=shard) if shard else diffusers_model.save_pretrained(
        folder
    )
    ours = LinearDiT.from_pretrained(folder)
    extra = {"guidance": guidance} if guidance is not None else {}
    with torch.no_grad():
        expected = diffusers_model(latents, text, timestep, encoder_attention_mask=mask, **extra).sample
        got = ours(latents, text, timestep, text_mask=mask, **extra)
    assert got.shape == expected.shape
    diff = (got - expected).abs().max().item()
    assert diff <= TOLERANCE, diff
    return ours


@pytest.mark.parametrize(
    "overrides, size",
    [
        ({}, (8, 8)),
        ({}, (6, 10)),  # non-square latents
        ({"patch_size": 2, "attention_bias": True}, (8, 12)),
        ({"interpolation_scale": 1.0}, (8, 8)),  # stored sin-cos grid size
        ({"interpolation_scale": 2.0}, (6, 10)),  # grid recomputed for another size
        ({"norm_elementwise_affine": True, "mlp_ratio": 3.0}, (8, 8)),
    ],
)
def test_matches_diffusers(tmp_path, overrides, size):
    model = perturbed_diffusers_model(**overrides)
    compare(tmp_path, model, *inputs(height=size[0], width=size[1]))


def test_matches_diffusers_qk_norm_and_guidance(tmp_path):
    model = perturbed_diffusers_model(qk_norm="rms_norm_across_heads", guidance_embeds=True)
    compare(tmp_path, model, *inputs(height=6, width=8), guidance=torch.tensor([4.5, 0.5]))


def test_sharded_checkpoint_loads_and_round_trips(tmp_path):
    model = perturbed_diffusers_model()
    data = inputs()
    ours = compare(tmp_path, model, *data, shard="20KB")
    assert len(list((tmp_path / "transformer").glob("*.safetensors"))) > 1
    ours.save_pretrained(tmp_path / "ours", max_shard_bytes=20_000)
    assert (tmp_path / "ours" / "diffusion_pytorch_model.safetensors.index.json").is_file()
    back = diffusers.SanaTransformer2DModel.from_pretrained(tmp_path / "ours").eval()
    latents, text, timestep, mask = data
    with torch.no_grad():
        assert torch.equal(
            back(latents, text, timestep, encoder_attention_mask=mask).sample,
            model(latents, text, timestep, encoder_attention_mask=mask).sample,
        )


def test_strict_loading_names_the_bad_keys(tmp_path):
    perturbed_diffusers_model().save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config["num_layers"] = 3
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="missing.*transformer_blocks.2"):
        LinearDiT.from_pretrained(tmp_path)
    with pytest.raises(ModelLoadError, match="config.json"):
        LinearDiT.from_pretrained(tmp_path / "nowhere")


def test_expand_input_channels_leaves_outputs_unchanged():
    torch.manual_seed(0)
    model = LinearDiT(LinearDiTConfig(**SMALL)).eval()
    latents, text, timestep, mask = inputs()
    with torch.no_grad():
        before = model(latents, text, timestep, mask)
        model.expand_input_channels(5)
        condition = torch.randn(2, 5, 8, 8)
        after = model(torch.cat([latents, condition], dim=1), text, timestep, mask)
    assert model.config.in_channels == 9 and model.config.out_channels == 4
    assert torch.equal(before, after)
    # the new weights are real parameters that train
    assert model.patch_embed.proj.weight.requires_grad


def test_gradient_checkpointing_gives_the_same_gradients():
    torch.manual_seed(0)
    model = LinearDiT(LinearDiTConfig(**SMALL))
    latents, text, timestep, mask = inputs()
    grads = []
    for flag in (False, True):
        model.zero_grad()
        model.gradient_checkpointing = flag
        model(latents, text, timestep, mask).square().mean().backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters()]))
    torch.testing.assert_close(grads[0], grads[1])
