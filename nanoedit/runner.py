"""``run_plan(path, out=...)`` / ``nanoedit run PLAN.yaml -o DIR``: a YAML edit plan, run as a ``Session``.

Each turn (an instruction or an explicit graph, with an optional user mask) is one ``Session.edit``
on the plan's input image; a toy-world ``scene`` input is rendered to pixels first (the editor
never sees the scene's spec). After each turn the figures below are measured from the turn's
trace and pixels with the editor's verifier (``nanoedit.editor.verify``), and the turn's
``expect`` is checked against them:

- ``identity``: SSIM of the locked identity region, turn input vs output (1 = untouched);
- ``psnr``: PSNR (dB) of that region; ``ssim``: SSIM of the whole image, input vs output;
- ``preservation``: the share of pixels outside the edited region left exactly as they were;
- ``edit``: the share of the turn's edit nodes whose verifier checks passed;
- ``clip_text`` / ``clip_direction``: CLIP image-text and directional similarity (an editor loaded
  with a CLIP scorer only; otherwise the figure is unmeasured and an expectation on it fails).

``retry: {max, until}`` re-runs a turn with the next seed while its verifier checks fail
(``checks_pass``) or its expectations do not hold (``expectations_met``); every attempt stays in
the session's version tree. ``options`` give the seed, the steps and the model (``default`` or a
bundle folder relative to the plan). ``outputs.save`` picks the files: ``final`` (final.png),
``turns`` (turnN.png), ``graphs`` (turnN_graph.yaml), ``trace`` (turnN_trace.json); ``report.json``
and ``report.html`` (images, each turn's Mermaid graph, routing and checks) are always written.

A failed expectation (or a turn that cannot run) stops the run, writes the report and raises
``ExpectationError`` naming the turn and the figure (the CLI exits 1); ``keep_going`` records it
and runs the remaining turns (the CLI still exits 1 at the end).
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nanoedit.errors import ExpectationError, ModelLoadError, NanoeditError

CLIP_METRICS = ("clip_text", "clip_direction")


@dataclass
class RunReport:
    """What a plan run did: ``report`` is the JSON document written to ``out/report.json``."""

    report: dict[str, Any]
    out: Path
    session: Any

    @property
    def passed(self) -> bool:
        return self.report["passed"]

    @property
    def turns(self) -> list[dict[str, Any]]:
        return self.report["turns"]

    @property
    def failures(self) -> list[str]:
        return [f for t in self.turns for f in t["failures"]]


def run_plan(path: str | Path, out: str | Path | None = None, *, editor=None, model: str | Path | None = None,
             keep_going: bool = False, allow_outside: bool = False, verbose: bool = False) -> RunReport:  # fmt: skip
    """Run the plan at ``path`` into ``out`` (default: the plan's ``outputs.dir``) on ``editor`` (default:
    ``model``, else the plan's ``options.model``). Raises ``ExpectationError`` on a failed turn
    unless ``keep_going``; the report is written either way."""
    from nanoedit.io import prepare_output_dir
    from nanoedit.plans import load_plan
    from nanoedit.session import Session, plan_image

    plan = load_plan(path, allow_outside=allow_outside)
    out = prepare_output_dir(out if out is not None else plan.output_dir)
    editor = editor if editor is not None else load_editor(model if model is not None else plan.options.model, plan)
    image = plan_image(plan)
    session = Session(editor, image, seed=plan.options.seed, steps=plan.options.steps)
    started = time.perf_counter()
    turns: list[dict[str, Any]] = []
    explicit = plan.graphs()
    for index, turn in enumerate(plan.turns, start=1):
        record = _run_turn(session, plan, index, turn, explicit[index - 1])
        turns.append(record)
        if verbose:
            print(_turn_line(record))
        if record["failures"] and not keep_going:
            break
    report = {
        "plan": str(Path(path)), "editor": getattr(editor, "name", None), "model": editor.fingerprint,
        "seed": plan.options.seed, "steps": plan.options.steps, "turns_planned": len(plan.turns),
        "turns_run": len(turns), "passed": all(not t["failures"] for t in turns) and len(turns) == len(plan.turns),
        "seconds": round(time.perf_counter() - started, 3), "versions": str(session.history), "turns": turns,
    }  # fmt: skip
    _write_outputs(out, plan, session, report)
    result = RunReport(report, out, session)
    if not result.passed and not keep_going:
        raise ExpectationError(f"{result.failures[0]} (report: {out / 'report.json'})")
    return result


def load_editor(model: str | Path, plan=None):
    from nanoedit.editor import Editor

    if str(model) == "default":
        return Editor.default()
    folder = plan.resolve(str(model)) if plan is not None and not Path(model).is_absolute() else Path(model)
    if not folder.is_dir():
        raise ModelLoadError(f"the model {model!r} is not a folder ({folder}); give `default` or a bundle folder")
    return Editor.from_pretrained(folder)


# -- one turn ---------------------------------------------------------------------------------------


def _run_turn(session, plan, index: int, turn, graph) -> dict[str, Any]:
    what = turn.instruction if turn.instruction is not None else graph
    mask = plan.resolve(turn.mask) if turn.mask else None
    expectations = turn.expectations()
    record: dict[str, Any] = {"turn": index, "instruction": turn.instruction, "mask": turn.mask, "attempts": [],
                              "expect": dict(turn.expect), "failures": []}  # fmt: skip
    parent = session.version.id
    for attempt in range(turn.retry.max):
        if attempt:
            session.checkout(parent)  # the failed attempt stays in the tree, as a branch
        seed = plan.options.seed + attempt
        try:
            before = session.current
            result = session.edit(what, mask, seed=seed)
        except NanoeditError as err:
            record["attempts"].append({"seed": seed, "error": f"{type(err).__name__}: {err}"})
            record["failures"] = [f"turn {index}: {type(err).__name__}: {err}"]
            session.checkout(parent)
            return record
        figures = turn_figures(session.editor, before, result)
        checks = [_expectation(e, figures) for e in expectations]
        checks_pass = all(n["checks"].get("passed", False) for n in result.trace["nodes"])
        met = all(c["passed"] for c in checks)
        record["attempts"].append({"seed": seed, "version": session.version.id, "checks_pass": checks_pass,
                                   "expectations_met": met})  # fmt: skip
        done = checks_pass if turn.retry.until == "checks_pass" else met
        if done or attempt == turn.retry.max - 1:
            break
    record.update(version=session.version.id, graph=result.graph.to_dict(), run_order=[n.id for n in result.graph.schedule()],
                  figures=figures, expectations=checks, checks_pass=checks_pass, nodes=_nodes(result.trace),
                  mermaid=result.graph.to_mermaid(), seconds=round(result.trace["timings"]["total_ms"] / 1000, 3))  # fmt: skip
    record["failures"] = [f"turn {index}: {c['metric']} = {_shown(c['measured'])}, expected {c['rule']}"
                          + (f" ({c['note']})" if c.get("note") else "") for c in checks if not c["passed"]]  # fmt: skip
    return record


def turn_figures(editor, before: Image.Image, result) -> dict[str, float | None]:
    """The figures a turn's ``expect`` is checked against (see the module docstring)."""
    from nanoedit.editor import verify
    from nanoedit.graphs import EditNode, Op

    a = np.asarray(before.convert("RGB"))
    b = np.asarray(result.image.convert("RGB"))
    region = result.region
    lock = next((result.masks[n.id].array for n in result.graph.nodes
                 if n.op is Op.identity_lock and n.id in result.masks), None)  # fmt: skip
    if lock is not None and lock.shape != region.shape:
        lock = np.asarray(Image.fromarray(lock).resize(before.size, Image.NEAREST))
    figures: dict[str, float | None] = {"identity": None, "psnr": None}
    node = EditNode(id="turn", op=Op.identity_lock, params={})
    checks = verify(node, a, b, region, lock if lock is not None and lock.any() else None, editor.config, None)
    if "identity_preserved" in checks:
        figures["identity"] = float(checks["identity_preserved"]["ssim"])
        figures["psnr"] = float(checks["identity_preserved"]["psnr"])
    whole = verify(node, a, b, region, np.ones(region.shape, bool), editor.config, None)
    figures["ssim"] = float(whole["identity_preserved"]["ssim"])
    outside = ~region
    same = (a == b).all(axis=2)
    figures["preservation"] = float(same[outside].mean()) if outside.any() else 1.0
    edits = [n for n in result.trace["nodes"] if n["op"] != Op.identity_lock.value]
    figures["edit"] = sum(bool(n["checks"].get("passed")) for n in edits) / len(edits) if edits else 1.0
    clip = getattr(editor, "clip", None)
    figures["clip_text"] = figures["clip_direction"] = None
    prompt = result.graph.prompt or ""
    if clip is not None and prompt:
        figures["clip_text"] = round(float(clip.image_text(result.image, prompt)), 4)
        figures["clip_direction"] = round(float(clip.directional(before, result.image, "an image", prompt)), 4)
    return {k: (None if v is None else round(v, 4)) for k, v in figures.items()}


def _expectation(expectation, figures) -> dict[str, Any]:
    measured = figures.get(expectation.metric)
    rule = f"{expectation.comparison} {expectation.value:g}"
    check = {"metric": expectation.metric, "rule": rule, "measured": measured}
    if measured is None or (isinstance(measured, float) and not math.isfinite(measured)):
        why = ("the editor has no CLIP scorer" if expectation.metric in CLIP_METRICS
               else "the turn has no identity lock to measure it on")  # fmt: skip
        return {**check, "passed": False, "note": f"not measured: {why}"}
    return {**check, "passed": bool(expectation.holds(measured))}


def _nodes(trace) -> list[dict[str, Any]]:
    return [{"id": n["id"], "op": n["op"], "role": n["role"], "route": n.get("route"), "expert": n.get("expert"),
             "adapter": n.get("adapter"), "cache": n.get("cache"), "mask": (n.get("mask") or {}).get("provenance"),
             "passed": bool(n.get("checks", {}).get("passed")), "retries": len(n.get("retries") or [])}
            for n in trace["nodes"]]  # fmt: skip


def _shown(value) -> str:
    return "unmeasured" if value is None else f"{value:g}"


def _turn_line(record) -> str:
    if "figures" not in record:
        return f"turn {record['turn']}: FAILED {record['failures'][0]}"
    verdict = "ok" if not record["failures"] else "FAILED"
    checks = ", ".join(f"{c['metric']}={_shown(c['measured'])} {c['rule']}" for c in record["expectations"])
    return f"turn {record['turn']}: {verdict} {record['instruction'] or '(graph)'}" + (f" [{checks}]" if checks else "")


# -- outputs ----------------------------------------------------------------------------------------


def _write_outputs(out: Path, plan, session, report) -> None:
    from nanoedit.graphs import InstructionGraph
    from nanoedit.io import save_image, write_text

    save = set(plan.outputs.save)
    images = {}
    for record in report["turns"]:
        if "version" not in record:
            continue
        n = record["turn"]
        version = session.history[record["version"]]
        images[n] = version.image
        if "turns" in save:
            save_image(out / f"turn{n}.png", images[n])
        if "graphs" in save:
            write_text(out / f"turn{n}_graph.yaml", InstructionGraph.from_dict(record["graph"]).to_yaml())
        if "trace" in save:
            write_text(out / f"turn{n}_trace.json", json.dumps(version.trace, indent=2) + "\n")
    if "final" in save:
        save_image(out / "final.png", session.current)
    write_text(out / "report.json", json.dumps(report, indent=2) + "\n")
    write_text(out / "report.html", _html(report, session.history.root.image, images))


def _data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _html(report, source: Image.Image, images: dict[int, Image.Image]) -> str:
    e = html.escape
    verdict = "passed" if report["passed"] else "FAILED"
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>nanoedit run</title><style>"
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto}img{image-rendering:pixelated;width:192px;"
        "border:1px solid #ccc}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px}"
        ".fail{color:#b00}.ok{color:#070}pre{background:#f6f6f6;padding:6px}</style></head><body>",
        f"<h1>{e(report['plan'])}: <span class='{'ok' if report['passed'] else 'fail'}'>{verdict}</span></h1>",
        f"<p>editor {e(str(report['editor']))} (model {e(report['model'])}), seed {report['seed']}, "
        f"steps {report['steps']}, {report['turns_run']}/{report['turns_planned']} turns, {report['seconds']} s</p>",
        f"<p>source<br><img src='{_data_uri(source)}'></p>",
    ]
    for t in report["turns"]:
        parts.append(f"<h2>turn {t['turn']}: {e(t['instruction'] or '(explicit graph)')}</h2>")
        for failure in t["failures"]:
            parts.append(f"<p class='fail'>{e(failure)}</p>")
        if t["turn"] in images:
            parts.append(f"<p><img src='{_data_uri(images[t['turn']])}'></p>")
        if "mermaid" in t:
            parts.append(f"<pre class='mermaid'>{e(t['mermaid'])}</pre>")
            rows = "".join(
                f"<tr><td>{e(n['id'])}</td><td>{e(n['op'])}</td><td>{e(n['role'])}</td><td>{e(str(n['route']))}</td>"
                f"<td>{e(str(n['adapter']))}</td><td>{e(str(n['mask']))}</td><td>{e(str(n['cache']))}</td>"
                f"<td class='{'ok' if n['passed'] else 'fail'}'>{'pass' if n['passed'] else 'fail'}</td></tr>"
                for n in t["nodes"]
            )
            parts.append("<table><tr><th>node</th><th>op</th><th>role</th><th>route</th><th>adapter</th><th>mask</th>"
                         f"<th>cache</th><th>checks</th></tr>{rows}</table>")  # fmt: skip
            figures = ", ".join(f"{k} {_shown(v)}" for k, v in t["figures"].items())
            parts.append(f"<p>figures: {e(figures)}</p>")
            for c in t["expectations"]:
                cls = "ok" if c["passed"] else "fail"
                parts.append(f"<p class='{cls}'>expect {e(c['metric'])} {e(c['rule'])}: {_shown(c['measured'])}"
                             f"{' - ' + e(c['note']) if c.get('note') else ''}</p>")  # fmt: skip
    parts.append(f"<h2>versions</h2><pre>{e(report['versions'])}</pre></body></html>\n")
    return "\n".join(parts)


# -- the command ------------------------------------------------------------------------------------


def add_commands(commands) -> None:
    run = commands.add_parser("run", help="run a YAML edit plan as a session (images, report.json, report.html)")
    run.add_argument("plan", type=Path, help="PLAN.yaml")
    run.add_argument("-o", "--out", type=Path, help="output folder (default: the plan's outputs.dir)")
    run.add_argument("--model", help="a model bundle folder (default: the plan's options.model)")
    run.add_argument("--keep-going", action="store_true", help="record failed turns and run the rest")
    run.add_argument("--allow-outside", action="store_true", help="allow paths outside the plan's folder")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import sys

    try:
        result = run_plan(args.plan, args.out, model=args.model, keep_going=args.keep_going,
                          allow_outside=args.allow_outside, verbose=not args.quiet)  # fmt: skip
    except ExpectationError as err:
        print(f"nanoedit: failed: {err}", file=sys.stderr)
        return 1
    if not result.passed:
        for failure in result.failures:
            print(f"nanoedit: failed: {failure}", file=sys.stderr)
        return 1
    print(f"ok: {len(result.turns)} turns; wrote {result.out / 'report.html'}")
    return 0
