"""The five probes on the user's own photos, where no gold answer exists.

A photo has no exact expected output, so these probes measure what an editor does relative to
itself and to the source, with the metrics of ``nanoedit.evals.metrics``, and say plainly which
figures need a CLIP checkpoint (without one they are ``None`` and the verdict says "unavailable"):

- **identity**: heavy subject edits; identity = CLIP image-image similarity of source and output
  (CLIP only); ``edit_l1`` = L1 source -> output says whether anything was edited at all;
- **composition**: the same clauses in every order; spread = mean pairwise L1 between the orders'
  outputs divided by the editor's own edit size (mean L1 source -> output);
- **routing**: I2EBench paraphrase pairs (same meaning) and keyword controls (another colour);
  jump = L1 between the two outputs divided by the editor's own edit size;
- **latency**: time per edit kind, with the toy probe's p50/p95 and rank tests;
- **multiturn**: N turns fed back (multipass) and the cumulative instruction (singlepass); per turn
  L1 / SSIM against the source and L1 against the previous turn's output; retention of earlier edits
  = CLIP image-text similarity of the output to each earlier turn's caption minus the source's (CLIP only).

Instructions come from generic templates: I2EBench's background, tone and recolour pairs (with
"main subject" as the target) and a few subject edits for the identity probe.
"""

from __future__ import annotations

import itertools
import random
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from nanoedit.errors import EvalError
from nanoedit.io import check_path, load_image

from ..i2ebench import load_templates
from ..metrics import pixel_metrics
from .base import Case, CaseContext, Probe, Summary, fmt, join_clauses, l1, mean, rate
from .latency import LatencyProfile
from .multiturn import DEFAULT_TURNS
from .routing import MAX_JUMP, MAX_JUMPING_SHARE

PHOTO_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}
COLORS = ("blue", "green", "red", "yellow", "purple", "orange")
SUBJECT = "main subject"
# Heavy edits of a person (the identity probe's "hair colour, accessories, pose" on photos).
SUBJECT_EDITS = (
    ("make the person's hair {color}", "a photo of a person with {color} hair"),
    ("put a hat on the person", "a photo of a person wearing a hat"),
    ("give the person sunglasses", "a photo of a person wearing sunglasses"),
    ("make the person raise both arms", "a photo of a person with raised arms"),
)
MIN_VISIBLE_EDIT = 1.0 / 255  # mean L1 below one grey level: the editor changed nothing visible
MIN_IDENTITY_CLIP = 0.8
MAX_ORDER_SPREAD = 0.1
CLIP_ONLY = "unavailable without a CLIP checkpoint (--clip-checkpoint)"


@dataclass(frozen=True)
class PhotoEdit:
    """One instruction for a photo, with a caption of the intended result (for CLIP)."""

    kind: str
    instruction: str
    caption: str


def load_photos(images: str | Path | list[str | Path]) -> list[tuple[str, Image.Image]]:
    """(name, RGB image) for a folder of images (sorted by name) or a list of image paths."""
    if isinstance(images, (str, Path)):
        check_path(images, EvalError, "--images")
    if isinstance(images, (str, Path)) and Path(images).is_dir():
        # Only regular files: a FIFO or device named x.png would block the read forever.
        paths = sorted(
            p for p in Path(images).iterdir() if p.suffix.lower() in PHOTO_SUFFIXES and _regular(p)
        )
        if not paths:
            raise EvalError(f"{images} holds no images ({', '.join(sorted(PHOTO_SUFFIXES))}); add some")
    else:
        paths = [Path(p) for p in ([images] if isinstance(images, (str, Path)) else images)]
        if not paths:
            raise EvalError("images= is empty; give a folder of photos or a list of image paths")
    photos = [(path.name, load_image(path, error=EvalError)) for path in paths]
    names = [name for name, _ in photos]
    if len(set(names)) != len(names):
        raise EvalError("two images share a file name; give images with distinct names")
    return photos


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


class PhotoEdits:
    """Draws generic photo instructions from the shipped I2EBench templates."""

    def __init__(self):
        templates = load_templates()
        self.templates = {kind: templates[kind] for kind in ("background", "tone", "recolor")}

    def one(self, kind: str, rng: random.Random, color: str | None = None, wording: str = "ori") -> PhotoEdit:
        color = color or rng.choice(COLORS)
        if kind == "subject":
            instruction, caption = rng.choice(SUBJECT_EDITS)
            return PhotoEdit(kind, instruction.format(color=color), caption.format(color=color))
        template = rng.choice(self.templates[kind])[wording]
        text = template.format(target=SUBJECT, color=color, background=color)
        caption = {
            "background": f"a photo with a {color} background",
            "tone": "a black and white photo",
            "recolor": f"a photo of a {color} {SUBJECT}",
        }[kind]
        return PhotoEdit(kind, text, caption)

    def pair(self, kind: str, rng: random.Random, control: bool = False) -> tuple[PhotoEdit, PhotoEdit]:
        """The same edit in I2EBench's original wording and its paraphrase or, as a ``control``, the
        same wording with another colour."""
        color = rng.choice(COLORS)
        other = rng.choice([c for c in COLORS if c != color])
        state = rng.getstate()
        a = self.one(kind, rng, color)
        rng.setstate(state)  # the same template, said the other way or with the other colour
        return a, self.one(kind, rng, other) if control else self.one(kind, rng, color, wording="div")


