"""Rectified-flow training objective (SANA): velocity regression at logit-normal noise levels."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sample_logit_normal(
    batch: int, mean: float = 0.0, std: float = 1.0, generator: torch.Generator | None = None, device=None
) -> torch.Tensor:
    """Noise levels ``sigmoid(N(mean, std))`` in (0, 1): most weight on the middle of the path (SD3/SANA)."""
    normal = torch.randn(batch, generator=generator, device=device)
    return torch.sigmoid(mean + std * normal)


def drop_conditions(
    text: torch.Tensor,
    text_mask: torch.Tensor | None,
    null_text: torch.Tensor,
    null_text_mask: torch.Tensor | None,
    image_condition: torch.Tensor | None = None,
    text_drop: float = 0.1,
    image_drop: float = 0.1,
    generator: torch.Generator | None = None,
):
    """Replace conditions by their null versions at random, so the model learns the unconditional
    velocities that two-scale guidance needs (InstructPix2Pix drops text and image independently)."""
    batch = text.shape[0]
    drop_text = torch.rand(batch, generator=generator, device=text.device) < text_drop
    text = torch.where(drop_text[:, None, None], null_text.expand_as(text), text)
    if text_mask is not None:
        null_mask = torch.ones_like(text_mask) if null_text_mask is None else null_text_mask.expand_as(text_mask)
        text_mask = torch.where(drop_text[:, None], null_mask, text_mask)
    if image_condition is not None:
        drop_image = torch.rand(batch, generator=generator, device=text.device) < image_drop
        image_condition = image_condition * (~drop_image).to(image_condition.dtype)[:, None, None, None]
    return text, text_mask, image_condition


def flow_matching_loss(
    model,
    x0: torch.Tensor,
    text: torch.Tensor,
    text_mask: torch.Tensor | None = None,
    image_condition: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
    logit_mean: float = 0.0,
    logit_std: float = 1.0,
    num_train_timesteps: int = 1000,
) -> torch.Tensor:
    """MSE between the model's velocity and ``noise - x0`` at ``x_sigma = (1 - sigma) x0 + sigma noise``.

    ``image_condition`` (source latent + mask) is concatenated on channels, as at sampling time.
    """
    batch = x0.shape[0]
    noise = torch.randn(x0.shape, generator=generator, device=x0.device, dtype=x0.dtype)
    sigma = sample_logit_normal(batch, logit_mean, logit_std, generator, x0.device).to(x0.dtype)
    noisy = torch.lerp(x0, noise, sigma[:, None, None, None])
    model_in = noisy if image_condition is None else torch.cat([noisy, image_condition.to(x0.dtype)], dim=1)
    velocity = model(model_in, text, sigma * num_train_timesteps, text_mask)
    return F.mse_loss(velocity.float(), (noise - x0).float())
