"""Flow-matching samplers: Euler and Flow-DPM-Solver++ (2nd-order multistep), with editing guidance.

Conventions (as SANA and diffusers): ``x_sigma = (1 - sigma) * x0 + sigma * noise``; the model predicts the
velocity ``v = noise - x0`` at ``timestep = sigma * num_train_timesteps``; sigma runs from ~1 down to 0.
``flow_shift`` bends the schedule towards high noise: ``shift * s / (1 + (shift - 1) * s)``.

Both samplers produce the same sigmas, timesteps and step outputs as diffusers'
``FlowMatchEulerDiscreteScheduler(shift=...)`` and ``DPMSolverMultistepScheduler(use_flow_sigmas=True,
prediction_type="flow_prediction", flow_shift=...)`` (tested); ``generate`` adds what an editor needs:
classifier-free guidance on the text and on the source image (InstructPix2Pix's two scales) and
partial denoising from a ``strength`` for the final refine pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm


def shift_sigmas(sigmas, shift: float):
    return shift * sigmas / (1 + (shift - 1) * sigmas)


class FlowSampler:
    """Shared schedule bookkeeping; subclasses define ``_schedule`` and ``_update``."""

    order = 1

    def __init__(self, flow_shift: float = 1.0, num_train_timesteps: int = 1000):
        self.flow_shift = flow_shift
        self.num_train_timesteps = num_train_timesteps
        self.sigmas = torch.empty(0)
        self.timesteps = torch.empty(0)
        self.index = 0

    def set_timesteps(self, num_steps: int, strength: float = 1.0, device=None) -> None:
        """Build the schedule; ``strength < 1`` keeps only its last ``round(num_steps * strength)`` steps.

        With a strength, start from ``add_noise(x0, noise)``: the noise level of the first kept step.
        """
        if num_steps < 1 or not 0.0 < strength <= 1.0:
            raise ValueError(f"need num_steps >= 1 and 0 < strength <= 1, got {num_steps}, {strength}")
        sigmas, timesteps = self._schedule(num_steps)
        start = num_steps - min(int(num_steps * strength), num_steps)
        self.sigmas = sigmas[start:].to(device)
        self.timesteps = timesteps[start:].to(device)
        self.index = 0
        self._reset()

    def _reset(self) -> None:
        pass

    @property
    def sigma(self) -> torch.Tensor:
        return self.sigmas[self.index]

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """The forward process at the current step's sigma (for img2img / refine from a strength)."""
        sigma = self.sigmas[self.index].to(x0.dtype)
        return sigma * noise + (1.0 - sigma) * x0

    def step(self, velocity: torch.Tensor, sample: torch.Tensor) -> torch.Tensor:
        """Advance ``sample`` one step using the model's ``velocity``; updates happen in fp32."""
        prev = self._update(velocity, sample.float())
        self.index += 1
        return prev.to(velocity.dtype)


class FlowEulerSampler(FlowSampler):
    """First-order Euler on the flow ODE: ``x <- x + (sigma_next - sigma) * v``."""

    def _schedule(self, num_steps: int):
        # diffusers spaces the steps between its (already shifted) training sigmas, then shifts them again.
        sigma_min = float(shift_sigmas(torch.tensor(1.0 / self.num_train_timesteps), self.flow_shift))
        sigmas = np.linspace(1.0, sigma_min, num_steps)
        sigmas = torch.from_numpy(shift_sigmas(sigmas, self.flow_shift)).float()
        timesteps = sigmas * self.num_train_timesteps
        return torch.cat([sigmas, torch.zeros(1)]), timesteps

    def _update(self, velocity, sample):
        return sample + (self.sigmas[self.index + 1] - self.sigmas[self.index]) * velocity


class FlowDPMSolver(FlowSampler):
    """Flow-DPM-Solver++ (SANA): multistep DPM-Solver++ on data predictions ``x0 = x - sigma * v``.

    ``alpha = 1 - sigma``; second order (midpoint) from the previous step's prediction, first order on the
    first step and on the last one (where sigma reaches 0), like diffusers with ``final_sigmas_type="zero"``.
    """

    order = 2

    def _schedule(self, num_steps: int):
        sigmas = 1.0 - np.linspace(1, 1 / self.num_train_timesteps, num_steps + 1)
        sigmas = np.flip(shift_sigmas(sigmas, self.flow_shift))[:-1].copy()
        timesteps = torch.from_numpy(sigmas * self.num_train_timesteps).long()  # truncated, as diffusers
        sigmas = torch.from_numpy(np.concatenate([sigmas, [0.0]]).astype(np.float32))
        return sigmas, timesteps

    def _reset(self):
        self.previous_x0: torch.Tensor | None = None

    @staticmethod
    def _lambda(sigma: torch.Tensor) -> torch.Tensor:
        return torch.log(1 - sigma) - torch.log(sigma)

    def _update(self, velocity, sample):
        i = self.index
        sigma_s, sigma_t = self.sigmas[i], self.sigmas[i + 1]
        x0 = sample - sigma_s * velocity.float()
        if sigma_t == 0:  # the DPM-Solver++ step reaches x0 exactly when the next sigma is 0
            prev = x0
        else:
            h = self._lambda(sigma_t) - self._lambda(sigma_s)
            data_weight = (1 - sigma_t) * (torch.exp(-h) - 1.0)
            prev = (sigma_t / sigma_s) * sample - data_weight * x0
            if self.previous_x0 is not None:
                r = (self._lambda(sigma_s) - self._lambda(self.sigmas[i - 1])) / h
                prev = prev - 0.5 * data_weight * (x0 - self.previous_x0) / r
        self.previous_x0 = x0
        return prev