class PhotoProbe(Probe):
    """A probe over user photos: cases cycle through the photos; a case's ``data`` is its photo's index."""

    def __init__(self, photos: list[tuple[str, Image.Image]], turns: int = DEFAULT_TURNS):
        super().__init__()
        self.photos, self.turns, self.edits = photos, turns, PhotoEdits()

    def photo_case(self, index: int, seed: int, spec: dict[str, Any]) -> Case:
        photo = index % len(self.photos)
        return Case(f"{self.name}-{seed}-{index:03d}", {"image": self.photos[photo][0], **spec}, [], photo)

    def source(self, case: Case) -> Image.Image:
        return self.photos[case.data][1]


def edit_size(source: Image.Image, outputs: list[Image.Image]) -> float:
    """How much the editor changed the photo: mean L1 source -> output over ``outputs``."""
    return mean([l1(source, o) for o in outputs])


def relative(difference: float, size: float) -> float | None:
    """``difference`` in units of the editor's own edit size; None when it edited nothing visible."""
    return difference / size if size >= MIN_VISIBLE_EDIT else None


def times(value: float | None) -> str:
    return "n/a (no visible edit)" if value is None else f"{value:.2f}x"


def visibility_flags(records: list[dict]) -> list[str]:
    size = rate(records, "edit_l1")
    return ["edits not applied"] if size is not None and size < MIN_VISIBLE_EDIT else []


class PhotoIdentity(PhotoProbe):
    name = "identity"
    title = "Identity stress (photos)"
    question = "After heavy edits of the subject, does the photo still show the same subject?"
    metric = (
        "CLIP image-image similarity of source and output (identity kept: >= 0.8; CLIP only); "
        "edit_l1 = mean L1 source -> output (an edit was made at all)"
    )

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        for index in range(n):
            rng = self.rng(seed, index)
            edits = rng.sample(range(len(SUBJECT_EDITS)), rng.choice((2, 3)))
            color = rng.choice(COLORS)
            clauses = [SUBJECT_EDITS[i][0].format(color=color) for i in sorted(edits)]
            cases.append(self.photo_case(index, seed, {"instruction": join_clauses(clauses)}))
        return cases

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        source = self.source(case)
        output = ctx.edit(source, case.spec["instruction"])
        ctx.save("source", source)
        ctx.save("output", output)
        figures = {"edit_l1": l1(source, output), "identity_clip": None}
        if ctx.clip is not None:
            figures["identity_clip"] = ctx.clip.image_image(source, output)
        return figures

    def summarize(self, records: list[dict]) -> Summary:
        figures = {"identity_clip": rate(records, "identity_clip"), "edit_l1": rate(records, "edit_l1")}
        flags = visibility_flags(records)
        if figures["identity_clip"] is not None and figures["identity_clip"] < MIN_IDENTITY_CLIP:
            flags.append("identity lost")
        if not records:
            return Summary(figures, "no case finished", flags)
        identity = (
            CLIP_ONLY
            if figures["identity_clip"] is None
            else f"CLIP similarity {figures['identity_clip']:.2f}"
        )
        return Summary(
            figures,
            f"identity after heavy subject edits: {identity}; edit size L1 {fmt(figures['edit_l1'], '.3f')}",
            flags,
        )

    def badness(self, figures: dict[str, Any]) -> float:
        return 1.0 - (figures["identity_clip"] if figures["identity_clip"] is not None else 1.0)


