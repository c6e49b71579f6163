"""What every probe shares: cases, the per-case context that calls the editor, and toy-world figures.

A probe is a class with a ``name``, a ``question`` (what it asks of the editor), a ``metric`` (how it
answers), ``cases(n, seed)`` (deterministic: same n and seed, same cases), ``run(case, ctx)`` (the
figures of one case) and ``summarize(records)`` (figures over all cases, flags and a one-line
verdict). Cases carry their toy-world gold edits so reference editors can be built for a suite.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from nanoedit.graphs import EditNode, InstructionGraph, Op, link
from nanoedit.io import save_image
from nanoedit.toyworld import Scene, render
from nanoedit.toyworld.oracle import Thresholds

from ..adapters import EditorAdapter, EditOutcome, EditRequest, call_editor
from ..metrics import ClipScorer, oracle_figures, pixel_metrics

SCENE_SIZE = 64
# A pixel of an output "matches" the expected render within the oracle's own tolerance.
PIXEL_TOLERANCE = Thresholds().pixel_tolerance


@dataclass(frozen=True)
class GoldEdit:
    """One instruction on one toy scene with its exact answer (what a perfect editor returns)."""

    source: Scene
    instruction: str
    graph: InstructionGraph
    target: Scene


@dataclass
class Case:
    """One probe case. ``spec`` (JSON) is stored with its results; ``gold`` lists every (scene,
    instruction) the case asks, with its answer; ``data`` is whatever the probe needs to run it."""

    id: str
    spec: dict[str, Any]
    gold: list[GoldEdit] = field(default_factory=list)
    data: Any = None


@dataclass
class Summary:
    figures: dict[str, Any]
    verdict: str
    flags: list[str] = field(default_factory=list)


class EditFailed(Exception):
    """The editor failed on one request of a case; the case is recorded as an error."""

    def __init__(self, outcome: EditOutcome):
        super().__init__(outcome.error)
        self.outcome = outcome


class CaseContext:
    """Calls the editor for one case (with the suite's seed and timeout) and saves its images."""

    def __init__(
        self,
        editor: EditorAdapter,
        out: Path,
        image_dir: Path,
        seed: int,
        timeout_s: float | None,
        clip: ClipScorer | None,
    ):
        self.editor, self.out, self.image_dir = editor, out, image_dir
        self.seed, self.timeout_s, self.clip = seed, timeout_s, clip
        self.images: list[tuple[str, str]] = []
        self.latencies: list[float] = []

    def edit(
        self,
        image: Image.Image,
        instruction: str,
        history: Sequence[str] = (),
        mask: Image.Image | None = None,
    ) -> Image.Image:
        request = EditRequest(image, instruction, mask=mask, history=tuple(history), seed=self.seed)
        outcome = call_editor(self.editor, request, self.timeout_s)
        self.latencies.append(outcome.latency_s)
        if not outcome.ok:
            raise EditFailed(outcome)
        return outcome.image

    def save(self, label: str, image: Image.Image) -> None:
        """Keep an image of this case (shown in the worst-case grids), written atomically."""
        path = self.image_dir / f"{len(self.images):02d}_{_slug(label)}.png"
        save_image(path, image)
        self.images.append((label, str(path.relative_to(self.out))))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower())[:40]


class Probe(ABC):
    name: ClassVar[str]
    title: ClassVar[str]
    question: ClassVar[str]
    metric: ClassVar[str]

    def __init__(self, scene_size: int = SCENE_SIZE):
        self.scene_size = scene_size

    @abstractmethod
    def cases(self, n: int, seed: int) -> list[Case]:
        """``n`` cases drawn from ``seed`` (same arguments, same cases)."""

    @abstractmethod
    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        """The figures of one case (JSON-serialisable)."""

    @abstractmethod
    def summarize(self, records: list[dict]) -> Summary:
        """Figures over the finished cases (``record["figures"]``), flags and a one-line verdict."""

    def badness(self, figures: dict[str, Any]) -> float:
        """How bad a case went (larger is worse), to pick the worst cases for the report."""
        return 0.0

    def plots(self, records: list[dict], plot_dir: Path) -> list[tuple[str, str]]:
        """(caption, file) of the probe's plots; none by default."""
        return []

    # -- helpers shared by the probes ----------------------------------------------------------

    def rng(self, seed: int, index: int) -> random.Random:
        return random.Random(f"{self.name}:{seed}:{index}")

    def scene(self, rng: random.Random, n_objects: int | None = None) -> Scene:
        return Scene.random(rng.randrange(2**31), size=self.scene_size, n_objects=n_objects)


def gold_graph(nodes: Sequence[EditNode], instruction: str) -> InstructionGraph:
    """The gold graph of ``nodes`` (prompt order) under the toy world's contract: an identity lock
    first, then the default dependencies of ``link``."""
    lock = EditNode(id="lock", op=Op.identity_lock)
    renamed = [
        n.model_copy(update={"id": f"e{i + 1}"})
        for i, n in enumerate(n for n in nodes if n.op is not Op.identity_lock)
    ]
    return link([lock, *renamed], prompt=instruction)


def edit_nodes(graph: InstructionGraph) -> list[EditNode]:
    """The graph's nodes other than identity locks, in prompt order."""
    return [n for n in graph.nodes if n.op is not Op.identity_lock]


def toy_figures(source: Scene, expected: Scene, output: Image.Image, clip: ClipScorer | None = None) -> dict:
    """The oracle's figures plus L1/L2/PSNR/SSIM against the expected render, whole image and
    inside / outside the change mask; with CLIP, image similarity to the expected render."""
    expected_image = render(expected).image
    changed = np.asarray(render(source).image, np.int16) - np.asarray(expected_image, np.int16)
    mask = np.abs(changed).max(axis=2) > 0
    figures = oracle_figures(source, expected, output)
    figures.update({f"px_{k}": v for k, v in pixel_metrics(output, expected_image, mask).items()})
    if clip is not None:
        figures["clip_image"] = clip.image_image(output, expected_image)
    return figures


def l1(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two images, in [0, 1]."""
    return float(np.abs(np.asarray(a, np.float32) - np.asarray(b, np.float32)).mean() / 255.0)


def matches(output: Image.Image, expected: Image.Image) -> np.ndarray:
    """Pixels where the output is within the oracle's tolerance of the expected image."""
    diff = np.abs(np.asarray(output, np.int16) - np.asarray(expected, np.int16)).max(axis=2)
    return diff <= PIXEL_TOLERANCE


def mean(values: Sequence[float | None]) -> float | None:
    kept = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(kept) / len(kept) if kept else None


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


def join_clauses(clauses: Sequence[str]) -> str:
    """ "a and b", "a, b and c": clauses joined without implying an order."""
    clauses = list(clauses)
    return clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]


def rate(records: list[dict], key: str) -> float | None:
    """The mean of a per-case figure over the cases that have it (True counts as 1)."""
    return mean([r["figures"].get(key) for r in records])
