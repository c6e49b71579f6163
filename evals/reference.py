"""Reference editors for the toy world: known behaviours that each probe must rank and flag correctly.

They calibrate the suite (and a new probe): run them, and every probe should tell them apart.

- ``perfect``: renders the gold scene of the instruction;
- ``null``: returns its input;
- ``identity_destroying``: the gold scene, re-rendered with another face;
- ``order_dependent``: applies only the first clause of the instruction;
- ``slow_for_one_op``: perfect, but ``delay_s`` slower whenever the edit contains ``slow_op``.

They know the answers because a ``GoldIndex`` holds the gold of every (image, instruction) of a
suite (built from the same cases, with the same ``n`` and ``seed``). Each editor also remembers the
scene behind every image it produced, so outputs fed back (multi-turn) are understood; an output that
deviates from the gold still maps to the gold scene it stands for, so later instructions are looked up.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from PIL import Image

from nanoedit.errors import EditorError, SceneError
from nanoedit.graphs import EditNode, InstructionGraph, Op
from nanoedit.toyworld import Scene, apply_edit, render

from .adapters import EditorAdapter, EditRequest
from .probes.base import SCENE_SIZE, GoldEdit, edit_nodes
from .probes.multiturn import DEFAULT_TURNS

__all__ = [
    "REFERENCE_EDITORS",
    "GoldIndex",
    "IdentityDestroyingEditor",
    "NullEditor",
    "OrderDependentEditor",
    "PerfectEditor",
    "SlowForOneOpEditor",
    "reference_editors",
]


def image_digest(image: Image.Image) -> str:
    image = image.convert("RGB")
    return hashlib.sha256(repr(image.size).encode() + image.tobytes()).hexdigest()


@dataclass
class GoldIndex:
    """The gold answer of every (source image, instruction) of a suite."""

    golds: dict[tuple[str, str], GoldEdit] = field(default_factory=dict)

    def add(self, gold: GoldEdit) -> None:
        self.golds[(image_digest(render(gold.source).image), gold.instruction)] = gold

    def lookup(self, digest: str, instruction: str) -> GoldEdit:
        try:
            return self.golds[(digest, instruction)]
        except KeyError:
            raise EditorError(
                f"the reference editors know only the suite's own cases, not {instruction!r} on this image"
            ) from None

    @classmethod
    def for_suite(
        cls,
        suite: str | list[str] = "all",
        n: int = 8,
        seed: int = 0,
        scene_size: int = SCENE_SIZE,
        turns: int = DEFAULT_TURNS,
    ) -> GoldIndex:
        """The index of the cases ``run_probes`` draws with the same arguments."""
        from .runner import select_probes, suite_cases

        index = cls()
        for cases in suite_cases(select_probes(suite, scene_size, turns), n, seed).values():
            for case in cases:
                for gold in case.gold:
                    index.add(gold)
        return index


def _apply_possible(scene: Scene, graph: InstructionGraph, nodes: list[EditNode] | None = None) -> Scene:
    """The scene after the graph's nodes (in schedule order), skipping those the scene makes impossible:
    a reference editor does what it can, as a real one would, rather than fail."""
    chosen = None if nodes is None else {n.id for n in nodes}
    for node in graph.schedule():
        if chosen is None or node.id in chosen:
            try:
                scene = apply_edit(scene, node)
            except SceneError:
                continue
    return scene


class _GoldEditor(EditorAdapter):
    """An editor that understands the instruction through a ``GoldIndex`` and edits the scene it sees."""

    def __init__(self, index: GoldIndex):
        self.index = index
        # digest of an image this editor produced -> (the scene it shows, the digest of the gold image it stands for)
        self._produced: dict[str, tuple[Scene, str]] = {}

    def edit(self, request: EditRequest) -> Image.Image:
        digest = image_digest(request.image)
        scene, nominal = self._produced.get(digest, (None, digest))
        gold = self.index.lookup(nominal, request.instruction)
        result = self.transform(scene or gold.source, gold)
        image = render(result).image
        self._produced[image_digest(image)] = (result, image_digest(render(gold.target).image))
        return image

    def transform(self, scene: Scene, gold: GoldEdit) -> Scene:
        return _apply_possible(scene, gold.graph)


class PerfectEditor(_GoldEditor):
    name = "perfect"


class NullEditor(EditorAdapter):
    name = "null"

    def edit(self, request: EditRequest) -> Image.Image:
        return request.image.copy()


class IdentityDestroyingEditor(_GoldEditor):
    """Makes every edit right, on a character with another face (shape, skin, eyes, mouth all differ)."""

    name = "identity_destroying"
    _OTHER = {
        "face_shape": {"round": "square", "oval": "round", "square": "oval"},
        "skin": {"light": "dark", "tan": "light", "brown": "light", "dark": "tan"},
        "eyes": {"dots": "round", "round": "sleepy", "sleepy": "dots"},
        "mouth": {"smile": "open", "flat": "smile", "open": "flat"},
    }

    def transform(self, scene: Scene, gold: GoldEdit) -> Scene:
        edited = super().transform(scene, gold)
        if scene is not gold.source:  # already another face (its own earlier output): keep that one
            return edited
        c = edited.character
        other = {name: swap[getattr(c, name)] for name, swap in self._OTHER.items()}
        return edited.model_copy(update={"character": c.model_copy(update=other)})


class OrderDependentEditor(_GoldEditor):
    """Applies only the first clause of the instruction (the nodes of its first span of text)."""

    name = "order_dependent"

    def transform(self, scene: Scene, gold: GoldEdit) -> Scene:
        nodes = edit_nodes(gold.graph)
        first = [n for n in nodes if n.text == nodes[0].text] if nodes else []
        return _apply_possible(scene, gold.graph, first)


class SlowForOneOpEditor(_GoldEditor):
    """Perfect, but ``delay_s`` slower whenever the instruction contains ``slow_op`` (a conditional path)."""

    name = "slow_for_one_op"

    def __init__(self, index: GoldIndex, slow_op: Op = Op.background, delay_s: float = 0.05):
        super().__init__(index)
        self.slow_op, self.delay_s = slow_op, delay_s

    def transform(self, scene: Scene, gold: GoldEdit) -> Scene:
        if any(n.op is self.slow_op for n in gold.graph.nodes):
            time.sleep(self.delay_s)
        return super().transform(scene, gold)


REFERENCE_EDITORS = {
    cls.name: cls
    for cls in (PerfectEditor, NullEditor, IdentityDestroyingEditor, OrderDependentEditor, SlowForOneOpEditor)
}


def reference_editors(index: GoldIndex) -> dict[str, EditorAdapter]:
    """One of each reference editor over ``index``."""
    return {name: cls() if cls is NullEditor else cls(index) for name, cls in REFERENCE_EDITORS.items()}
