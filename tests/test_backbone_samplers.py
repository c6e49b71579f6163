"""Flow samplers against diffusers' schedulers, and the editing-guidance sampling loop."""

from __future__ import annotations

import pytest
import torch

from nanoedit.backbone.samplers import FlowDPMSolver, FlowEulerSampler, Guidance, generate

diffusers = pytest.importorskip("diffusers")


def reference(kind: str, shift: float):
    if kind == "euler":
        return FlowEulerSampler(flow_shift=shift), diffusers.FlowMatchEulerDiscreteScheduler(shift=shift)
    return FlowDPMSolver(flow_shift=shift), diffusers.DPMSolverMultistepScheduler(
        use_flow_sigmas=True, prediction_type="flow_prediction", flow_shift=shift
    )


@pytest.mark.parametrize("kind", ["euler", "dpm"])
@pytest.mark.parametrize("shift, steps", [(1.0, 10), (3.0, 20), (3.0, 1), (4.0, 16)])
def test_schedule_and_steps_match_diffusers(kind, shift, steps):
    ours, theirs = reference(kind, shift)
    ours.set_timesteps(steps)
    theirs.set_timesteps(steps)
    torch.testing.assert_close(ours.sigmas, theirs.sigmas.float(), rtol=0, atol=1e-6)
    assert ours.timesteps.dtype == theirs.timesteps.dtype
    torch.testing.assert_close(ours.timesteps.float(), theirs.timesteps.float(), rtol=0, atol=1e-4)

    gen = torch.Generator().manual_seed(0)
    sample_ours = sample_theirs = torch.randn(2, 4, 8, 8, generator=gen)
    for t in theirs.timesteps:
        # a fake "model" that depends on the sample, so errors would compound along the trajectory
        velocity = torch.tanh(sample_theirs) + torch.randn(2, 4, 8, 8, generator=gen)
        sample_theirs = theirs.step(velocity, t, sample_theirs).prev_sample
        sample_ours = ours.step(velocity, sample_ours)
        assert (sample_ours - sample_theirs).abs().max() <= 1e-5


@pytest.mark.parametrize("kind", ["euler", "dpm"])
def test_strength_keeps_the_tail_of_the_schedule(kind):
    full, part = reference(kind, 3.0)[0], reference(kind, 3.0)[0]
    full.set_timesteps(20)
    part.set_timesteps(20, strength=0.3)
    assert len(part.timesteps) == 6
    torch.testing.assert_close(part.sigmas, full.sigmas[-7:])
    x0, noise = torch.zeros(1, 1, 2, 2), torch.ones(1, 1, 2, 2)
    assert torch.allclose(part.add_noise(x0, noise), part.sigmas[0].expand(1, 1, 2, 2))
    with pytest.raises(ValueError):
        part.set_timesteps(20, strength=0.0)


class RecordingModel:
    """A deterministic velocity field that depends on the text, the condition and the latents."""

    def __init__(self):
        self.batches = []

    def __call__(self, latents, text, timestep, text_mask):
        self.batches.append(latents.shape[0])
        text_term = (text * (text_mask[..., None] if text_mask is not None else 1)).mean(dim=(1, 2))
        return 0.1 * latents[:, :4] + latents[:, 4:].sum(1, keepdim=True) + text_term[:, None, None, None]


def test_guidance_combines_the_three_passes():
    gen = torch.Generator().manual_seed(0)
    noise, text = torch.randn(2, 4, 4, 4, generator=gen), torch.randn(2, 3, 8, generator=gen)
    null = torch.zeros(1, 3, 8)
    condition = torch.randn(2, 5, 4, 4, generator=gen)
    model = RecordingModel()
    scales = Guidance(text_scale=3.0, image_scale=2.0)
    out = generate(model, FlowEulerSampler(), noise, text, None, null, image_condition=condition, guidance=scales,
                   num_steps=2)
    assert model.batches == [6, 6]  # three passes batched together

    # the same loop by hand
    sampler = FlowEulerSampler()
    sampler.set_timesteps(2)
    x = noise
    for t in sampler.timesteps:
        full = model(torch.cat([x, condition], 1), text, t, None)
        image_only = model(torch.cat([x, condition], 1), null.expand(2, -1, -1), t, None)
        uncond = model(torch.cat([x, torch.zeros_like(condition)], 1), null.expand(2, -1, -1), t, None)
        x = sampler.step(uncond + 2.0 * (image_only - uncond) + 3.0 * (full - image_only), x)
    torch.testing.assert_close(out, x)

    model.batches.clear()
    generate(model, FlowDPMSolver(), noise, text, None, null, image_condition=condition,
             guidance=Guidance(1.0, 1.0), num_steps=3)
    assert model.batches == [2, 2, 2]  # both scales 1: one pass per step


def test_refine_from_strength_starts_near_the_init():
    model = RecordingModel()
    init = torch.randn(1, 4, 4, 4)
    noise = torch.randn(1, 4, 4, 4)
    text, null = torch.zeros(1, 2, 8), torch.zeros(1, 2, 8)
    cond = torch.zeros(1, 1, 4, 4)
    out = generate(model, FlowDPMSolver(flow_shift=3.0), noise, text, None, null, image_condition=cond,
                   num_steps=20, strength=0.2, init_latents=init)
    assert len(model.batches) == 4
    with pytest.raises(ValueError, match="init_latents"):
        generate(model, FlowDPMSolver(), noise, text, None, null, num_steps=4, strength=0.5)
    assert out.shape == init.shape
