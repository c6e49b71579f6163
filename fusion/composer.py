"""The composer: fuse the expert outputs of one turn into one image.

``Composer`` is a protocol; ``PriorityComposer`` (the default) paints the source, then each slot
through its feathered mask. A node painted after its graph ancestors supersedes them (it already
consumed their outputs); between independent nodes, importance decides who ends on top:
identity > object > style > source. Feathering blends a slot's edge over ``feather`` pixels, but
never outside the slot's mask grown by that much, so the exact composite that follows still knows
where pixels may have changed.
"""

from __future__ import annotations

from typing import Protocol

import networkx as nx
import numpy as np
import torch
from scipy import ndimage

from .memory import Slot


class Composer(Protocol):
    def compose(self, source: torch.Tensor, slots: list[Slot], edges: list[tuple[str, str]]) -> torch.Tensor:
        """(1, 3, H, W) fused image from the source and this turn's slots (``edges``: the graph's)."""
        ...


def paint_order(slots: list[Slot], edges: list[tuple[str, str]]) -> list[Slot]:
    """Ancestors first; among independent slots the least important first (it ends underneath)."""
    by_id = {s.node_id: s for s in slots}
    graph = nx.DiGraph()
    graph.add_nodes_from(by_id)
    graph.add_edges_from((a, b) for a, b in edges if a in by_id and b in by_id)
    order = nx.lexicographical_topological_sort(graph, key=lambda n: (-by_id[n].role.rank, by_id[n].priority, n))
    return [by_id[n] for n in order]


class PriorityComposer:
    def __init__(self, feather: int = 1):
        self.feather = feather

    def alpha(self, mask: np.ndarray) -> np.ndarray:
        if self.feather <= 0:
            return mask.astype(np.float32)
        grown = ndimage.binary_dilation(mask, np.ones((3, 3), bool), iterations=self.feather)
        soft = ndimage.uniform_filter(mask.astype(np.float32), size=2 * self.feather + 1)
        # Inside the mask the slot is fully opaque; the soft edge lies only in the grown ring.
        return np.where(mask, 1.0, np.where(grown, soft, 0.0)).astype(np.float32)

    def compose(self, source: torch.Tensor, slots: list[Slot], edges: list[tuple[str, str]]) -> torch.Tensor:
        out = source.clone()
        for slot in paint_order(slots, edges):
            alpha = torch.from_numpy(self.alpha(slot.mask)).to(out)[None, None]
            out = torch.lerp(out, slot.image.to(out), alpha)
        return out
