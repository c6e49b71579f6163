"""LinearDiT: SANA's linear-attention diffusion transformer, written for speed and for editing.

Same architecture, config fields and state-dict keys as diffusers' ``SanaTransformer2DModel`` (so a
diffusers transformer folder loads with strict key matching, and ours saves one back), but laid out
for speed: tokens stay (B, N, C) end to end; the Mix-FFN's 1x1 convs run as matmuls on tokens and its
3x3 depthwise conv sees a channels-last view (no NCHW permute copies); LayerNorm + modulate and the
gated residuals are single fused ``addcmul`` ops; the linear attention never builds fp32 copies of
q/k/v or a padded v (see ``attention.py``); the cross-attention mask is one (B, 1, 1, L) bias, not a
per-head copy.

Adapters: every Linear and Conv2d may be wrapped by peft (LoRA etc.). The fused paths (stacked QKV,
1x1 convs as matmuls) read weights only while that computes exactly what the module would (a bare
layer, or a peft layer whose adapters are merged or disabled, see ``plain_layer``); otherwise the
module's own forward runs, so an adapter is never skipped.

Editing: ``expand_input_channels(n)`` widens the patch embedding for InstructPix2Pix-style
conditioning (source latent + mask concatenated to the noisy latent) with zero-initialised weights,
so a pretrained model behaves exactly as before until it is trained.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint

from nanoedit.backbone.attention import (
    drop_padding_tokens,
    relu_linear_attention,
    softmax_attention,
    text_attention_bias,
)
from nanoedit.backbone.checkpoint import PretrainedMixin, check_config_fields
from nanoedit.errors import ModelLoadError

logger = logging.getLogger(__name__)

WEIGHTS_NAME = "diffusion_pytorch_model.safetensors"
DIFFUSERS_CLASS = "SanaTransformer2DModel"
# diffusers applies SANA's qk-norm before splitting heads, so only the across-heads RMSNorm is meaningful.
QK_NORMS = (None, "rms_norm_across_heads")


@dataclass
class LinearDiTConfig:
    """The fields of diffusers' ``SanaTransformer2DModel`` config, with the same names and defaults."""

    in_channels: int = 32
    out_channels: int | None = 32
    num_attention_heads: int = 70
    attention_head_dim: int = 32
    num_layers: int = 20
    num_cross_attention_heads: int | None = 20
    cross_attention_head_dim: int | None = 112
    cross_attention_dim: int | None = 2240
    caption_channels: int = 2304
    mlp_ratio: float = 2.5
    dropout: float = 0.0
    attention_bias: bool = False
    sample_size: int = 32
    patch_size: int = 1
    norm_elementwise_affine: bool = False
    norm_eps: float = 1e-6
    interpolation_scale: float | None = None
    guidance_embeds: bool = False
    guidance_embeds_scale: float = 0.1
    qk_norm: str | None = None
    timestep_scale: float = 1.0

    def __post_init__(self):
        _check_config(self)
        self.out_channels = self.out_channels or self.in_channels
        if self.qk_norm not in QK_NORMS:
            raise ModelLoadError(f"qk_norm={self.qk_norm!r} is not supported; use one of {QK_NORMS}")
        if self.cross_attention_dim is None:
            raise ModelLoadError("cross_attention_dim=None (no text conditioning) is not supported by LinearDiT")

    @property
    def inner_dim(self) -> int:
        return self.num_attention_heads * self.attention_head_dim

    @classmethod
    def from_dict(cls, raw: dict) -> LinearDiTConfig:
        if not isinstance(raw, dict):
            raise ModelLoadError(f"a LinearDiT config is a mapping of fields, got {type(raw).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(k for k in raw if k not in known and not k.startswith("_"))
        if unknown:
            logger.warning("ignoring config fields LinearDiT does not know: %s", ", ".join(unknown))
        return cls(**{k: v for k, v in raw.items() if k in known})

    def to_dict(self) -> dict:
        return {"_class_name": DIFFUSERS_CLASS, **dataclasses.asdict(self)}


# Types come from the dataclass annotations; ranges bound what a config may ask to build (SANA 4.8B
# has 60 layers of 2240 channels), so a hostile config fails in microseconds, not after building.
CONFIG_LIMITS = {
    "in_channels": (1, 1024), "out_channels": (0, 1024), "num_attention_heads": (1, 512),
    "attention_head_dim": (1, 1024), "num_layers": (1, 256), "num_cross_attention_heads": (1, 512),
    "cross_attention_head_dim": (1, 1024), "cross_attention_dim": (1, 65536), "caption_channels": (1, 65536),
    "mlp_ratio": (0.01, 64), "dropout": (0, 1), "sample_size": (1, 8192), "patch_size": (1, 64),
    "norm_eps": (1e-12, 1), "interpolation_scale": (1e-6, 1e6), "guidance_embeds_scale": (-1e6, 1e6),
    "timestep_scale": (-1e6, 1e6),
}  # fmt: skip
MAX_INNER_DIM = 65536
MAX_PARAMETERS = 50e9


def _check_config(config: LinearDiTConfig) -> None:
    """Types and ranges of every field, then the size of what they would build, before building it."""
    check_config_fields(LinearDiTConfig, dataclasses.asdict(config), "LinearDiT config", CONFIG_LIMITS)
    unset = [k for k in ("num_cross_attention_heads", "cross_attention_head_dim") if getattr(config, k) is None]
    if unset:
        raise ModelLoadError(f"LinearDiT config: {' and '.join(unset)} null; the cross-attention needs them, give values")
    inner = config.num_attention_heads * config.attention_head_dim
    cross = (config.num_cross_attention_heads or 0) * (config.cross_attention_head_dim or 0)
    if inner > MAX_INNER_DIM or cross > MAX_INNER_DIM:
        raise ModelLoadError(
            f"LinearDiT config: heads x head dim = {max(inner, cross)} channels, over {MAX_INNER_DIM}; fix the config"
        )
    hidden = int(inner * config.mlp_ratio)
    per_layer = 4 * inner * inner + 2 * inner * max(cross, 1) + 3 * inner * hidden + 6 * inner
    estimate = config.num_layers * per_layer + config.caption_channels * inner
    if estimate > MAX_PARAMETERS:
        raise ModelLoadError(
            f"LinearDiT config describes ~{estimate / 1e9:.0f}B parameters, over {MAX_PARAMETERS / 1e9:.0f}B; fix the config"
        )


class RMSNorm(nn.Module):
    """RMSNorm over the last dim with a weight (and optional bias), as diffusers computes it."""

    def __init__(self, dim: int, eps: float, bias: bool = False):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + self.eps)
        x = x.to(self.weight.dtype) * self.weight
        return x if self.bias is None else x + self.bias


