"""Torch datasets of toy-world edits, generated on the fly from a seed (nothing stored on disk).

Splits are decided by the *content* of the source scene: a scene whose hash falls in the test
bucket is only ever drawn by the test split, so no test scene can appear in training, whatever
the seeds. Item ``i`` of a split is the same on every run and machine.

Tensors are float in [-1, 1], CHW; masks are float {0, 1}, 1xHxW; graphs are JSON strings (so the
default ``DataLoader`` collate works for triplets). Multi-turn items have a varying number of
turns: use ``DataLoader(..., batch_size=None)`` or a collate that keeps a list.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np
import torch
from torch.utils.data import Dataset

from nanoedit.errors import SceneError

from .instructions import EditSample, MultiTurnSample, compound_edit, multi_turn, single_edit
from .render import Rendering, change_mask, render
from .scene import Scene

# Share of scene-hash buckets (out of 100) in each split.
SPLITS = {"train": range(0, 80), "val": range(80, 90), "test": range(90, 100)}
DEFAULT_LENGTH = {"train": 50_000, "val": 1_000, "test": 1_000}


def split_of(scene: Scene) -> str:
    bucket = int(scene.content_hash()[:8], 16) % 100
    return next(name for name, buckets in SPLITS.items() if bucket in buckets)


def to_tensor(image) -> torch.Tensor:
    """A PIL RGB image as float CHW in [-1, 1]."""
    array = np.asarray(image, np.float32)
    return torch.from_numpy(array).permute(2, 0, 1) / 127.5 - 1.0


def _mask_tensor(before: Rendering, after: Rendering) -> torch.Tensor:
    return torch.from_numpy(change_mask(before, after)).float()[None]


class _ToyDataset(Dataset):
    def __init__(self, split: str = "train", size: int = 64, length: int | None = None, seed: int = 0):
        if split not in SPLITS:
            raise SceneError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
        self.split, self.size, self.seed = split, size, seed
        self.length = DEFAULT_LENGTH[split] if length is None else length

    def __len__(self) -> int:
        return self.length

    def _seed(self, *parts) -> int:
        text = ":".join(str(p) for p in (type(self).__name__, self.seed, self.split, *parts))
        return int(hashlib.sha256(text.encode()).hexdigest()[:16], 16)

    def scene(self, index: int) -> Scene:
        """The source scene of item ``index``: the first draw whose content belongs to this split."""
        if not 0 <= index < self.length:
            raise IndexError(f"index {index} out of range for a dataset of {self.length}")
        attempt = 0
        while True:
            scene = Scene.random(self._seed("scene", index, attempt), size=self.size)
            if split_of(scene) == self.split:
                return scene
            attempt += 1


class EditTripletDataset(_ToyDataset):
    """(source image, instruction, gold graph, target image, change mask) triplets.

    ``compound_share`` of the items are compound prompts (2-3 edits), the rest single edits.
    """

    def __init__(self, split="train", size=64, length=None, seed=0, compound_share: float = 0.3):
        super().__init__(split, size, length, seed)
        self.compound_share = compound_share

    def sample(self, index: int) -> EditSample:
        scene = self.scene(index)
        rng = random.Random(self._seed("edit", index))
        return compound_edit(scene, rng) if rng.random() < self.compound_share else single_edit(scene, rng)

    def __getitem__(self, index: int) -> dict:
        sample = self.sample(index)
        before, after = render(sample.source), render(sample.target)
        return {
            "source": to_tensor(before.image),
            "target": to_tensor(after.image),
            "mask": _mask_tensor(before, after),
            "instruction": sample.instruction,
            "graph": sample.graph.to_json(indent=None),
        }


class MultiTurnDataset(_ToyDataset):
    """Sessions of up to ``max_turns`` instructions: images (T+1 scenes), T instructions, graphs, masks."""

    def __init__(self, split="train", size=64, length=None, seed=0, max_turns: int = 6):
        super().__init__(split, size, length, seed)
        self.max_turns = max_turns

    def sample(self, index: int) -> MultiTurnSample:
        rng = random.Random(self._seed("session", index))
        return multi_turn(self.scene(index), rng, n_turns=rng.randint(min(2, self.max_turns), self.max_turns))

    def __getitem__(self, index: int) -> dict:
        session = self.sample(index)
        renders = [render(scene) for scene in session.scenes]
        return {
            "images": torch.stack([to_tensor(r.image) for r in renders]),
            "masks": torch.stack([_mask_tensor(a, b) for a, b in zip(renders, renders[1:])]),
            "instructions": [t.instruction for t in session.turns],
            "graphs": [t.graph.to_json(indent=None) for t in session.turns],
        }
