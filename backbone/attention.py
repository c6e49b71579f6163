"""Attention cores of the linear DiT: SANA's ReLU linear self-attention and masked cross-attention.

ReLU linear attention (SANA, eq. 2) for one head, with q, k >= 0 after the ReLU:

    out_n = (sum_m v_m k_m^T) q_n / ((sum_m k_m)^T q_n + eps)

``kv = sum_m k_m v_m^T`` (d x d) and ``k_sum = sum_m k_m`` (d) are shared by every query, so the cost is
linear in the number of tokens. Both sums are accumulated in fp32 straight from the projection outputs:
in fp32 the inputs are used as they are; in fp16/bf16 tokens are upcast one chunk at a time, so no fp32
copy of q, k or v (and no padded v, which diffusers builds to get the denominator) ever exists at full
length. The denominator rides along as one extra column of ``kv`` (d x (d+1)), a few hundred floats.

On CUDA, ``backend="triton"`` (or the default ``"auto"`` when Triton imports) runs the same two passes
as Triton kernels (``backbone/triton_attention.py``); the torch path below is the reference and the
fallback everywhere else.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

# Tokens upcast at once in the low-precision path: bounds the fp32 scratch to chunk x channels.
LOW_PRECISION_CHUNK = 4096
# diffusers' denominator epsilon; kept so our outputs match it bit for bit in spirit (and to 1e-6 in fact).
EPS = 1e-15


def _heads_first(x: torch.Tensor, heads: int) -> torch.Tensor:
    """(B, N, heads*d) -> (B, heads, N, d) as a view."""
    batch, tokens, channels = x.shape
    return x.view(batch, tokens, heads, channels // heads).transpose(1, 2)


def linear_attention_state(k: torch.Tensor, v: torch.Tensor, heads: int) -> torch.Tensor:
    """fp32 ``[kv | k_sum]`` per head: (B, heads, d_k, d_v + 1), from ReLU'd keys ``k`` and values ``v``."""
    k, v = _heads_first(k, heads), _heads_first(v, heads)
    tokens = k.shape[2]
    chunk = tokens if k.dtype == torch.float32 else LOW_PRECISION_CHUNK
    state = None
    for start in range(0, tokens, chunk):
        k_c = k[:, :, start : start + chunk].float()
        v_c = v[:, :, start : start + chunk].float()
        kv = k_c.transpose(-1, -2) @ v_c
        part = torch.cat([kv, k_c.sum(dim=2).unsqueeze(-1)], dim=-1)
        state = part if state is None else state + part
    return state


def linear_attention_apply(q: torch.Tensor, state: torch.Tensor, heads: int, eps: float = EPS) -> torch.Tensor:
    """Queries (B, N, heads*d) against ``state`` -> (B, N, heads*d_v) in q's dtype."""
    batch, tokens, _ = q.shape
    q = _heads_first(q, heads)
    chunk = tokens if q.dtype == torch.float32 else LOW_PRECISION_CHUNK
    d_v = state.shape[-1] - 1
    out = q.new_empty(batch, tokens, heads, d_v)
    for start in range(0, tokens, chunk):
        num_den = q[:, :, start : start + chunk].float() @ state
        normed = num_den[..., :d_v] / (num_den[..., d_v:] + eps)
        out[:, start : start + chunk] = normed.transpose(1, 2)
    return out.view(batch, tokens, heads * d_v)


def _triton_available(x: torch.Tensor) -> bool:
    if x.device.type != "cuda":
        return False
    try:
        from nanoedit.backbone import triton_attention  # noqa: F401
    except ImportError:
        return False
    return True


def relu_linear_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, backend: str = "auto"
) -> torch.Tensor:
    """ReLU linear attention over (B, N, heads*d) projections; returns (B, N, heads*d) in q's dtype.

    ``q`` and ``k`` are rectified in place: pass fresh projection outputs (as the DiT does), not tensors
    you still need. ``backend``: ``"torch"``, ``"triton"`` (CUDA only) or ``"auto"``; ``"softmax"`` swaps in
    quadratic softmax attention (a baseline for benchmarks, not SANA).
    """
    if backend == "softmax":
        return softmax_attention(q, k, v, heads)
    q, k = F.relu(q, inplace=True), F.relu(k, inplace=True)
    if backend == "triton" or (backend == "auto" and _triton_available(q) and not torch.is_grad_enabled()):
        from nanoedit.backbone.triton_attention import triton_relu_linear_attention

        return triton_relu_linear_attention(q, k, v, heads)
    if backend not in ("auto", "torch"):
        raise ValueError(f"unknown attention backend {backend!r}; use 'auto', 'torch', 'triton' or 'softmax'")
    return linear_attention_apply(q, linear_attention_state(k, v, heads), heads)


def text_attention_bias(mask: torch.Tensor | None, dtype: torch.dtype) -> torch.Tensor | None:
    """Text padding mask (B, L), 1 = keep, -> additive bias (B, 1, 1, L) shared by all heads and queries.

    Uses diffusers' finite -10000 rather than -inf so an all-padding row stays finite (a uniform average).
    """
    if mask is None:
        return None
    return ((1 - mask.to(dtype)) * -10000.0)[:, None, None, :]


def softmax_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, bias: torch.Tensor | None = None
) -> torch.Tensor:
    """Softmax attention of (B, N, C) queries over (B, L, C) keys/values with an optional broadcast bias.

    The DiT's cross-attention to text; also the quadratic self-attention baseline (backend ``"softmax"``).
    """
    batch, tokens, channels = q.shape
    out = F.scaled_dot_product_attention(
        _heads_first(q, heads), _heads_first(k, heads), _heads_first(v, heads), attn_mask=bias
    )
    return out.transpose(1, 2).reshape(batch, tokens, channels)
