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


def _per_head(tokens: torch.Tensor, heads: int) -> torch.Tensor:
    """(N, heads*d) rows of one batch item -> (heads, N, d) as a strided view.

    ``bmm`` reads these strides as they are (each head is a matrix with row stride heads*d), whereas a 4-D
    (B, heads, N, d) view would be copied by ``matmul`` to fold batch and heads into one dim.
    """
    count, channels = tokens.shape
    return tokens.view(count, heads, channels // heads).transpose(0, 1)


def linear_attention_state(k: torch.Tensor, v: torch.Tensor, heads: int) -> torch.Tensor:
    """fp32 ``[kv | k_sum]`` per head: (B, heads, d_k, d_v + 1), from ReLU'd keys ``k`` and values ``v``."""
    batch, tokens, _ = k.shape
    chunk = tokens if k.dtype == torch.float32 else LOW_PRECISION_CHUNK
    states = []
    for b in range(batch):
        state = None
        for start in range(0, tokens, chunk):
            k_c = k[b, start : start + chunk].float()  # a no-op in fp32
            kv = torch.bmm(_per_head(k_c, heads).transpose(1, 2), _per_head(v[b, start : start + chunk].float(), heads))
            k_sum = k_c.view(k_c.shape[0], heads, -1).sum(dim=0)
            part = torch.cat([kv, k_sum.unsqueeze(-1)], dim=-1)
            state = part if state is None else state + part
        states.append(state)
    return torch.stack(states)


def linear_attention_apply(q: torch.Tensor, state: torch.Tensor, heads: int, eps: float = EPS) -> torch.Tensor:
    """Queries (B, N, heads*d) against ``state`` -> (B, N, heads*d_v) in q's dtype."""
    batch, tokens, _ = q.shape
    chunk = tokens if q.dtype == torch.float32 else LOW_PRECISION_CHUNK
    d_v = state.shape[-1] - 1
    out = q.new_empty(batch, tokens, heads * d_v)
    for b in range(batch):
        for start in range(0, tokens, chunk):
            num_den = torch.bmm(_per_head(q[b, start : start + chunk].float(), heads), state[b])
            num, den = num_den[..., :d_v], num_den[..., d_v:] + eps
            target = _per_head(out[b, start : start + chunk], heads)
            if num.requires_grad:  # out= has no autograd; the copy costs one extra pass when training
                target.copy_(num / den)
            else:  # the division writes token-major output directly, no transpose copy
                torch.div(num, den, out=target)
    return out


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

    ``q`` and ``k`` are rectified in place when no gradient flows through them: pass fresh projection
    outputs (as the DiT does), not tensors you still need. ``backend``: ``"torch"``, ``"triton"`` (CUDA only) or ``"auto"``; ``"softmax"`` swaps in
    quadratic softmax attention (a baseline for benchmarks, not SANA).
    """
    if backend == "softmax":
        return softmax_attention(q, k, v, heads)
    # In place saves two passes at inference; autograd forbids it on the views a fused projection returns.
    inplace = not (q.requires_grad or k.requires_grad)
    q, k = F.relu(q, inplace=inplace), F.relu(k, inplace=inplace)
    if backend == "triton" or (backend == "auto" and _triton_available(q) and not torch.is_grad_enabled()):
        from nanoedit.backbone.triton_attention import triton_relu_linear_attention

        return triton_relu_linear_attention(q, k, v, heads)
    if backend not in ("auto", "torch"):
        raise ValueError(f"unknown attention backend {backend!r}; use 'auto', 'torch', 'triton' or 'softmax'")
    return linear_attention_apply(q, linear_attention_state(k, v, heads), heads)


def drop_padding_tokens(text: torch.Tensor, mask: torch.Tensor | None):
    """Drop the text positions that are padding in every prompt of the batch; returns ``(text, mask)``.

    Prompts are padded to a fixed length (300 tokens for SANA) but are usually far shorter. A padded key
    gets a -10000 bias, so its softmax weight is exp(-10000) = 0 exactly, in fp32 and in bf16: removing it
    changes no output, and it saves projecting, normalising and attending to it. The mask becomes None
    when nothing padded is left. A prompt with no real token at all keeps everything (under diffusers'
    finite bias it averages over every position). Needs the mask's values on the host, so it is skipped
    under ``torch.compile``.
    """
    if mask is None or torch.compiler.is_compiling():
        return text, mask
    real = mask != 0
    keep = real.any(dim=0)
    if bool(keep.all()) or not bool(real.any(dim=1).all()):
        return text, mask
    columns = keep.nonzero().squeeze(1)
    text, mask = text[:, columns], mask[:, columns]
    return text, None if bool((mask == 1).all()) else mask


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
