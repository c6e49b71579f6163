"""Latency profile: time per edit type (p50, p95) and whether the distributions differ (a rank test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nanoedit.toyworld import EDIT_OPS, render, single_edit

from .base import Case, CaseContext, Probe, Summary

MIN_PER_OP = 5  # the rank test needs a few samples of every edit type
ALPHA = 0.01
MIN_RATIO = 1.5  # an edit type is "slow" when its median is this much above the others' median
MIN_EXTRA_S = 0.010  # ...and at least this much slower: below it, a busy machine's jitter decides


class LatencyProfile(Probe):
    name = "latency"
    title = "Latency profile"
    question = "Does the time an edit takes depend on its type (which suggests conditional paths)?"
    metric = (
        "wall time per call; p50/p95 per edit type; Kruskal-Wallis H test across types, and per type a "
        "one-sided Mann-Whitney U test against all other types (Bonferroni), with median ratio >= 1.5 "
        "and a median at least 10 ms above the others'"
    )

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        per_op = max(n, MIN_PER_OP)
        for op in EDIT_OPS:
            for index in range(per_op):
                rng = self.rng(seed, f"{op.value}-{index}")
                sample = single_edit(self.scene(rng, n_objects=rng.randint(1, 4)), rng, ops=[op])
                spec = {
                    "op": op.value,
                    "instruction": sample.instruction,
                    "scene": sample.source.model_dump(mode="json"),
                }
                cases.append(Case(f"latency-{seed}-{op.value}-{index:03d}", spec, [sample], sample))
        # Interleave the edit types so that a slow moment of the machine does not land on one type.
        return sorted(cases, key=lambda c: (c.id.rsplit("-", 1)[1], c.spec["op"]))

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        ctx.edit(render(case.data.source).image, case.data.instruction)
        return {"op": case.spec["op"], "latency_s": ctx.latencies[-1]}

    def summarize(self, records: list[dict]) -> Summary:
        from scipy.stats import kruskal, mannwhitneyu

        by_op: dict[str, list[float]] = {}
        for r in records:
            by_op.setdefault(r["figures"]["op"], []).append(r["figures"]["latency_s"])
        everything = [t for times in by_op.values() for t in times]
        if not everything:
            return Summary({}, "no case finished")
        per_op = {}
        for op, times in by_op.items():
            rest = [t for other, ts in by_op.items() if other != op for t in ts]
            entry = {
                "count": len(times),
                "p50_s": float(np.percentile(times, 50)),
                "p95_s": float(np.percentile(times, 95)),
                "ratio_to_rest": float(np.median(times) / np.median(rest)) if rest else None,
                "extra_s": float(np.median(times) - np.median(rest)) if rest else None,
                "mann_whitney_p": float(mannwhitneyu(times, rest, alternative="greater").pvalue)
                if len(times) > 1 and len(rest) > 1
                else None,
            }
            per_op[op] = entry
        testable = [ts for ts in by_op.values() if len(ts) > 1]
        kruskal_p = (
            float(kruskal(*testable).pvalue) if len(testable) > 1 and len(set(everything)) > 1 else None
        )
        bonferroni = ALPHA / max(len(per_op), 1)
        slow = sorted(
            (op for op, e in per_op.items()
             if e["mann_whitney_p"] is not None and e["mann_whitney_p"] < bonferroni
             and e["ratio_to_rest"] >= MIN_RATIO and e["extra_s"] >= MIN_EXTRA_S),
            key=lambda op: -per_op[op]["ratio_to_rest"],
        )  # fmt: skip
        figures = {
            "p50_s": float(np.percentile(everything, 50)),
            "p95_s": float(np.percentile(everything, 95)),
            "kruskal_p": kruskal_p,
            "slow_ops": slow,
            "per_op": per_op,
            "test": "scipy.stats.kruskal + scipy.stats.mannwhitneyu",
        }
        flags = []
        # Kruskal-Wallis answers "do the types differ at all"; with a dozen types it is weak against one
        # slow type, so the flag rests on the per-type tests (Bonferroni-corrected) and their effect size.
        differs = bool(slow)
        if differs:
            flags.append("conditional paths")
        verdict = f"p50 {figures['p50_s'] * 1000:.1f} ms, p95 {figures['p95_s'] * 1000:.1f} ms over {len(everything)} edits; "
        if differs:
            named = ", ".join(f"{op} ({per_op[op]['ratio_to_rest']:.1f}x)" for op in slow)
            shown = "n/a" if kruskal_p is None else f"{kruskal_p:.1e}"
            verdict += f"slower edit types: {named} (Kruskal-Wallis p={shown}): conditional paths likely"
        else:
            shown = "n/a" if kruskal_p is None else f"{kruskal_p:.2f}"
            verdict += f"no edit type is clearly slower (Kruskal-Wallis p={shown}): one path for all edits"
        return Summary(figures, verdict, flags)

    def badness(self, figures: dict[str, Any]) -> float:
        return figures["latency_s"]

    def plots(self, records: list[dict], plot_dir: Path) -> list[tuple[str, str]]:
        from ..report import latency_histograms

        by_op: dict[str, list[float]] = {}
        for r in records:
            by_op.setdefault(r["figures"]["op"], []).append(r["figures"]["latency_s"])
        if not by_op:
            return []
        path = latency_histograms(by_op, plot_dir / "latency_histograms.png")
        return [("Latency per edit type (ms); dashed: p50, dotted: p95", path)]
