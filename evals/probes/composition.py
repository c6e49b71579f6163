"""Compositionality and order: the same multi-object edits given in every order."""

from __future__ import annotations

import itertools
from typing import Any

from nanoedit.errors import GraphError, SceneError
from nanoedit.toyworld import apply_graph, compound_edit, render

from .base import (
    Case,
    CaseContext,
    GoldEdit,
    Probe,
    Summary,
    edit_nodes,
    fmt,
    gold_graph,
    join_clauses,
    l1,
    mean,
    rate,
    toy_figures,
)

MAX_ORDER_SPREAD = 0.1  # pairwise output difference, relative to the edit's own size
MIN_EDIT_RATE = 0.8


class Compositionality(Probe):
    name = "composition"
    title = "Compositionality / order"
    question = "Given the same multi-object edits in every order, are the results the same, and right?"
    metric = (
        "order spread: mean pairwise L1 between the outputs of different orders divided by the L1 of the "
        "edit itself (0 = order-independent); correctness: the oracle's share of edits made, per order"
    )

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        for index in range(n):
            rng = self.rng(seed, index)
            while True:
                sample = compound_edit(self.scene(rng, n_objects=rng.randint(2, 4)), rng)
                golds = self._orders(sample)
                if len(golds) >= 2:
                    break
            spec = {
                "scene": sample.source.model_dump(mode="json"),
                "orders": [g.instruction for g in golds],
            }
            cases.append(Case(f"composition-{seed}-{index:03d}", spec, golds, golds))
        return cases

    @staticmethod
    def _orders(sample) -> list[GoldEdit]:
        """Every order of the clauses that means the same edit (each order's gold equals the original's)."""
        golds = []
        for order in itertools.permutations(edit_nodes(sample.graph)):
            instruction = join_clauses([n.text for n in order])
            try:
                graph = gold_graph(order, instruction)
                target = apply_graph(sample.source, graph)
            except (GraphError, SceneError):
                continue
            if target == sample.target:
                golds.append(GoldEdit(sample.source, instruction, graph, target))
        return golds

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        golds: list[GoldEdit] = case.data
        source_image, expected_image = render(golds[0].source).image, render(golds[0].target).image
        outputs = [ctx.edit(source_image, g.instruction) for g in golds]
        ctx.save("source", source_image)
        ctx.save("expected", expected_image)
        for number, output in enumerate(outputs[:3], 1):
            ctx.save(f"order {number}", output)
        edit_size = l1(source_image, expected_image)
        pairwise = [l1(a, b) for a, b in itertools.combinations(outputs, 2)]
        per_order = [toy_figures(g.source, g.target, o, ctx.clip) for g, o in zip(golds, outputs)]
        return {
            "orders": len(golds),
            "order_spread": sum(pairwise) / len(pairwise) / max(edit_size, 1e-6),
            "identical_outputs": max(pairwise) == 0.0,
            "edit_rate": mean([f["edit_rate"] for f in per_order]),
            "all_orders_passed": all(f["oracle_passed"] for f in per_order),
            "edit_rate_per_order": [f["edit_rate"] for f in per_order],
        }

    def summarize(self, records: list[dict]) -> Summary:
        spread, applied = rate(records, "order_spread"), rate(records, "edit_rate")
        figures = {
            "order_spread": spread,
            "order_sensitive_cases": mean([r["figures"]["order_spread"] > MAX_ORDER_SPREAD for r in records]),
            "identical_across_orders": rate(records, "identical_outputs"),
            "edit_rate": applied,
            "all_orders_passed": rate(records, "all_orders_passed"),
        }
        flags = []
        if spread is not None and spread > MAX_ORDER_SPREAD:
            flags.append("order-sensitive")
        if applied is not None and applied < MIN_EDIT_RATE:
            flags.append("edits not applied")
        if spread is None:
            return Summary(figures, "no case finished", flags)
        verdict = (
            f"outputs differ across clause orders by {spread:.2f}x the edit's size "
            f"({fmt(figures['order_sensitive_cases'], '.0%')} of cases order-sensitive); "
            f"{fmt(applied, '.0%')} of edits made"
        )
        if "order-sensitive" in flags:
            verdict += ": order matters, which suggests staged, clause-by-clause execution"
        return Summary(figures, verdict, flags)

    def badness(self, figures: dict[str, Any]) -> float:
        return figures["order_spread"] + (1.0 - figures["edit_rate"])
