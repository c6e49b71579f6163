"""Autoencoders behind one interface: images in [-1, 1] (NCHW) <-> scaled latents.

``ConvAutoencoder`` is the small trainable one the toy world uses (64x64 -> 8x8 by default);
``DCAutoencoder`` wraps diffusers' ``AutoencoderDC`` (SANA's 32x deep-compression AE) from a local folder.
``load_autoencoder(folder)`` picks the right one from ``config.json``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from nanoedit.backbone.checkpoint import PretrainedMixin, check_weights_folder, read_config
from nanoedit.errors import ModelLoadError


class Autoencoder(nn.Module):
    """``encode(images) -> latents * scaling_factor``; ``decode(latents) -> images``.

    Subclasses set ``latent_channels``, ``downsample_factor``, ``scaling_factor`` and define the unscaled
    ``_encode`` / ``_decode``.
    """

    latent_channels: int
    downsample_factor: int
    scaling_factor: float

    def _encode(self, images: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _decode(self, latents: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        height, width = images.shape[-2:]
        if height % self.downsample_factor or width % self.downsample_factor:
            raise ValueError(
                f"image size {height}x{width} is not a multiple of {self.downsample_factor}; resize or pad it"
            )
        return self._encode(images) * self.scaling_factor

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return self._decode(latents / self.scaling_factor)


@dataclass
class ConvAutoencoderConfig:
    in_channels: int = 3
    latent_channels: int = 4
    base_channels: int = 32
    num_downsamples: int = 3
    scaling_factor: float = 1.0


def _conv_block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.GroupNorm(8, c_out), nn.SiLU())


class ConvAutoencoder(PretrainedMixin, Autoencoder):
    """A small deterministic conv autoencoder: strided-conv encoder, nearest-upsample decoder."""

    config_class = ConvAutoencoderConfig

    def __init__(self, config: ConvAutoencoderConfig | None = None):
        super().__init__()
        self.config = config = config or ConvAutoencoderConfig()
        self.latent_channels = config.latent_channels
        self.downsample_factor = 2**config.num_downsamples
        self.scaling_factor = config.scaling_factor
        widths = [config.base_channels * min(2**i, 4) for i in range(config.num_downsamples + 1)]
        encoder = [nn.Conv2d(config.in_channels, widths[0], 3, padding=1)]
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            encoder += [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), nn.SiLU(), _conv_block(c_out, c_out)]
        encoder.append(nn.Conv2d(widths[-1], config.latent_channels, 1))
        self.encoder = nn.Sequential(*encoder)
        decoder = [nn.Conv2d(config.latent_channels, widths[-1], 3, padding=1)]
        for c_in, c_out in zip(widths[:0:-1], widths[-2::-1]):
            decoder += [_conv_block(c_in, c_in), nn.Upsample(scale_factor=2.0, mode="nearest"), _conv_block(c_in, c_out)]
        decoder.append(nn.Conv2d(widths[0], config.in_channels, 3, padding=1))
        self.decoder = nn.Sequential(*decoder)

    def _encode(self, images):
        return self.encoder(images)

    def _decode(self, latents):
        return torch.tanh(self.decoder(latents))

    def reconstruction_loss(self, images: torch.Tensor) -> torch.Tensor:
        """Pixel MSE plus a light pull of the latents towards unit scale (keeps them diffusable)."""
        latents = self._encode(images)
        return F.mse_loss(self._decode(latents), images) + 1e-3 * latents.pow(2).mean()

    @torch.no_grad()
    def fit_scaling_factor(self, images: torch.Tensor) -> float:
        """Set ``scaling_factor`` so encoded latents of ``images`` have unit std (as SD/SANA do)."""
        self.scaling_factor = self.config.scaling_factor = float(1.0 / self._encode(images).std())
        return self.scaling_factor


class DCAutoencoder(PretrainedMixin, Autoencoder):
    """diffusers' ``AutoencoderDC`` (SANA's DC-AE) loaded from a local diffusers folder."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae
        self.latent_channels = vae.config.latent_channels
        self.downsample_factor = vae.spatial_compression_ratio
        self.scaling_factor = vae.config.scaling_factor

    def _encode(self, images):
        return self.vae.encode(images.to(self.vae.dtype)).latent

    def _decode(self, latents):
        return self.vae.decode(latents.to(self.vae.dtype)).sample.clamp(-1, 1)

    @classmethod
    def _load_pretrained(cls, folder: Path, *, dtype: torch.dtype | None = None) -> DCAutoencoder:
        try:
            from diffusers import AutoencoderDC
        except ImportError as err:
            raise ModelLoadError("loading a DC-AE needs diffusers: pip install diffusers") from err
        read_config(folder)  # a clear error for a missing folder before diffusers' own
        check_weights_folder(folder)  # no pickles, shards inside the folder, headers intact
        vae = AutoencoderDC.from_pretrained(folder, torch_dtype=dtype, local_files_only=True)
        return cls(vae)

    def save_pretrained(self, folder: str | os.PathLike) -> None:
        self.vae.save_pretrained(folder)


def load_autoencoder(
    folder: str | os.PathLike, *, subfolder: str | None = None, dtype: torch.dtype | None = None, device=None
) -> Autoencoder:
    """Load whichever autoencoder ``folder`` holds (``_class_name`` in its config.json)."""
    folder = Path(folder) / subfolder if subfolder else Path(folder)
    cls = DCAutoencoder if read_config(folder).get("_class_name") == "AutoencoderDC" else ConvAutoencoder
    return cls.from_pretrained(folder, dtype=dtype, device=device)
