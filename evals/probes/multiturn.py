"""Multi-turn resilience: N-turn sessions run two ways, per turn.

- ``multipass``: each turn's instruction on the previous output (the output is fed back);
- ``singlepass``: the cumulative instruction of turns 1..k at once, on the original image.

Per turn k and mode: **drift** = L1 (and PSNR) against the source in the pixels no edit up to turn
k changes; **retention** = share of the pixels that earlier turns j < k set (and no later turn
changed again) that the output still has right (within the oracle's pixel tolerance);
**current** = the same share for turn k's own edit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from nanoedit.errors import GraphError, SceneError
from nanoedit.graphs import Op
from nanoedit.toyworld import apply_graph, multi_turn, render

from ..metrics import pixel_metrics
from .base import (
    PIXEL_TOLERANCE,
    Case,
    CaseContext,
    GoldEdit,
    Probe,
    Summary,
    edit_nodes,
    fmt,
    gold_graph,
    matches,
    mean,
)

DEFAULT_TURNS = 4
MODES = ("multipass", "singlepass")
MAX_DRIFT_L1 = 0.02  # the oracle's preservation threshold
MIN_RETENTION = 0.8
GLOBAL_OPS = {Op.lighting, Op.tone, Op.style}
_LEAD_WORDS = re.compile(r"^(now|then|next,)\s+")


class MultiTurnResilience(Probe):
    name = "multiturn"
    title = "Multi-turn resilience"
    question = (
        "Over N turns, do unchanged regions drift, and are earlier edits kept (fed back vs. all at once)?"
    )
    metric = (
        "per turn: drift = L1 vs. the source outside every change so far; retention = share of earlier "
        "turns' changed pixels still right; multipass (outputs fed back) vs. singlepass (cumulative instruction)"
    )

    def __init__(self, scene_size: int = 64, turns: int = DEFAULT_TURNS):
        super().__init__(scene_size)
        self.turns = turns

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        for index in range(n):
            rng = self.rng(seed, index)
            while True:
                session = multi_turn(self.scene(rng, n_objects=rng.randint(1, 4)), rng, n_turns=self.turns)
                # A global look edit (lighting, tone, style) changes every pixel: no region is left to drift.
                if any(n.op in GLOBAL_OPS for t in session.turns for n in t.graph.nodes):
                    continue
                singles = self._cumulative(session)
                if singles is not None:
                    break
            steps = session.turns
            spec = {
                "scene": steps[0].source.model_dump(mode="json"),
                "turns": [t.instruction for t in steps],
                "cumulative": [g.instruction for g in singles],
            }
            multis = [GoldEdit(t.source, t.instruction, t.graph, t.target) for t in steps]
            cases.append(
                Case(
                    f"multiturn-{seed}-{index:03d}", spec, multis + singles, (session.scenes, multis, singles)
                )
            )
        return cases

    @staticmethod
    def _cumulative(session) -> list[GoldEdit] | None:
        """The gold of turns 1..k said at once, for every k; None if some cumulative graph does not give
        the scene the turns gave one after another."""
        golds, nodes, clauses = [], [], []
        source = session.turns[0].source
        for turn in session.turns:
            nodes += edit_nodes(turn.graph)
            clauses.append(_LEAD_WORDS.sub("", turn.instruction))
            instruction = ", then ".join(clauses)
            try:
                graph = gold_graph(nodes, instruction)
                target = apply_graph(source, graph)
            except (GraphError, SceneError):
                return None
            if target != turn.target:
                return None
            golds.append(GoldEdit(source, instruction, graph, target))
        return golds

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        scenes, multis, singles = case.data
        renders = [render(s).image for s in scenes]
        source = renders[0]
        outputs = {"multipass": [], "singlepass": []}
        image = source
        for k, gold in enumerate(multis):
            image = ctx.edit(image, gold.instruction, history=[g.instruction for g in multis[:k]])
            outputs["multipass"].append(image)
        for gold in singles:
            outputs["singlepass"].append(ctx.edit(source, gold.instruction))
        for label, shown in (("source", source), ("expected (last turn)", renders[-1]),
                             ("multipass (last)", outputs["multipass"][-1]),
                             ("singlepass (last)", outputs["singlepass"][-1])):  # fmt: skip
            ctx.save(label, shown)
        return {mode: _per_turn(renders, outputs[mode]) for mode in MODES}

    def summarize(self, records: list[dict]) -> Summary:
        figures: dict[str, Any] = {}
        for mode in MODES:
            for key in ("drift", "drift_psnr", "retention", "current"):
                curves = [r["figures"][mode][key] for r in records]
                figures[f"{mode}_{key}"] = [mean(values) for values in zip(*curves)] if curves else []
        if not records:
            return Summary(figures, "no case finished")
        final = {mode: (figures[f"{mode}_drift"][-1], figures[f"{mode}_retention"][-1]) for mode in MODES}
        flags = []
        if final["multipass"][0] is not None and final["multipass"][0] > MAX_DRIFT_L1:
            flags.append("unchanged regions drift")
        for mode in MODES:
            if final[mode][1] is not None and final[mode][1] < MIN_RETENTION:
                flags.append(f"{mode} loses earlier edits")
        verdict = (
            f"after {len(figures['multipass_drift'])} turns: drift {fmt(final['multipass'][0], '.3f')} (fed back) vs "
            f"{fmt(final['singlepass'][0], '.3f')} (all at once); earlier edits kept "
            f"{fmt(final['multipass'][1], '.0%')} vs {fmt(final['singlepass'][1], '.0%')}"
        )
        if not flags:
            verdict += ": little forgetting, which suggests working memory and planning"
        return Summary(figures, verdict, flags)

    def badness(self, figures: dict[str, Any]) -> float:
        retention = [figures[m]["retention"][-1] for m in MODES if figures[m]["retention"][-1] is not None]
        drift = figures["multipass"]["drift"][-1] or 0.0
        return drift * 10 + (1.0 - (mean(retention) if retention else 1.0))

    def plots(self, records: list[dict], plot_dir: Path) -> list[tuple[str, str]]:
        from ..report import turn_curves

        if not records:
            return []
        summary = self.summarize(records).figures
        curves = {
            "drift (L1 outside every change so far)": {m: summary[f"{m}_drift"] for m in MODES},
            "retention of earlier edits": {m: summary[f"{m}_retention"] for m in MODES},
        }
        path = turn_curves(curves, plot_dir / "multiturn_curves.png")
        return [
            (
                "Per-turn drift and retention, outputs fed back (multipass) vs. cumulative instruction (singlepass)",
                path,
            )
        ]


def _per_turn(renders: list, outputs: list) -> dict[str, list]:
    """Drift, retention and current-edit success at every turn (see the module docstring)."""
    arrays = [np.asarray(r, np.int16) for r in renders]

    def changed(a: int, b: int, by: int = 0) -> np.ndarray:
        return np.abs(arrays[a] - arrays[b]).max(axis=2) > by

    drift, drift_psnr, retention, current = [], [], [], []
    for k, output in enumerate(outputs, start=1):
        figures = pixel_metrics(output, renders[k], changed(0, k))
        drift.append(figures["l1_out"])
        drift_psnr.append(figures["psnr_out"])
        right = matches(output, renders[k])
        earlier = np.zeros_like(right)
        for j in range(1, k):
            # Only pixels that changed by more than the tolerance: an output that did nothing gets them wrong.
            earlier |= changed(j - 1, j, PIXEL_TOLERANCE) & ~changed(j, k)
        retention.append(float(right[earlier].mean()) if earlier.any() else None)
        own = changed(k - 1, k, PIXEL_TOLERANCE)
        current.append(float(right[own].mean()) if own.any() else None)
    return {"drift": drift, "drift_psnr": drift_psnr, "retention": retention, "current": current}
