"""The diffusion backbone: a SANA-compatible linear DiT, flow-matching samplers, autoencoders, text encoders."""

from nanoedit.backbone.linear_dit import LinearDiT, LinearDiTConfig

__all__ = ["LinearDiT", "LinearDiTConfig"]