SAMPLERS = {"euler": FlowEulerSampler, "dpm": FlowDPMSolver}


@dataclass
class Guidance:
    """InstructPix2Pix guidance: ``v = v_uncond + s_img (v_img - v_uncond) + s_text (v_full - v_img)``.

    ``text_scale`` pushes towards the instruction, ``image_scale`` towards the source image; 1.0 turns a
    term off (and saves its model pass). Without image conditioning only ``text_scale`` applies (plain CFG).
    """

    text_scale: float = 4.5
    image_scale: float = 1.5


Denoiser = Callable[..., torch.Tensor]


@torch.no_grad()
def generate(
    model: Denoiser,
    sampler: FlowSampler,
    noise: torch.Tensor,
    text: torch.Tensor,
    text_mask: torch.Tensor | None,
    null_text: torch.Tensor,
    null_text_mask: torch.Tensor | None = None,
    image_condition: torch.Tensor | None = None,
    guidance: Guidance | None = None,
    num_steps: int = 20,
    strength: float = 1.0,
    init_latents: torch.Tensor | None = None,
    timestep_scale: float = 1.0,
    progress: bool = False,
    known_latents: torch.Tensor | None = None,
    known_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Sample latents with ``model(latents, text, timestep, text_mask) -> velocity``.

    ``image_condition`` (B, c, H, W) is concatenated to the noisy latents every step (source latent + mask,
    InstructPix2Pix style); its unconditional version is zeros. ``strength < 1`` with ``init_latents``
    denoises only the last part of the schedule, starting from ``init_latents`` noised to that level.
    ``null_text`` is the embedding of the empty prompt, (1 or B, L, D).
    ``known_latents`` with ``known_mask`` (B, 1, H, W; 1 = regenerate) is blended latent diffusion:
    after every step, outside the mask the latents are the known ones re-noised to the new level
    (with the same noise), so only the masked region is generated and it fits its surroundings.
    """
    guidance = guidance or Guidance()
    batch = noise.shape[0]
    sampler.set_timesteps(num_steps, strength=strength, device=noise.device)
    if strength < 1.0:
        if init_latents is None:
            raise ValueError("strength < 1 refines existing latents: pass init_latents")
        latents = sampler.add_noise(init_latents, noise)
    else:
        latents = noise

    null_text = null_text.expand(batch, -1, -1)
    if null_text_mask is not None:
        null_text_mask = null_text_mask.expand(batch, -1)
    use_image = image_condition is not None and guidance.image_scale != 1.0
    use_text = guidance.text_scale != 1.0
    # Passes, batched into one forward: full (text + image), then [image only], then [nothing].
    texts, masks, conditions = [text], [text_mask], [image_condition]
    if use_text or use_image:
        texts.append(null_text)
        masks.append(null_text_mask)
        conditions.append(image_condition)
    if use_image:
        texts.append(null_text)
        masks.append(null_text_mask)
        conditions.append(torch.zeros_like(image_condition))
    passes = len(texts)
    text_in = _pad_cat(texts)
    mask_in = None if all(m is None for m in masks) else _pad_cat([_mask_or_ones(m, t) for m, t in zip(masks, texts)])
    condition_in = torch.cat(conditions) if image_condition is not None else None

    for timestep in tqdm(sampler.timesteps, disable=not progress, desc="denoise"):
        model_in = latents.repeat(passes, 1, 1, 1)
        if condition_in is not None:
            model_in = torch.cat([model_in, condition_in.to(model_in.dtype)], dim=1)
        t = (timestep * timestep_scale).expand(model_in.shape[0])
        velocity = model(model_in, text_in, t, mask_in).chunk(passes)
        if passes == 1:
            guided = velocity[0]
        elif use_image:
            full, image_only, uncond = velocity
            guided = uncond + guidance.image_scale * (image_only - uncond) + guidance.text_scale * (full - image_only)
        else:
            full, uncond = velocity
            guided = uncond + guidance.text_scale * (full - uncond)
        latents = sampler.step(guided, latents)
        if known_latents is not None:
            known = sampler.add_noise(known_latents, noise)  # the next level (exact at the last step)
            latents = torch.lerp(known.to(latents.dtype), latents, known_mask.to(latents.dtype))
    return latents


def _mask_or_ones(mask: torch.Tensor | None, text: torch.Tensor) -> torch.Tensor:
    return torch.ones(text.shape[:2], device=text.device) if mask is None else mask


def _pad_cat(tensors: list[torch.Tensor]) -> torch.Tensor:
    """Concatenate along the batch, zero-padding the token axis to the longest (masks pad with 0)."""
    length = max(t.shape[1] for t in tensors)
    padded = [torch.nn.functional.pad(t, (0, 0) * (t.dim() - 2) + (0, length - t.shape[1])) for t in tensors]
    return torch.cat(padded)
