"""A peft LoRA takes effect on every Linear and conv of LinearDiT, including the fused fast paths.

The self-attention QKV and the Mix-FFN 1x1 convs run fused (stacked weights, convs as matmuls) when
no adapter is active; these tests make sure an adapter is never silently skipped: the output changes,
``lora_A``/``lora_B`` receive gradients, and merged (fused path, merged weights) equals unmerged (the
adapter's own forward).
"""

from __future__ import annotations

import pytest
import torch

from nanoedit.backbone import LinearDiT, LinearDiTConfig
from nanoedit.backbone.linear_dit import plain_layer

peft = pytest.importorskip("peft")

SMALL = dict(
    in_channels=4, out_channels=4, num_attention_heads=2, attention_head_dim=8, num_layers=2,
    num_cross_attention_heads=2, cross_attention_head_dim=8, cross_attention_dim=16, caption_channels=12,
    mlp_ratio=2.5, sample_size=8,
)
DEPTHWISE_CHANNELS = 2 * int(2.5 * 16)  # peft's depthwise-conv LoRA needs a rank divisible by the groups

# (peft target, config overrides): every Linear and Conv2d kind in the model.
TARGETS = [
    ("attn1.to_q", {}),
    ("attn1.to_k", {}),
    ("attn1.to_v", {}),
    ("attn1.to_out.0", {}),
    ("attn2.to_q", {}),
    ("attn2.to_k", {}),
    ("attn2.to_v", {}),
    ("attn2.to_out.0", {}),
    ("ff.conv_inverted", {}),
    ("ff.conv_depth", {}),
    ("ff.conv_point", {}),
    ("caption_projection.linear_1", {}),
    ("caption_projection.linear_2", {}),
    ("timestep_embedder.linear_1", {}),
    ("timestep_embedder.linear_2", {}),
    ("time_embed.linear", {}),
    ("guidance_embedder.linear_1", {"guidance_embeds": True}),
    ("guidance_embedder.linear_2", {"guidance_embeds": True}),
    ("proj_out", {}),
    ("patch_embed.proj", {}),
    ("attn1.to_q", {"attention_bias": True}),  # the fused QKV with biases
]


def make_inputs(batch=2, seed=1):
    gen = torch.Generator().manual_seed(seed)
    latents = torch.randn(batch, 4, 8, 8, generator=gen)
    text = torch.randn(batch, 5, 12, generator=gen)
    mask = torch.ones(batch, 5)
    mask[-1, 3:] = 0
    return latents, text, torch.tensor([700.0, 30.0])[:batch], mask


def base_model(**overrides) -> LinearDiT:
    torch.manual_seed(0)
    return LinearDiT(LinearDiTConfig(**{**SMALL, **overrides}))


def lora_model(target: str, **overrides):
    """A PeftModel with a LoRA on ``target`` whose ``lora_B`` is random (peft starts it at zero)."""
    rank = DEPTHWISE_CHANNELS if target == "ff.conv_depth" else 4
    config = peft.LoraConfig(r=rank, lora_alpha=rank, target_modules=[target])
    model = peft.get_peft_model(base_model(**overrides), config)
    torch.manual_seed(1)
    adapters = {name: p for name, p in model.named_parameters() if "lora_" in name}
    assert adapters, f"peft found no module named {target}"
    with torch.no_grad():
        for name, param in adapters.items():
            if "lora_B" in name:
                param.copy_(torch.randn_like(param) * 0.5)
    return model, adapters


def run(model, guidance, inputs):
    latents, text, timestep, mask = inputs
    return model(latents, text, timestep, mask, guidance=guidance)


@pytest.mark.parametrize(("target", "overrides"), TARGETS, ids=[t + "".join(o) for t, o in TARGETS])
def test_lora_changes_the_output_and_trains(single_thread, target, overrides):
    guidance = torch.tensor([4.0, 4.0]) if overrides.get("guidance_embeds") else None
    inputs = make_inputs()
    with torch.no_grad():
        before = run(base_model(**overrides), guidance, inputs)
    model, adapters = lora_model(target, **overrides)

    out = run(model, guidance, inputs)
    assert (out - before).abs().max() > 1e-3, f"a LoRA on {target} left the output unchanged"
    out.square().mean().backward()
    for name, param in adapters.items():
        assert param.grad is not None and param.grad.abs().sum() > 0, f"{name} got no gradient"

    with torch.no_grad():
        with model.disable_adapter():  # disabled: back to the base model, through the fused path
            torch.testing.assert_close(run(model, guidance, inputs), before, rtol=0, atol=1e-6)
        if target != "ff.conv_depth":  # peft cannot merge a LoRA into a grouped conv
            model.merge_adapter()
            merged = run(model, guidance, inputs)
            model.unmerge_adapter()
            torch.testing.assert_close(merged, out.detach(), rtol=1e-4, atol=1e-5)
            torch.testing.assert_close(run(model, guidance, inputs), out.detach(), rtol=1e-4, atol=1e-5)


def test_lora_on_every_target_at_once(single_thread):
    """diffusers' SANA LoRA recipe (attention projections + Mix-FFN convs) on all blocks together."""
    targets = ["to_q", "to_k", "to_v", "to_out.0", "conv_inverted", "conv_point"]
    inputs = make_inputs()
    with torch.no_grad():
        before = run(base_model(), None, inputs)
    model = peft.get_peft_model(base_model(), peft.LoraConfig(r=4, target_modules=targets))
    with torch.no_grad():
        torch.testing.assert_close(run(model, None, inputs), before)  # lora_B starts at zero
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(std=0.3)
        unmerged = run(model, None, inputs)
        model.merge_adapter()
        merged = run(model, None, inputs)
    assert (unmerged - before).abs().max() > 1e-3
    torch.testing.assert_close(merged, unmerged, rtol=1e-4, atol=1e-5)


def test_plain_layer_follows_peft_state():
    model, _ = lora_model("attn1.to_q")
    attention = model.base_model.model.transformer_blocks[0].attn1
    assert plain_layer(attention.to_k) is attention.to_k  # untouched projection: fused
    wrapped = attention.to_q
    assert plain_layer(wrapped) is None  # active, unmerged adapter: its forward must run
    model.merge_adapter()
    assert plain_layer(wrapped) is wrapped.base_layer
    model.unmerge_adapter()
    with model.disable_adapter():
        assert plain_layer(wrapped) is wrapped.base_layer
    handle = attention.to_k.register_forward_hook(lambda *args: None)
    assert plain_layer(attention.to_k) is None  # a user's hook must see its call
    handle.remove()