class PhotoComposition(PhotoProbe):
    name = "composition"
    title = "Compositionality / order (photos)"
    question = "Given the same edits in every order, are the results the same?"
    metric = (
        "order spread: mean pairwise L1 between the outputs of different orders divided by the editor's "
        "own edit size (mean L1 source -> output); correctness has no gold on photos"
    )

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        for index in range(n):
            rng = self.rng(seed, index)
            kinds = rng.sample(["background", "tone", "recolor"], rng.choice((2, 3)))
            clauses = [self.edits.one(kind, rng).instruction for kind in kinds]
            orders = [join_clauses(order) for order in itertools.permutations(clauses)]
            cases.append(self.photo_case(index, seed, {"orders": orders}))
        return cases

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        source = self.source(case)
        outputs = [ctx.edit(source, order) for order in case.spec["orders"]]
        ctx.save("source", source)
        for number, output in enumerate(outputs[:3], 1):
            ctx.save(f"order {number}", output)
        size = edit_size(source, outputs)
        pairwise = [l1(a, b) for a, b in itertools.combinations(outputs, 2)]
        return {"orders": len(outputs), "edit_l1": size, "order_spread": relative(mean(pairwise), size)}

    def summarize(self, records: list[dict]) -> Summary:
        spread = rate(records, "order_spread")
        figures = {"order_spread": spread, "edit_l1": rate(records, "edit_l1")}
        flags = visibility_flags(records)
        if spread is not None and spread > MAX_ORDER_SPREAD:
            flags.append("order-sensitive")
        if not records:
            return Summary(figures, "no case finished", flags)
        verdict = f"outputs differ across clause orders by {times(spread)} the edit's size"
        if "order-sensitive" in flags:
            verdict += ": order matters, which suggests staged, clause-by-clause execution"
        return Summary(figures, verdict, flags)

    def badness(self, figures: dict[str, Any]) -> float:
        return figures["order_spread"] or 0.0


class PhotoRouting(PhotoProbe):
    name = "routing"
    title = "Routing sensitivity (photos)"
    question = "Does the output jump when the wording changes but the meaning does not?"
    metric = (
        "jump: L1 between the outputs of two wordings divided by the editor's own edit size; paraphrases "
        "(I2EBench pairs) should not jump above 0.25, controls (another colour) should"
    )

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        for index in range(n):
            rng = self.rng(seed, index)
            control = bool(index % 2)  # controls: another colour (background and recolour have one)
            kind = rng.choice(["background", "recolor"] if control else ["background", "tone", "recolor"])
            a, b = self.edits.pair(kind, rng, control)
            pair_kind = "control" if control else "paraphrase"
            spec = {"kind": pair_kind, "a": a.instruction, "b": b.instruction}
            cases.append(self.photo_case(index, seed, spec))
        return cases

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        source = self.source(case)
        out_a, out_b = ctx.edit(source, case.spec["a"]), ctx.edit(source, case.spec["b"])
        for label, image in (("source", source), ("output a", out_a), ("output b", out_b)):
            ctx.save(label, image)
        size = edit_size(source, [out_a, out_b])
        return {"kind": case.spec["kind"], "edit_l1": size, "jump": relative(l1(out_a, out_b), size)}

    def summarize(self, records: list[dict]) -> Summary:
        same = [r for r in records if r["figures"]["kind"] == "paraphrase"]
        controls = [r for r in records if r["figures"]["kind"] == "control"]
        jumps = [r["figures"]["jump"] for r in same if r["figures"]["jump"] is not None]
        figures = {
            "jump_mean": mean(jumps),
            "jumping_share": mean([j > MAX_JUMP for j in jumps]),
            "control_jump": rate(controls, "jump"),
            "edit_l1": rate(records, "edit_l1"),
        }
        flags = visibility_flags(records)
        if figures["jumping_share"] is not None and figures["jumping_share"] > MAX_JUMPING_SHARE:
            flags.append("routing-sensitive")
        if figures["control_jump"] is not None and figures["control_jump"] <= MAX_JUMP:
            flags.append("ignores instructions")
        if not records:
            return Summary(figures, "no case finished", flags)
        verdict = (
            f"paraphrases move the output by {times(figures['jump_mean'])} the edit's size "
            f"({fmt(figures['jumping_share'], '.0%')} of pairs jump); another colour moves it "
            f"{times(figures['control_jump'])}"
        )
        if "routing-sensitive" in flags:
            verdict += ": wording, not meaning, picks the path (gating sensitivity, MoE-like)"
        return Summary(figures, verdict, flags)

    def badness(self, figures: dict[str, Any]) -> float:
        return (figures["jump"] or 0.0) if figures["kind"] == "paraphrase" else 0.0


class PhotoLatency(PhotoProbe, LatencyProfile):
    """The latency profile on photos: the toy probe's figures, tests and plots; edit kinds as types."""

    name = "latency"
    title = "Latency profile (photos)"

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        kinds = ["background", "tone", "recolor", "subject"]
        for index in range(max(n, 5) * len(kinds)):  # interleaved kinds, at least 5 of each
            rng = self.rng(seed, index)
            edit = self.edits.one(kinds[index % len(kinds)], rng)
            cases.append(self.photo_case(index, seed, {"op": edit.kind, "instruction": edit.instruction}))
        return cases

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        ctx.edit(self.source(case), case.spec["instruction"])
        return {"op": case.spec["op"], "latency_s": ctx.latencies[-1]}


