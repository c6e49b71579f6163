"""Triton kernels for the ReLU linear-attention core (CUDA; inference).

Two passes per (batch, head), reading q/k/v straight from the (B, N, heads*d) projection outputs:

1. ``_state_kernel``: ``kv = sum_n k_n^T v_n`` (d x d) and ``k_sum = sum_n k_n`` accumulated in fp32
   registers over token blocks; the tokens are split over ``SPLITS`` programs that add their partial
   sums atomically, so short sequences still fill the GPU.
2. ``_apply_kernel``: each token block computes ``(q kv) / (q . k_sum + eps)`` in fp32 and stores it in
   the output dtype.

Nothing of size N is ever materialised in fp32. The torch path in ``attention.py`` is the reference;
tests run these kernels on CPU under ``TRITON_INTERPRET=1``.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from nanoedit.backbone.attention import EPS


@triton.jit
def _state_kernel(
    k_ptr, v_ptr, kv_ptr, ksum_ptr, tokens, heads, stride_kb, stride_kn, stride_vb, stride_vn,
    D: tl.constexpr, BLOCK_N: tl.constexpr, TOKENS_PER_SPLIT: tl.constexpr,
):
    bh = tl.program_id(0)
    split = tl.program_id(1)
    b, h = bh // heads, bh % heads
    cols = tl.arange(0, D)
    kv = tl.zeros((D, D), dtype=tl.float32)
    ksum = tl.zeros((D,), dtype=tl.float32)
    start = split * TOKENS_PER_SPLIT
    for offset in range(0, TOKENS_PER_SPLIT, BLOCK_N):
        rows = start + offset + tl.arange(0, BLOCK_N)
        valid = rows[:, None] < tokens
        k = tl.load(k_ptr + b * stride_kb + rows[:, None] * stride_kn + h * D + cols[None, :], mask=valid, other=0.0)
        v = tl.load(v_ptr + b * stride_vb + rows[:, None] * stride_vn + h * D + cols[None, :], mask=valid, other=0.0)
        kv += tl.dot(tl.trans(k.to(tl.float32)), v.to(tl.float32))
        ksum += tl.sum(k.to(tl.float32), axis=0)
    base = bh * D * D
    tl.atomic_add(kv_ptr + base + cols[:, None] * D + cols[None, :], kv)
    tl.atomic_add(ksum_ptr + bh * D + cols, ksum)


@triton.jit
def _apply_kernel(
    q_ptr, kv_ptr, ksum_ptr, out_ptr, tokens, heads, stride_qb, stride_qn, stride_ob, stride_on, eps,
    D: tl.constexpr, BLOCK_N: tl.constexpr,
):
    bh = tl.program_id(0)
    b, h = bh // heads, bh % heads
    rows = tl.program_id(1) * BLOCK_N + tl.arange(0, BLOCK_N)
    cols = tl.arange(0, D)
    valid = rows[:, None] < tokens
    q = tl.load(q_ptr + b * stride_qb + rows[:, None] * stride_qn + h * D + cols[None, :], mask=valid, other=0.0)
    q = q.to(tl.float32)
    kv = tl.load(kv_ptr + bh * D * D + cols[:, None] * D + cols[None, :])
    ksum = tl.load(ksum_ptr + bh * D + cols)
    numerator = tl.dot(q, kv)
    denominator = tl.sum(q * ksum[None, :], axis=1)
    out = numerator / (denominator[:, None] + eps)
    tl.store(
        out_ptr + b * stride_ob + rows[:, None] * stride_on + h * D + cols[None, :],
        out.to(out_ptr.dtype.element_ty),
        mask=valid,
    )


def triton_relu_linear_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, block_n: int = 64, splits: int | None = None
) -> torch.Tensor:
    """Linear attention of already-ReLU'd (B, N, heads*d) q, k and v; d must be a power of two >= 16."""
    batch, tokens, channels = q.shape
    d = channels // heads
    if d < 16 or d & (d - 1):
        raise ValueError(f"the Triton kernel needs a power-of-two head dim >= 16, got {d}; use backend='torch'")
    for name, t in (("q", q), ("k", k), ("v", v)):
        if t.stride(-1) != 1:
            raise ValueError(f"{name} must have unit stride on channels")
    if splits is None:
        splits = max(1, min(triton.cdiv(tokens, block_n), 256 // max(1, batch * heads)))
    tokens_per_split = triton.cdiv(triton.cdiv(tokens, splits), block_n) * block_n
    splits = triton.cdiv(tokens, tokens_per_split)
    kv = torch.zeros(batch * heads, d, d, device=q.device, dtype=torch.float32)
    ksum = torch.zeros(batch * heads, d, device=q.device, dtype=torch.float32)
    _state_kernel[(batch * heads, splits)](
        k, v, kv, ksum, tokens, heads, k.stride(0), k.stride(1), v.stride(0), v.stride(1),
        D=d, BLOCK_N=block_n, TOKENS_PER_SPLIT=tokens_per_split,
    )
    out = torch.empty(batch, tokens, channels, device=q.device, dtype=q.dtype)
    _apply_kernel[(batch * heads, triton.cdiv(tokens, block_n))](
        q, kv, ksum, out, tokens, heads, q.stride(0), q.stride(1), out.stride(0), out.stride(1), EPS,
        D=d, BLOCK_N=block_n,
    )
    return out
