"""Identity stress: heavy edits on the subject (hair colour, hat, glasses, pose) at once."""

from __future__ import annotations

from typing import Any

import numpy as np

from nanoedit.graphs import Op
from nanoedit.toyworld import Scene, apply_graph, render, single_edit
from nanoedit.toyworld.oracle import Thresholds

from ..metrics import pixel_metrics
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
    rate,
    toy_figures,
)

SUBJECT_OPS = [Op.attribute, Op.pose]
MIN_IDENTITY_KEPT = 0.8  # share of cases whose face must survive
IDENTITY_PSNR = Thresholds().identity_psnr  # the oracle's own bar for "the same face"
MIN_EDIT_RATE = 0.5
CONVINCING_EDIT_RATE = 0.8


class IdentityStress(Probe):
    name = "identity"
    title = "Identity stress"
    question = "After heavy edits of the subject (hair colour, accessories, pose), how much of its identity survives?"
    metric = (
        "PSNR / L1 of the face pixels no asked edit touches, against the exact expected render (identity "
        "kept: PSNR >= 25 dB, the oracle's bar), and the oracle's share of the asked subject edits made"
    )

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        for index in range(n):
            rng = self.rng(seed, index)
            source = self.scene(rng)
            current, nodes, aspects = source, [], set()
            wanted = rng.choice((2, 3))
            while len(nodes) < wanted:
                sample = single_edit(current, rng, ops=SUBJECT_OPS)
                node = edit_nodes(sample.graph)[0]
                aspect = node.params.name if node.op is Op.attribute else "pose"
                if aspect in aspects:
                    continue
                aspects.add(aspect)
                nodes.append(node)
                current = sample.target
            instruction = join_clauses([n.text for n in nodes])
            graph = gold_graph(nodes, instruction)
            gold = GoldEdit(source, instruction, graph, apply_graph(source, graph))
            spec = {
                "instruction": instruction,
                "scene": source.model_dump(mode="json"),
                "aspects": sorted(aspects),
            }
            cases.append(Case(f"identity-{seed}-{index:03d}", spec, [gold], gold))
        return cases

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        gold: GoldEdit = case.data
        source_image = render(gold.source).image
        output = ctx.edit(source_image, gold.instruction)
        for label, image in (
            ("source", source_image),
            ("expected", render(gold.target).image),
            ("output", output),
        ):
            ctx.save(label, image)
        figures = toy_figures(gold.source, gold.target, output, ctx.clip)
        face = pixel_metrics(output, render(gold.target).image, stable_face(gold.source, gold.target))
        figures.update(face_psnr=face["psnr_in"], face_l1=face["l1_in"], face_ssim=face["ssim_in"])
        figures["identity_kept"] = face["psnr_in"] is None or face["psnr_in"] >= IDENTITY_PSNR
        return figures

    def summarize(self, records: list[dict]) -> Summary:
        kept, rate_applied = rate(records, "identity_kept"), rate(records, "edit_rate")
        figures = {
            "identity_kept": kept,
            "face_psnr": rate(records, "face_psnr"),
            "face_l1": rate(records, "face_l1"),
            "edit_rate": rate_applied,
            "oracle_identity_passed": rate(records, "identity_passed"),
            "preservation_psnr": rate(records, "preservation_psnr"),
        }
        flags = []
        if kept is not None and kept < MIN_IDENTITY_KEPT:
            flags.append("identity lost")
        if rate_applied is not None and rate_applied < MIN_EDIT_RATE:
            flags.append("edits not applied")
        if kept is None:
            return Summary(figures, "no case finished", flags)
        verdict = (
            f"identity kept in {kept:.0%} of heavy subject edits (face PSNR {fmt(figures['face_psnr'], '.1f')} dB, "
            f"L1 {fmt(figures['face_l1'], '.3f')}); {fmt(rate_applied, '.0%')} of the asked edits made"
        )
        if (
            not flags and rate_applied >= CONVINCING_EDIT_RATE
        ):  # kept by doing the edits, not by skipping them
            verdict += ": the identity survives heavy edits (a dedicated identity path is likely)"
        return Summary(figures, verdict, flags)

    def badness(self, figures: dict[str, Any]) -> float:
        return (figures["face_l1"] or 0.0) * 10 + (1.0 - figures["edit_rate"])


def stable_face(source: Scene, expected: Scene) -> np.ndarray:
    """Face pixels that no asked edit touches (face in both renders, one pixel away from any change):
    there, the output must equal the source exactly, whatever hair, hat, glasses or pose do."""
    before, after = render(source), render(expected)
    changed = np.abs(before.array.astype(np.int16) - after.array.astype(np.int16)).max(axis=2) > 0
    grown = changed.copy()
    grown[1:] |= changed[:-1]
    grown[:-1] |= changed[1:]
    grown[:, 1:] |= changed[:, :-1]
    grown[:, :-1] |= changed[:, 1:]
    return before.masks["face"] & after.masks["face"] & ~grown