class PhotoMultiTurn(PhotoProbe):
    name = "multiturn"
    title = "Multi-turn resilience (photos)"
    question = (
        "Over N turns, how far does the photo drift, and are earlier edits kept (fed back vs. all at once)?"
    )
    metric = (
        "per turn: L1 / SSIM vs. the source, L1 vs. the previous turn; retention = CLIP image-text "
        "similarity to earlier turns' captions minus the source's (CLIP only); multipass vs. singlepass"
    )

    def cases(self, n: int, seed: int) -> list[Case]:
        cases = []
        for index in range(n):
            rng = self.rng(seed, index)
            kinds = [["background", "recolor", "tone", "subject"][k % 4] for k in range(self.turns)]
            turns = [self.edits.one(kind, rng) for kind in kinds]
            spec = {
                "turns": [t.instruction for t in turns],
                "captions": [t.caption for t in turns],
                "cumulative": [
                    ", then ".join(t.instruction for t in turns[: k + 1]) for k in range(len(turns))
                ],
            }
            cases.append(self.photo_case(index, seed, spec))
        return cases

    def run(self, case: Case, ctx: CaseContext) -> dict[str, Any]:
        source, spec = self.source(case), case.spec
        outputs = {"multipass": [], "singlepass": []}
        image = source
        for k, instruction in enumerate(spec["turns"]):
            image = ctx.edit(image, instruction, history=spec["turns"][:k])
            outputs["multipass"].append(image)
        outputs["singlepass"] = [ctx.edit(source, instruction) for instruction in spec["cumulative"]]
        for label, shown in (("source", source), ("multipass (last)", outputs["multipass"][-1]),
                             ("singlepass (last)", outputs["singlepass"][-1])):  # fmt: skip
            ctx.save(label, shown)
        figures = {
            mode: self._per_turn(source, images, spec["captions"], ctx.clip)
            for mode, images in outputs.items()
        }
        figures["modes_l1"] = l1(outputs["multipass"][-1], outputs["singlepass"][-1])
        return figures

    @staticmethod
    def _per_turn(source, outputs, captions, clip) -> dict[str, list]:
        curves = {"drift": [], "drift_ssim": [], "step": [], "retention": []}
        for k, output in enumerate(outputs):
            against_source = pixel_metrics(output, source)
            curves["drift"].append(against_source["l1"])
            curves["drift_ssim"].append(against_source["ssim"])
            curves["step"].append(l1(output, outputs[k - 1] if k else source))
            earlier = captions[:k]
            curves["retention"].append(
                mean([clip.image_text(output, c) - clip.image_text(source, c) for c in earlier])
                if clip is not None and earlier
                else None
            )
        return curves

    def summarize(self, records: list[dict]) -> Summary:
        figures: dict[str, Any] = {}
        for mode in ("multipass", "singlepass"):
            for key in ("drift", "drift_ssim", "step", "retention"):
                curves = [r["figures"][mode][key] for r in records]
                figures[f"{mode}_{key}"] = [mean(values) for values in zip(*curves)] if curves else []
        figures["modes_l1"] = rate(records, "modes_l1")
        if not records:
            return Summary(figures, "no case finished")
        flags = ["edits not applied"] if figures["multipass_drift"][-1] < MIN_VISIBLE_EDIT else []
        retention = figures["multipass_retention"][-1]
        if retention is not None and retention <= 0:  # earlier captions fit no better than on the source
            flags.append("multipass loses earlier edits")
        verdict = (
            f"after {len(figures['multipass_drift'])} turns: L1 to the source {fmt(figures['multipass_drift'][-1], '.3f')} "
            f"(fed back) vs {fmt(figures['singlepass_drift'][-1], '.3f')} (all at once); the two final outputs "
            f"differ by {fmt(figures['modes_l1'], '.3f')}; retention of earlier edits: "
            + (CLIP_ONLY if retention is None else f"{retention:+.3f} CLIP over the source")
        )
        return Summary(figures, verdict, flags)

    def badness(self, figures: dict[str, Any]) -> float:
        return figures["modes_l1"]

    def plots(self, records: list[dict], plot_dir: Path) -> list[tuple[str, str]]:
        from ..report import turn_curves

        if not records:
            return []
        summary = self.summarize(records).figures
        modes = ("multipass", "singlepass")
        curves = {
            "L1 to the source": {m: summary[f"{m}_drift"] for m in modes},
            "L1 to the previous turn": {m: summary[f"{m}_step"] for m in modes},
        }
        path = turn_curves(curves, plot_dir / "multiturn_curves.png")
        return [
            (
                "Per-turn change on photos, outputs fed back (multipass) vs. cumulative instruction (singlepass)",
                path,
            )
        ]


PHOTO_PROBES: dict[str, type[PhotoProbe]] = {
    cls.name: cls for cls in (PhotoIdentity, PhotoComposition, PhotoRouting, PhotoLatency, PhotoMultiTurn)
}