def timestep_sinusoids(t: torch.Tensor, dim: int = 256, max_period: float = 10000.0) -> torch.Tensor:
    """[cos | sin] features of (B,) timesteps (diffusers' ``flip_sin_to_cos=True``, shift 0)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class TimestepEmbedder(nn.Module):
    """Sinusoids -> Linear -> SiLU -> Linear (diffusers' ``TimestepEmbedding`` keys)."""

    def __init__(self, dim: int, frequency_dim: int = 256):
        super().__init__()
        self.linear_1 = nn.Linear(frequency_dim, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return self.linear_2(F.silu(self.linear_1(timestep_sinusoids(t).to(dtype))))


class TimeConditioning(nn.Module):
    """adaLN-single: one embedding of t (plus the guidance scale in SANA-Sprint) -> 6 modulation vectors.

    Returns ``(modulation (B, 6C), embedding (B, C))``; the embedding also modulates the final norm.
    """

    def __init__(self, dim: int, guidance: bool):
        super().__init__()
        if guidance:
            self.timestep_embedder = TimestepEmbedder(dim)
            self.guidance_embedder = TimestepEmbedder(dim)
        else:
            # diffusers' AdaLayerNormSingle keeps the embedder one level down, under `emb`.
            self.emb = nn.Module()
            self.emb.timestep_embedder = TimestepEmbedder(dim)
        self.linear = nn.Linear(dim, 6 * dim)

    def forward(self, t: torch.Tensor, guidance: torch.Tensor | None, dtype: torch.dtype):
        if hasattr(self, "guidance_embedder"):
            if guidance is None:
                raise ValueError("this model was trained with guidance embeds: pass guidance=<scale tensor>")
            embedding = self.timestep_embedder(t, dtype) + self.guidance_embedder(guidance, dtype)
        else:
            embedding = self.emb.timestep_embedder(t, dtype)
        return self.linear(F.silu(embedding)), embedding


class CaptionProjection(nn.Module):
    """Linear -> GELU(tanh) -> Linear from the text encoder width to the model width."""

    def __init__(self, in_features: int, dim: int):
        super().__init__()
        self.linear_1 = nn.Linear(in_features, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(F.gelu(self.linear_1(x), approximate="tanh"))


_PLAIN_LAYERS = (nn.Linear, nn.Conv2d)


def plain_layer(module: nn.Module) -> nn.Module | None:
    """The bare ``nn.Linear``/``nn.Conv2d`` whose weights alone compute ``module(x)``, or None.

    The fused paths (stacked QKV, Mix-FFN 1x1 convs as matmuls) read weights directly, which would skip
    whatever a wrapper adds. A bare layer is its own plain layer. A peft-wrapped one (it has a
    ``base_layer``) is plain exactly when peft's own forward would only call the base layer: adapters
    merged into its weights and enabled, or disabled and unmerged. Any forward hook, on the module or its
    base layer, also means the module must be called. A few attribute reads: free next to a matmul.
    """
    if module._forward_hooks or module._forward_pre_hooks:
        return None
    if type(module) in _PLAIN_LAYERS:
        return module
    base = getattr(module, "base_layer", None)
    if type(base) not in _PLAIN_LAYERS or base._forward_hooks or base._forward_pre_hooks:
        return None
    merged, disabled = bool(getattr(module, "merged", False)), bool(getattr(module, "disable_adapters", False))
    return base if merged != disabled else None


@contextlib.contextmanager
def lora_scale(model: nn.Module, scale: float):
    """Scale every active peft adapter layer of ``model`` by ``scale`` for a block (diffusers' ``scale``)."""
    if scale == 1.0:
        yield
        return
    from peft.tuners.tuners_utils import BaseTunerLayer

    layers = [m for m in model.modules() if isinstance(m, BaseTunerLayer)]
    for layer in layers:
        layer.scale_layer(scale)
    try:
        yield
    finally:
        for layer in layers:
            if scale != 0:
                layer.unscale_layer(scale)
            else:  # scaling by 0 cannot be divided out: reset to the adapters' configured scale
                for name in layer.active_adapters:
                    layer.set_scale(name, 1.0)


class Attention(nn.Module):
    """Projections for one attention (keys ``to_q/to_k/to_v/to_out.0``, optional ``norm_q/norm_k``)."""

    def __init__(self, dim: int, heads: int, head_dim: int, kv_dim: int, qkv_bias: bool, qk_norm: str | None):
        super().__init__()
        inner = heads * head_dim
        self.heads = heads
        self.to_q = nn.Linear(dim, inner, bias=qkv_bias)
        self.to_k = nn.Linear(kv_dim, inner, bias=qkv_bias)
        self.to_v = nn.Linear(kv_dim, inner, bias=qkv_bias)
        self.to_out = nn.ModuleList([nn.Linear(inner, dim)])
        # eps 1e-5 is diffusers' Attention default.
        self.norm_q = RMSNorm(inner, eps=1e-5) if qk_norm else None
        self.norm_k = RMSNorm(inner, eps=1e-5) if qk_norm else None

    def project(self, x: torch.Tensor, context: torch.Tensor):
        layers = (plain_layer(self.to_q), plain_layer(self.to_k), plain_layer(self.to_v)) if context is x else ()
        if layers and None not in layers:
            # Self-attention: one matmul over the stacked weights beats three (measured ~7% on CPU); the
            # stacking is redone per call (weights are small next to activations), so it is never stale.
            weight = torch.cat([layer.weight for layer in layers])
            bias = None if layers[0].bias is None else torch.cat([layer.bias for layer in layers])
            q, k, v = F.linear(x, weight, bias).split(layers[0].out_features, dim=-1)
        else:  # cross-attention, or an active adapter/hook on a projection: its own forward must run
            q, k, v = self.to_q(x), self.to_k(context), self.to_v(context)
        if self.norm_q is not None:
            q, k = self.norm_q(q), self.norm_k(k)
        return q, k, v


class MixFFN(nn.Module):
    """GLUMBConv: 1x1 expand -> SiLU -> 3x3 depthwise -> GLU gate -> 1x1 project, on (B, N, C) tokens.

    Parameters keep diffusers' conv shapes (keys ``conv_inverted``, ``conv_depth``, ``conv_point``); the
    1x1 convs run as matmuls on their flattened weights and the depthwise conv on a channels-last view.
    A 1x1 conv with an active adapter (peft LoRA) runs its own forward on that channels-last view instead.
    """

    def __init__(self, dim: int, mlp_ratio: float):
        super().__init__()
        hidden = int(mlp_ratio * dim)
        self.conv_inverted = nn.Conv2d(dim, 2 * hidden, 1)
        self.conv_depth = nn.Conv2d(2 * hidden, 2 * hidden, 3, padding=1, groups=2 * hidden)
        self.conv_point = nn.Conv2d(hidden, dim, 1, bias=False)

    def forward(self, x: torch.Tensor, height: int, width: int) -> torch.Tensor:
        x = F.silu(pointwise(self.conv_inverted, x, height, width), inplace=True)
        x = channels_last_conv(self.conv_depth, x, height, width)
        value, gate = x.chunk(2, dim=-1)
        return pointwise(self.conv_point, value * F.silu(gate), height, width)


def channels_last_conv(conv: nn.Module, x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """``conv`` over (B, N, C) tokens seen as an NCHW view of channels-last memory (no permute copies)."""
    batch, tokens, _ = x.shape
    spatial = x.view(batch, height, width, -1).permute(0, 3, 1, 2)
    return conv(spatial).permute(0, 2, 3, 1).reshape(batch, tokens, -1)


def pointwise(conv: nn.Module, x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """A 1x1 conv on (B, N, C) tokens: one matmul on the flattened weight, or the module's own forward
    (on a channels-last view) when an adapter or hook is active on it."""
    layer = plain_layer(conv)
    if layer is None:
        return channels_last_conv(conv, x, height, width)
    return F.linear(x, layer.weight.flatten(1), layer.bias)


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return torch.addcmul(shift, x, 1 + scale)


class LinearDiTBlock(nn.Module):
    """adaLN-modulated ReLU linear self-attention, cross-attention to text, gated Mix-FFN."""

    def __init__(self, config: LinearDiTConfig):
        super().__init__()
        dim = config.inner_dim
        self.norm_eps = config.norm_eps
        self.attn1 = Attention(
            dim, config.num_attention_heads, config.attention_head_dim, dim, config.attention_bias, config.qk_norm
        )
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=config.norm_elementwise_affine, eps=config.norm_eps)
        self.attn2 = Attention(
            dim,
            config.num_cross_attention_heads,
            config.cross_attention_head_dim,
            config.cross_attention_dim,
            True,
            config.qk_norm,
        )
        self.ff = MixFFN(dim, config.mlp_ratio)
        self.scale_shift_table = nn.Parameter(torch.randn(6, dim) / dim**0.5)
        self.attention_backend = "auto"

    def forward(self, x, text, text_bias, modulation, height: int, width: int) -> torch.Tensor:
        batch, _, dim = x.shape
        mods = (self.scale_shift_table[None] + modulation.view(batch, 6, dim)).unsqueeze(2).unbind(1)
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = mods

        h = modulate(F.layer_norm(x, (dim,), eps=self.norm_eps), shift_msa, scale_msa)
        q, k, v = self.attn1.project(h, h)
        h = relu_linear_attention(q, k, v, self.attn1.heads, backend=self.attention_backend)
        x = torch.addcmul(x, gate_msa, self.attn1.to_out[0](h))

        q, k, v = self.attn2.project(x, text)
        x = x + self.attn2.to_out[0](softmax_attention(q, k, v, self.attn2.heads, text_bias))

        h = modulate(self.norm2(x), shift_mlp, scale_mlp)
        return torch.addcmul(x, gate_mlp, self.ff(h, height, width))


class PatchEmbed(nn.Module):
    """Conv patchify (key ``proj``); adds 2-D sin-cos positions only when ``interpolation_scale`` is set."""

    def __init__(self, config: LinearDiTConfig):
        super().__init__()
        p = config.patch_size
        self.proj = nn.Conv2d(config.in_channels, config.inner_dim, kernel_size=p, stride=p)
        self.interpolation_scale = config.interpolation_scale
        self.base_size = config.sample_size // p
        self._positions: dict[tuple, torch.Tensor] = {}

    def positions(self, height: int, width: int, device: torch.device) -> torch.Tensor:
        """(H*W, C) sin-cos table: first half encodes the column, second half the row (diffusers' order)."""
        key = (height, width, device)
        if key not in self._positions:
            dim = self.proj.out_channels
            rows = torch.arange(height, dtype=torch.float32, device=device) / (height / self.base_size)
            cols = torch.arange(width, dtype=torch.float32, device=device) / (width / self.base_size)
            rows, cols = rows / self.interpolation_scale, cols / self.interpolation_scale
            grid_rows, grid_cols = torch.meshgrid(rows, cols, indexing="ij")
            dtype = torch.float64 if device.type != "mps" else torch.float32
            omega = 1.0 / 10000 ** (torch.arange(dim // 4, dtype=dtype, device=device) / (dim / 4))

            def encode(pos):
                angles = pos.reshape(-1, 1).to(dtype) * omega[None]
                return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)

            self._positions[key] = torch.cat([encode(grid_cols), encode(grid_rows)], dim=1).float()
        return self._positions[key]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # A channels-last conv output flattens to contiguous (B, N, C) tokens for free; an NCHW one would
        # leave the whole residual stream transposed, and every LayerNorm and matmul would copy it.
        x = self.proj(x.contiguous(memory_format=torch.channels_last))
        height, width = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)
        if self.interpolation_scale is None:
            return x
        return (x + self.positions(height, width, x.device)).to(x.dtype)


@dataclass
class LinearDiTOutput:
    """What diffusers' ``Transformer2DModelOutput`` offers: ``.sample``, ``out[0]``, ``out["sample"]``."""

    sample: torch.Tensor

    def __getitem__(self, key: int | str) -> torch.Tensor:
        if key in (0, "sample"):
            return self.sample
        raise KeyError(key)

    def to_tuple(self) -> tuple[torch.Tensor]:
        return (self.sample,)


def _either(ours: str, value, theirs: str, alias):
    if value is not None and alias is not None:
        raise TypeError(f"pass {ours}= or diffusers' {theirs}=, not both")
    return value if value is not None else alias


class LinearDiT(PretrainedMixin, nn.Module):
    """SANA-architecture linear DiT. ``forward(latents, text, timestep, text_mask=None, guidance=None)``.

    latents (B, in_channels, H, W); text (B, L, caption_channels) from the text encoder; timestep (B,)
    or a scalar on diffusers' 0..1000 scale; text_mask (B, L) with 1 = real token. Returns the velocity
    (B, out_channels, H, W).

    Also a drop-in for diffusers' ``SanaTransformer2DModel`` (``pipe.transformer = LinearDiT.from_pretrained(
    folder, subfolder="transformer")``): ``forward`` takes diffusers' keywords, and ``config``, ``dtype`` and
    ``device`` are what ``SanaPipeline`` reads.
    """

    config_class = LinearDiTConfig
    weights_name = WEIGHTS_NAME

    def __init__(self, config: LinearDiTConfig):
        super().__init__()
        self.config = config
        dim = config.inner_dim
        self.patch_embed = PatchEmbed(config)
        self.time_embed = TimeConditioning(dim, config.guidance_embeds)
        self.caption_projection = CaptionProjection(config.caption_channels, dim)
        self.caption_norm = RMSNorm(dim, eps=1e-5)
        self.transformer_blocks = nn.ModuleList(LinearDiTBlock(config) for _ in range(config.num_layers))
        self.scale_shift_table = nn.Parameter(torch.randn(2, dim) / dim**0.5)
        self.proj_out = nn.Linear(dim, config.patch_size**2 * config.out_channels)
        self.gradient_checkpointing = False

    @property
    def dtype(self) -> torch.dtype:
        return self.proj_out.weight.dtype

    @property
    def device(self) -> torch.device:
        return self.proj_out.weight.device

    def set_attention_backend(self, backend: str) -> None:
        """``"auto"`` (Triton on CUDA when available), ``"torch"``, ``"triton"``, or ``"softmax"`` (baseline)."""
        for block in self.transformer_blocks:
            block.attention_backend = backend

    def compile_blocks(self, **compile_kwargs) -> LinearDiT:
        """Regional ``torch.compile``: each block compiled once (they share one graph), fast to warm up."""
        for block in self.transformer_blocks:
            block.compile(**compile_kwargs)
        return self

    def forward(
        self,
        latents: torch.Tensor | None = None,
        text: torch.Tensor | None = None,
        timestep: torch.Tensor | float | None = None,
        text_mask: torch.Tensor | None = None,
        guidance: torch.Tensor | float | None = None,
        *,
        hidden_states: torch.Tensor | None = None,
        encoder_hidden_states: torch.Tensor | None = None,
        encoder_attention_mask: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        attention_kwargs: dict[str, Any] | None = None,
        controlnet_block_samples: tuple[torch.Tensor, ...] | None = None,
        return_dict: bool | None = None,
    ) -> torch.Tensor | LinearDiTOutput | tuple[torch.Tensor]:
        """The velocity for ``latents``; also answers diffusers' ``SanaTransformer2DModel.forward`` call.

        diffusers' names are keyword aliases: ``hidden_states`` (latents), ``encoder_hidden_states``
        (text), ``encoder_attention_mask`` (text_mask; a (B, L) mask or diffusers' (B, 1, L) bias).
        Positional arguments keep our order (the 4th is text_mask, not guidance). ``attention_mask``
        (on image tokens) is ignored, as diffusers' SANA ignores it; ``attention_kwargs={"scale": s}``
        scales active peft LoRA layers for this call, as diffusers does; ``controlnet_block_samples`` are
        added after blocks 1..n. Returns the tensor for our call; for a diffusers call (any of its
        keywords given) diffusers' convention: ``return_dict`` (default True) gives an object with
        ``.sample``, ``return_dict=False`` a 1-tuple.
        """
        diffusers_call = any(
            v is not None
            for v in (hidden_states, encoder_hidden_states, encoder_attention_mask, attention_mask,
                      attention_kwargs, controlnet_block_samples, return_dict)
        )
        latents = _either("latents", latents, "hidden_states", hidden_states)
        text = _either("text", text, "encoder_hidden_states", encoder_hidden_states)
        text_mask = _either("text_mask", text_mask, "encoder_attention_mask", encoder_attention_mask)
        if latents is None or text is None or timestep is None:
            raise TypeError("LinearDiT.forward needs latents, text and timestep")
        if text_mask is not None and text_mask.ndim == 3:  # diffusers' bias (1 - mask) * -10000, (B, 1, L)
            text_mask = 1 + text_mask.reshape(text_mask.shape[0], -1).float() / 10000.0
        scale = 1.0 if attention_kwargs is None else float(attention_kwargs.get("scale", 1.0))
        with lora_scale(self, scale):
            sample = self._forward(latents, text, timestep, text_mask, guidance, controlnet_block_samples)
        if not diffusers_call:
            return sample
        return LinearDiTOutput(sample) if return_dict is None or return_dict else (sample,)

    def _forward(self, latents, text, timestep, text_mask, guidance, controlnet_block_samples) -> torch.Tensor:
        batch, _, height, width = latents.shape
        p = self.config.patch_size
        grid_h, grid_w = height // p, width // p
        timestep = torch.as_tensor(timestep, device=latents.device).reshape(-1).expand(batch)
        if guidance is not None:
            guidance = torch.as_tensor(guidance, device=latents.device).reshape(-1).expand(batch)

        x = self.patch_embed(latents)
        modulation, embedding = self.time_embed(timestep, guidance, x.dtype)
        text, text_mask = drop_padding_tokens(text, text_mask)
        text = self.caption_norm(self.caption_projection(text))
        text_bias = text_attention_bias(text_mask, x.dtype)

        residuals = controlnet_block_samples or ()
        for index, block in enumerate(self.transformer_blocks):
            if self.gradient_checkpointing and torch.is_grad_enabled():
                x = checkpoint(block, x, text, text_bias, modulation, grid_h, grid_w, use_reentrant=False)
            else:
                x = block(x, text, text_bias, modulation, grid_h, grid_w)
            if 0 < index <= len(residuals):
                x = x + residuals[index - 1]

        shift, scale = (self.scale_shift_table[None] + embedding[:, None]).chunk(2, dim=1)
        x = self.proj_out(modulate(F.layer_norm(x, (x.shape[-1],), eps=1e-6), shift, scale))
        x = x.reshape(batch, grid_h, grid_w, p, p, -1).permute(0, 5, 1, 3, 2, 4)
        return x.reshape(batch, -1, grid_h * p, grid_w * p)

    # --- editing -------------------------------------------------------------------------------------

    @torch.no_grad()
    def expand_input_channels(self, extra: int) -> LinearDiT:
        """Add ``extra`` input channels (source latent, mask, ...) whose weights start at zero.

        The new channels contribute nothing until trained, so outputs are unchanged for any values in them.
        """
        old = self.patch_embed.proj
        new = nn.Conv2d(
            old.in_channels + extra, old.out_channels, old.kernel_size, old.stride, device=old.weight.device,
            dtype=old.weight.dtype,
        )
        new.weight.zero_()
        new.weight[:, : old.in_channels] = old.weight
        new.bias.copy_(old.bias)
        self.patch_embed.proj = new
        self.config.in_channels += extra
        return self

    # --- loading and saving: from_pretrained / save_pretrained come from PretrainedMixin (diffusers'
    # transformer folder format: config.json + diffusion_pytorch_model*.safetensors, sharded or not).

    @classmethod
    def from_config(cls, config: LinearDiTConfig | dict, **overrides) -> LinearDiT:
        if isinstance(config, dict):
            config = LinearDiTConfig.from_dict({**config, **overrides})
        elif overrides:
            config = dataclasses.replace(config, **overrides)
        return cls(config)
