"""Routing sensitivity: the same edit said two ways, and single-keyword toggles.

Three kinds of pairs, on the same scene:

- ``paraphrase``: an I2EBench ``ori_exp`` / ``div_exp`` wording pair (``nanoedit.evals.i2ebench``)
  filled with a toy-world target and value; the meaning is the same;
- ``synonym``: one word swapped for a synonym the toy world knows ("ball" for "circle", "figure"
  for "person"); the meaning is the same;
- ``control``: one keyword (the new colour) swapped for another; the meaning changes, and the
  output must change with it (an editor that ignores instructions is perfectly "stable").
"""

from __future__ import annotations

import re
from typing import Any

from nanoedit.errors import SceneError
from nanoedit.graphs import EditNode, EntityRef, Op
from nanoedit.toyworld import apply_graph, render, single_edit, vocab
from nanoedit.toyworld.instructions import refer

from ..i2ebench import load_templates
from .base import (
    Case,
    CaseContext,
    GoldEdit,
    Probe,
    Summary,
    edit_nodes,
    fmt,
    gold_graph,
    l1,
    mean,
    rate,
    toy_figures,
)

KINDS = ("paraphrase", "synonym", "control")
MAX_JUMP = 0.25  # output difference between same-meaning wordings, relative to the edit's size
MAX_JUMPING_SHARE = 0.2
MIN_CONTROL_FOLLOWED = 0.5
SYNONYMS = {**vocab.SHAPE_WORDS, **vocab.PERSON_WORDS}


