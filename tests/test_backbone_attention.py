"""The linear-attention core: fp32 reference, chunked low-precision path, Triton kernel (interpreted on CPU)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest
import torch
from test_backbone_training import TINY

from nanoedit.backbone import LinearDiT, LinearDiTConfig, attention
from nanoedit.backbone.attention import relu_linear_attention


def padded_value_reference(q, k, v, heads):
    """diffusers' formulation: pad v with a row of ones, two matmuls, divide by the last row (fp32)."""
    batch, tokens, channels = q.shape
    q = q.float().relu().view(batch, tokens, heads, -1).permute(0, 2, 3, 1)  # B h d N
    k = k.float().relu().view(batch, tokens, heads, -1).permute(0, 2, 1, 3)  # B h N d
    v = torch.nn.functional.pad(v.float().view(batch, tokens, heads, -1).permute(0, 2, 3, 1), (0, 0, 0, 1), value=1.0)
    out = (v @ k) @ q
    out = out[:, :, :-1] / (out[:, :, -1:] + 1e-15)
    return out.flatten(1, 2).transpose(1, 2)


def qkv(dtype=torch.float32, batch=2, tokens=37, channels=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    fused = torch.randn(batch, tokens, 3 * channels, generator=gen).to(dtype)
    return fused.split(channels, dim=-1)  # strided views, as a fused projection would give


def test_fp32_matches_the_padded_formulation():
    q, k, v = qkv()
    expected = padded_value_reference(q, k, v, heads=4)
    got = relu_linear_attention(q.clone(), k.clone(), v, heads=4, backend="torch")
    assert (got - expected).abs().max() < 1e-5


def test_low_precision_accumulates_in_fp32_chunk_by_chunk(monkeypatch):
    monkeypatch.setattr(attention, "LOW_PRECISION_CHUNK", 8)  # several chunks, the last one partial
    q, k, v = qkv(torch.bfloat16)
    expected = padded_value_reference(q, k, v, heads=4)
    got = relu_linear_attention(q.clone(), k.clone(), v, heads=4, backend="torch")
    assert got.dtype == torch.bfloat16
    # only the output rounding to bf16 remains
    assert ((got.float() - expected).abs() / expected.abs().clamp_min(1e-2)).max() < 1e-2
    state = attention.linear_attention_state(k.relu(), v, heads=4)
    assert state.dtype == torch.float32 and state.shape == (2, 4, 16, 17)


def test_auto_backend_falls_back_to_torch_on_cpu():
    q, k, v = qkv()
    auto = relu_linear_attention(q.clone(), k.clone(), v, heads=4, backend="auto")
    torch_path = relu_linear_attention(q.clone(), k.clone(), v, heads=4, backend="torch")
    assert torch.equal(auto, torch_path)
    with pytest.raises(ValueError, match="backend"):
        relu_linear_attention(q.clone(), k.clone(), v, heads=4, backend="cuda-magic")


@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="triton not installed")
def test_triton_kernel_matches_torch_under_the_interpreter():
    script = textwrap.dedent(
        """
        import torch
        from nanoedit.backbone.attention import linear_attention_apply, linear_attention_state
        from nanoedit.backbone.triton_attention import triton_relu_linear_attention
        gen = torch.Generator().manual_seed(0)
        worst = 0.0
        for dtype, tokens, splits in ((torch.float32, 70, None), (torch.float32, 33, 3), (torch.bfloat16, 50, 2)):
            fused = torch.randn(2, tokens, 3 * 64, generator=gen).to(dtype)
            q, k, v = fused.split(64, dim=-1)
            q, k = q.relu(), k.relu()
            got = triton_relu_linear_attention(q, k, v, heads=2, block_n=16, splits=splits)
            ref = linear_attention_apply(q, linear_attention_state(k, v, 2), 2)
            assert got.dtype == dtype and got.shape == ref.shape
            tol = 1e-5 if dtype == torch.float32 else 2e-2
            err = ((got.float() - ref.float()).abs() / ref.float().abs().clamp_min(1e-2)).max().item()
            assert err < tol, (dtype, tokens, err)
        print("ok")
        """
    )
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]


def test_bf16_forward_tracks_fp32():
    torch.manual_seed(0)
    model = LinearDiT(LinearDiTConfig(**TINY)).eval()
    latents, text = torch.randn(1, 4, 8, 8), torch.randn(1, 3, 8)
    with torch.no_grad():
        full = model(latents, text, 500.0)
        half = model.to(torch.bfloat16)(latents.bfloat16(), text.bfloat16(), 500.0)
    assert half.dtype == torch.bfloat16
    assert (half.float() - full).abs().max() < 0.1 * full.abs().max()


@pytest.mark.slow
def test_compiled_blocks_match_eager():
    torch.manual_seed(0)
    model = LinearDiT(LinearDiTConfig(**TINY)).eval()
    latents, text, mask = torch.randn(2, 4, 8, 8), torch.randn(2, 3, 8), torch.tensor([[1, 1, 1], [1, 0, 0]])
    with torch.no_grad():
        eager = model(latents, text, 300.0, mask)
        compiled = model.compile_blocks()(latents, text, 300.0, mask)
    torch.testing.assert_close(compiled, eager, rtol=1e-4, atol=1e-5)
