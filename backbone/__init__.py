"""The diffusion backbone: a SANA-compatible linear DiT, flow-matching samplers, autoencoders, text encoders."""

from nanoedit.backbone.autoencoder import (
    Autoencoder,
    ConvAutoencoder,
    ConvAutoencoderConfig,
    DCAutoencoder,
    load_autoencoder,
)
from nanoedit.backbone.linear_dit import LinearDiT, LinearDiTConfig
from nanoedit.backbone.samplers import FlowDPMSolver, FlowEulerSampler, Guidance, generate
from nanoedit.backbone.text_encoder import GemmaTextEncoder, TextEncoder, ToyTextEncoder, ToyTextEncoderConfig
from nanoedit.backbone.training import drop_conditions, flow_matching_loss, sample_logit_normal

__all__ = [
    "Autoencoder",
    "ConvAutoencoder",
    "ConvAutoencoderConfig",
    "DCAutoencoder",
    "FlowDPMSolver",
    "FlowEulerSampler",
    "GemmaTextEncoder",
    "Guidance",
    "LinearDiT",
    "LinearDiTConfig",
    "TextEncoder",
    "ToyTextEncoder",
    "ToyTextEncoderConfig",
    "drop_conditions",
    "flow_matching_loss",
    "generate",
    "load_autoencoder",
    "sample_logit_normal",
]
