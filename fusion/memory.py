"""The memory bank: every expert output of a session, one slot per node and turn.

A slot holds what the composer needs (the node's output image and the mask it may change) and what
later turns need (the entity it names, features such as the locked identity's pixels). Identity
slots of the first turn are kept for the whole session, so later turns restore against the original
identity, not against a copy of a copy. Slots are tensors and numpy masks; ``state_dict`` /
``load_state_dict`` turn a bank into flat tensors for safetensors (``Session.save``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import torch

from nanoedit.graphs import Role


@dataclass
class Slot:
    node_id: str
    role: Role
    mask: np.ndarray  # bool HxW: the pixels this node may change
    image: torch.Tensor  # (1, 3, H, W) in [-1, 1]: the node's output (a latent for latent editors)
    turn: int = 0
    priority: int = 0
    features: dict[str, torch.Tensor] = field(default_factory=dict)
    entity: str | None = None  # the entity this node's target names after the edit, if any

    @property
    def bytes(self) -> int:
        tensors = [self.image, *self.features.values()]
        return self.mask.nbytes + sum(t.numel() * t.element_size() for t in tensors)


class MemoryBank:
    def __init__(self):
        self.slots: list[Slot] = []

    def write(self, slot: Slot) -> Slot:
        self.slots = [s for s in self.slots if not (s.node_id == slot.node_id and s.turn == slot.turn)]
        self.slots.append(slot)
        return slot

    def turn(self, turn: int) -> list[Slot]:
        return [s for s in self.slots if s.turn == turn]

    def identity(self) -> Slot | None:
        """The first turn's identity slot: the original look of the subject."""
        found = [s for s in self.slots if s.role is Role.identity and "pixels" in s.features]
        return min(found, key=lambda s: s.turn) if found else None

    def forget_after(self, turn: int) -> None:
        """Drop every slot of later turns (an undo branch), keeping the first turn's identity."""
        self.slots = [s for s in self.slots if s.turn <= turn]

    @property
    def bytes(self) -> int:
        return sum(s.bytes for s in self.slots)

    # -- (de)serialisation -------------------------------------------------------------------------

    def state_dict(self) -> tuple[dict[str, torch.Tensor], str]:
        """Tensors (for safetensors) and a JSON string of the slots' other fields."""
        tensors: dict[str, torch.Tensor] = {}
        meta = []
        for index, slot in enumerate(self.slots):
            tensors[f"{index}.image"] = slot.image.contiguous()
            tensors[f"{index}.mask"] = torch.from_numpy(slot.mask.astype(np.uint8))
            for name, value in slot.features.items():
                tensors[f"{index}.features.{name}"] = value.contiguous()
            meta.append({"node_id": slot.node_id, "role": slot.role.value, "turn": slot.turn,
                         "priority": slot.priority, "entity": slot.entity, "features": sorted(slot.features)})  # fmt: skip
        return tensors, json.dumps(meta)

    @classmethod
    def from_state_dict(cls, tensors: dict[str, torch.Tensor], meta: str) -> MemoryBank:
        bank = cls()
        for index, item in enumerate(json.loads(meta)):
            bank.slots.append(Slot(
                node_id=item["node_id"], role=Role(item["role"]), turn=item["turn"], priority=item["priority"],
                entity=item["entity"], mask=tensors[f"{index}.mask"].numpy().astype(bool),
                image=tensors[f"{index}.image"],
                features={name: tensors[f"{index}.features.{name}"] for name in item["features"]},
            ))  # fmt: skip
        return bank