class RoutingSensitivity(Probe):
    name = "routing"
    title = "Routing sensitivity"
    question = "Does the output jump when the wording changes but the meaning does not?"
    metric = (
        "jump: L1 between the outputs of two same-meaning wordings divided by the L1 of the edit itself "
        "(a pair jumps above 0.25); controls (a changed keyword) must be followed (oracle, both outputs)"
    )

    def __init__(self, scene_size: int = 64):
        super().__init__(scene_size)
        self.templates = load_templates()

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        for index in range(n):
            rng = self.rng(seed, index)
            kind = KINDS[index % len(KINDS)]
            pair = None
            while pair is None:
                scene = self.scene(rng, n_objects=rng.randint(1, 4))
                pair = getattr(self, f"_{kind}")(scene, rng)
            spec = {
                "kind": kind,
                "scene": scene.model_dump(mode="json"),
                "a": pair[0].instruction,
                "b": pair[1].instruction,
            }
            cases.append(Case(f"routing-{seed}-{index:03d}", spec, list(pair), (kind, pair)))
        return cases

    # -- building pairs ---------------------------------------------------------------------------

    def _paraphrase(self, scene, rng):
        op = rng.choice([op for op, items in self.templates.items() if items])
        template = rng.choice(self.templates[op])
        obj = rng.choice(scene.objects)
        phrase, ref = refer(scene, obj, rng)
        target_words = phrase.removeprefix("the ")
        colors = [c for c in vocab.COLORS if c not in (obj.color, scene.background.color)]
        if op == "recolor":
            color = rng.choice(colors)
            node, slots = (
                EditNode(id="e1", op=Op.recolor, target=ref, params={"color": color}),
                {"color": color},
            )
        elif op == "remove":
            node, slots = EditNode(id="e1", op=Op.remove, target=ref), {}
        elif op == "replace":
            shape = rng.choice([s for s in vocab.SHAPES if s != obj.shape])
            params = {"replacement": EntityRef(noun=shape)}
            node, slots = EditNode(id="e1", op=Op.replace, target=ref, params=params), {"new": shape}
        elif op == "background":
            color = rng.choice([c for c in vocab.COLORS if c != scene.background.color])
            node, slots = EditNode(id="e1", op=Op.background, params={"color": color}), {"background": color}
        else:
            if scene.tone == "grayscale":
                return None
            node, slots = EditNode(id="e1", op=Op.tone, params={"tone": "grayscale"}), {}
        texts = [template[k].format(target=target_words, **slots) for k in ("ori", "div")]
        return self._golds(scene, [node] * 2, texts)

    def _synonym(self, scene, rng):
        sample = single_edit(scene, rng, ops=[Op.recolor, Op.remove, Op.resize, Op.attribute, Op.pose])
        words = [w for w in re.findall(r"[a-z]+", sample.instruction) if w in SYNONYMS]
        if not words:
            return None
        word = rng.choice(words)
        others = [w for w, canonical in SYNONYMS.items() if canonical == SYNONYMS[word] and w != word]
        if not others:
            return None
        toggled = re.sub(rf"\b{word}\b", rng.choice(others), sample.instruction, count=1)
        node = edit_nodes(sample.graph)[0]
        return self._golds(scene, [node, node], [sample.instruction, toggled])

    def _control(self, scene, rng):
        sample = single_edit(scene, rng, ops=[Op.recolor])
        node = edit_nodes(sample.graph)[0]
        old = node.params.color
        avoid = {old, scene.background.color, scene.resolve(node.target).color}
        new = rng.choice([c for c in vocab.COLORS if c not in avoid])
        head, _, tail = sample.instruction.rpartition(old)
        toggled_node = node.model_copy(update={"params": node.params.model_copy(update={"color": new})})
        return self._golds(scene, [node, toggled_node], [sample.instruction, head + new + tail])

    @staticmethod
    def _golds(scene, nodes, texts) -> tuple[GoldEdit, GoldEdit]:
        golds = []
        for node, text in zip(nodes, texts):
            graph = gold_graph([node.model_copy(update={"text": text})], text)
            try:
                golds.append(GoldEdit(scene, text, graph, apply_graph(scene, graph)))
            except SceneError:  # e.g. a replacement that makes the reference ambiguous: draw again
                return None
        return tuple(golds)

    # -- running and summarising ------------------------------------------------------------------

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        kind, (a, b) = case.data
        source_image = render(a.source).image
        out_a, out_b = ctx.edit(source_image, a.instruction), ctx.edit(source_image, b.instruction)
        expected_a = render(a.target).image
        for label, image in (
            ("source", source_image),
            ("expected a", expected_a),
            ("output a", out_a),
            ("output b", out_b),
        ):
            ctx.save(label, image)
        edit_size = l1(source_image, expected_a)
        fig_a, fig_b = toy_figures(a.source, a.target, out_a), toy_figures(b.source, b.target, out_b)
        figures = {
            "kind": kind,
            "jump": l1(out_a, out_b) / max(edit_size, 1e-6),
            "edit_rate_a": fig_a["edit_rate"],
            "edit_rate_b": fig_b["edit_rate"],
            "edit_rate": (fig_a["edit_rate"] + fig_b["edit_rate"]) / 2,
            "both_followed": fig_a["edit_rate"] == 1.0 and fig_b["edit_rate"] == 1.0,
        }
        if ctx.clip is not None:
            figures["clip_image_ab"] = ctx.clip.image_image(out_a, out_b)
        return figures

    def summarize(self, records: list[dict]) -> Summary:
        same = [r for r in records if r["figures"]["kind"] != "control"]
        controls = [r for r in records if r["figures"]["kind"] == "control"]
        jumps = [r["figures"]["jump"] for r in same]
        figures = {
            "jump_mean": mean(jumps),
            "jump_max": max(jumps) if jumps else None,
            "jumping_share": mean([j > MAX_JUMP for j in jumps]),
            "paraphrase_jump": mean(
                [r["figures"]["jump"] for r in same if r["figures"]["kind"] == "paraphrase"]
            ),
            "synonym_jump": mean([r["figures"]["jump"] for r in same if r["figures"]["kind"] == "synonym"]),
            "control_followed": rate(controls, "both_followed"),
            "edit_rate": rate(records, "edit_rate"),
        }
        flags = []
        if figures["jumping_share"] is not None and figures["jumping_share"] > MAX_JUMPING_SHARE:
            flags.append("routing-sensitive")
        followed = [figures[k] for k in ("control_followed", "edit_rate") if figures[k] is not None]
        if followed and min(followed) < MIN_CONTROL_FOLLOWED:
            flags.append("ignores instructions")
        if not records:
            return Summary(figures, "no case finished", flags)
        verdict = (
            f"same-meaning wordings move the output by {fmt(figures['jump_mean'])}x the edit's size "
            f"({fmt(figures['jumping_share'], '.0%')} of pairs jump); keyword controls followed in "
            f"{fmt(figures['control_followed'], '.0%')}"
        )
        if "routing-sensitive" in flags:
            verdict += ": wording, not meaning, picks the path (gating sensitivity, MoE-like)"
        return Summary(figures, verdict, flags)

    def badness(self, figures: dict[str, Any]) -> float:
        return (figures["jump"] if figures["kind"] != "control" else 0.0) + (1.0 - figures["edit_rate"])
