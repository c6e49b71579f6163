"""Tiny random nanoedit bundles, made by the real training recipe (a few steps of each stage)."""

from __future__ import annotations

from pathlib import Path

from nanoedit.train import TrainConfig, train

# x-prediction: a random model of this kind visibly changes its regions (a residual one starts as
# the identity edit), which the editor tests need to see where pixels may move.
TINY_MODEL = {"width": 32, "heads": 2, "layers": 2, "patch_size": 4, "text_width": 16, "text_layers": 1,
              "prediction": "sample"}


def build_tiny_bundle(folder: str | Path, *, experts: bool = True, steps: int = 2) -> Path:
    """Stage 1 (and with ``experts`` stage 2) of the recipe on a tiny model; returns the bundle folder."""
    folder = Path(folder)
    common = dict(seed=0, size=64, steps=steps, batch_size=2, warmup=1, checkpoint_every=100, threads=1,
                  vocab_samples=60, history=0, model=TINY_MODEL)  # fmt: skip
    base = train(TrainConfig(stage="base", out=str(folder / "base"), **common), progress=False)
    if not experts:
        return base
    lora = {"rank": 2, "alpha": 2.0}
    return train(TrainConfig(stage="experts", out=str(folder / "experts"), base=str(base), lora=lora, **common),
                 progress=False)  # fmt: skip
