"""The rectified-flow objective trains: loss falls on a tiny LinearDiT with toy data."""

from __future__ import annotations

import pytest
import torch

from nanoedit.backbone import (
    LinearDiT,
    LinearDiTConfig,
    drop_conditions,
    flow_matching_loss,
    sample_logit_normal,
)

TINY = dict(
    in_channels=4, out_channels=4, num_attention_heads=2, attention_head_dim=16, num_layers=2,
    num_cross_attention_heads=2, cross_attention_head_dim=16, cross_attention_dim=32, caption_channels=8,
    sample_size=8,
)



pytestmark = pytest.mark.usefixtures("single_thread")


def toy_batch(gen: torch.Generator, batch: int = 16):
    """Latents that are a text-chosen constant colour plus a square at a random place."""
    classes = torch.randint(0, 4, (batch,), generator=gen)
    palette = torch.tensor([[1.0, -1, 0, 0.5], [-1, 1, 0.5, 0], [0, 0.5, 1, -1], [0.5, 0, -1, 1]])
    x0 = palette[classes][:, :, None, None].expand(-1, -1, 8, 8).clone()
    for i, (top, left) in enumerate(torch.randint(0, 5, (batch, 2), generator=gen).tolist()):
        x0[i, :, top : top + 3, left : left + 3] *= -1
    text = torch.nn.functional.one_hot(classes, 8).float()[:, None, :].expand(-1, 3, -1)
    return x0, text


def test_logit_normal_levels_are_in_the_open_interval_and_centred():
    sigmas = sample_logit_normal(20_000, generator=torch.Generator().manual_seed(0))
    assert 0 < sigmas.min() and sigmas.max() < 1
    assert abs(sigmas.median().item() - 0.5) < 0.02
    shifted = sample_logit_normal(20_000, mean=1.0, generator=torch.Generator().manual_seed(0))
    assert shifted.median() > 0.7


def test_loss_falls_on_toy_data():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = LinearDiT(LinearDiTConfig(**TINY))
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
    losses = []
    for _ in range(100):
        x0, text = toy_batch(gen)
        loss = flow_matching_loss(model, x0, text, generator=gen)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    first, last = sum(losses[:20]) / 20, sum(losses[-20:]) / 20
    assert last < 0.5 * first, (first, last)


def test_condition_dropout_replaces_whole_examples():
    gen = torch.Generator().manual_seed(0)
    text, null = torch.ones(64, 3, 8), torch.zeros(1, 3, 8)
    mask, null_mask = torch.ones(64, 3), torch.tensor([[1, 0, 0]])
    image = torch.ones(64, 2, 4, 4)
    text_out, mask_out, image_out = drop_conditions(text, mask, null, null_mask, image, 0.5, 0.5, gen)
    dropped = text_out.sum(dim=(1, 2)) == 0
    assert 0 < dropped.sum() < 64
    assert torch.all(text_out[~dropped] == 1)
    assert torch.equal(mask_out[dropped], null_mask.expand(int(dropped.sum()), -1))
    image_dropped = image_out.sum(dim=(1, 2, 3)) == 0
    assert 0 < image_dropped.sum() < 64 and not torch.equal(image_dropped, dropped)
