"""``nanoedit demo``: a real multi-turn edit session on held-out toy scenes, judged against the exact truth.

It picks a scene of the toy world's held-out *test* split and a few compound prompts for it (the
toy world's instruction generator plays the user), renders the scene to pixels and runs a
``Session`` on the editor (the embedded default model, or ``--model DIR``): each turn is planned,
routed, grounded from pixels, edited and verified through the same turn loop as ``Session.edit``
and ``nanoedit run``. The editor sees pixels and text only.

For display and judging only, the toy world's exact engine applies each turn's planned graph to
the true scene: that is the exact target. The oracle (``nanoedit.toyworld.judge``) compares our
output with it. Everything goes into ``./demo_out/`` (``-o``): the images, ``contact_sheet.png``
(source / ours / exact target per turn), each turn's graph, and ``verdicts.json``.
"""

from __future__ import annotations

import argparse
import json
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from nanoedit.errors import EditorError, NanoeditError, SceneError

DEFAULT_OUT = Path("demo_out")
DEFAULT_TURNS = 3
SCENE_SIZE = 64
MAX_TRIES = 60  # test scenes tried before giving up on prompts the planner reads exactly


def add_commands(commands) -> None:
    demo = commands.add_parser("demo", help="a multi-turn edit session on held-out toy scenes, judged by the oracle")
    demo.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: ./demo_out)")
    demo.add_argument("--model", type=Path, help="a model bundle folder (default: the embedded model)")
    demo.add_argument("--turns", type=int, default=DEFAULT_TURNS, help=f"turns (default {DEFAULT_TURNS})")
    demo.add_argument("--scene", type=int, default=0, help="start the search at this test-split scene index")
    demo.set_defaults(handler=_demo)


@dataclass
class DemoTurn:
    prompt: str
    graph: Any  # InstructionGraph
    source: Image.Image  # our input for this turn
    output: Image.Image  # ours
    target: Image.Image | None  # the exact target (None when the plan cannot apply to the true scene)
    verdict: Any  # toyworld JudgeReport | None
    trace: dict


def pick_session(turns: int = DEFAULT_TURNS, start: int = 0, size: int = SCENE_SIZE):
    """A held-out test scene and ``turns`` compound prompts whose plans, made exactly as the session
    will make them, do what the generator meant (so the exact target is well defined)."""
    from nanoedit.session import initial_context, next_context, plan_turn
    from nanoedit.toyworld import apply_graph, compound_edit, render
    from nanoedit.toyworld.datasets import EditTripletDataset

    dataset = EditTripletDataset("test", size=size)
    for index in range(start, start + MAX_TRIES):
        scene = dataset.scene(index % len(dataset))
        context = initial_context(render(scene).image)
        current, prompts = scene, []
        for k in range(turns):
            try:
                sample = compound_edit(current, seed=index * 100 + k)
                graph = plan_turn(sample.instruction, context)
                expected = apply_graph(current, truth_graph(graph))
            except (SceneError, EditorError, ValueError):
                break
            if expected != sample.target:
                break
            prompts.append(sample.instruction)
            context, current = next_context(context, graph), expected
        if len(prompts) == turns:
            return scene, prompts
    raise SceneError(f"no test scene in {start}..{start + MAX_TRIES} gave {turns} prompts the planner reads exactly")


def truth_graph(graph):
    """The graph for the exact engine: session entity ids (``e1``...) are the session's names, not
    the scene's object ids, so targets keep only their words."""
    from nanoedit.graphs import InstructionGraph

    data = graph.to_dict()
    for node in data["nodes"]:
        target = node.get("target")
        if target and target.get("entity_id") not in (None, "person"):
            node["target"] = {**target, "entity_id": None}
    return InstructionGraph.from_dict(data)


def run_demo(out: str | Path = DEFAULT_OUT, *, editor=None, model: str | Path | None = None, turns: int = DEFAULT_TURNS,
             start: int = 0, verbose: bool = True) -> list[DemoTurn]:  # fmt: skip
    from nanoedit.editor import Editor
    from nanoedit.io import prepare_output_dir, save_image, write_text
    from nanoedit.session import Session, plan_turn
    from nanoedit.toyworld import apply_graph, judge, render

    if not 1 <= turns <= 10:
        raise EditorError(f"--turns {turns}: give 1 to 10 turns")
    started = time.perf_counter()
    out = prepare_output_dir(out)
    if editor is None:
        editor = Editor.from_pretrained(model) if model is not None else Editor.default()
    scene, prompts = pick_session(turns, start)
    session = Session(editor, render(scene).image)
    save_image(out / "source.png", session.current)
    truth, done = scene, []
    if verbose:
        print(f"editor {editor.name} (model {editor.fingerprint}); a held-out test scene: {scene.describe_objects()}")
    for n, prompt in enumerate(prompts, start=1):
        before = session.current
        try:
            result = session.edit(prompt)
        except NanoeditError as err:  # e.g. a target the grounder cannot find in our pixels: the turn fails
            graph = plan_turn(prompt, session.context, editor.planner)
            expected = apply_graph(truth, truth_graph(graph))
            turn = DemoTurn(prompt, graph, before, before, render(expected).image,
                            judge(truth, expected, before), {"nodes": [], "error": f"{type(err).__name__}: {err}"})
            done.append(turn)
            write_text(out / f"turn{n}_graph.yaml", graph.to_yaml())
            if verbose:
                print(describe_turn(n, turn))
            truth = expected
            continue
        try:
            expected = apply_graph(truth, truth_graph(result.graph))
            target, verdict = render(expected).image, judge(truth, expected, result.image)
        except SceneError:
            expected, target, verdict = truth, None, None
        done.append(DemoTurn(prompt, result.graph, before, result.image, target, verdict, result.trace))
        save_image(out / f"turn{n}.png", result.image)
        if target is not None:
            save_image(out / f"turn{n}_target.png", target)
        write_text(out / f"turn{n}_graph.yaml", result.graph.to_yaml())
        if verbose:
            print(describe_turn(n, done[-1]))
        truth = expected
    save_image(out / "contact_sheet.png", contact_sheet(session.history.root.image, done))
    verdicts = [{"turn": n, "prompt": t.prompt, "passed": None if t.verdict is None else t.verdict.passed,
                 "summary": None if t.verdict is None else t.verdict.summary(),
                 "oracle": None if t.verdict is None else t.verdict.model_dump(mode="json")}
                for n, t in enumerate(done, start=1)]  # fmt: skip
    write_text(out / "verdicts.json", json.dumps(verdicts, indent=2) + "\n")
    if verbose:
        passed = sum(bool(v["passed"]) for v in verdicts)
        print(f"oracle: {passed}/{len(done)} turns pass; wrote {out}/contact_sheet.png (source / ours / exact "
              f"target per turn), the images, graphs and verdicts.json in {time.perf_counter() - started:.1f} s")
    return done


def describe_turn(n: int, turn: DemoTurn) -> str:
    """A turn as printed: the prompt, the scheduled graph with each node's routing and checks, the verdict."""
    lines = [f"turn {n}: {turn.prompt}", f"  graph: {' -> '.join(node.id for node in turn.graph.schedule())}"]
    records = {r["id"]: r for r in turn.trace["nodes"]}
    width = max(len(node.id) for node in turn.graph.nodes)
    for node in turn.graph.schedule():
        r = records.get(node.id, {})
        route = ", ".join(f"{name}:{weight:.2f}" for name, weight in r.get("route") or [])
        checks = r.get("checks") or {}
        figures = [f"{k}={_figure(v)}" for k, v in checks.items() if isinstance(v, dict)]
        verdict = "pass" if checks.get("passed") else "FAIL"
        lines.append(f"    {node.id:<{width}}  {node.role.value:<8} {node.label()}")
        if r.get("program") == ["look"]:  # a layer over the content: no mask, nothing cached
            ran = "looks " + (", ".join(f"{k}={v}" for k, v in r["looks"].items()) or "none")
        else:
            ran = f"mask {(r.get('mask') or {}).get('provenance')}; cache {r.get('cache')}"
        lines.append(f"    {'':<{width}}  route {route}; adapter {r.get('adapter')}; {ran}; checks {verdict} "
                     f"({', '.join(figures)})")  # fmt: skip
    if turn.trace.get("error"):
        lines.append(f"  the editor failed this turn: {turn.trace['error']}")
    lines.append(f"  oracle: {turn.verdict.summary() if turn.verdict is not None else 'no exact target for this plan'}")
    return "\n".join(lines)


def _figure(check: dict) -> str:
    shown = [f"{v}" for k, v in check.items() if k != "passed" and isinstance(v, (int, float))]
    return "/".join(shown) + ("" if check.get("passed") else "!")


def contact_sheet(source: Image.Image, turns: list[DemoTurn], scale: int = 2) -> Image.Image:
    """One row per turn: our input, ours, the exact target, with the prompt and the oracle's verdict."""
    w, h = source.size[0] * scale, source.size[1] * scale
    gap, line = 8, 13
    font = ImageFont.load_default(size=11)
    captions = [textwrap.wrap(f"{n}. {t.prompt}", 3 * (w + gap) // 6)[:3]
                + [t.verdict.summary()[:3 * (w + gap) // 6] if t.verdict is not None else "no exact target"]
                for n, t in enumerate(turns, start=1)]  # fmt: skip
    row_h = line + h + gap + max(len(c) for c in captions) * line + gap
    sheet = Image.new("RGB", (3 * (w + gap) + gap, len(turns) * row_h + gap), (250, 250, 250))
    draw = ImageDraw.Draw(sheet)
    for i, (turn, caption) in enumerate(zip(turns, captions)):
        y = gap + i * row_h
        for k, (label, image) in enumerate((("source", turn.source), ("ours", turn.output),
                                            ("exact target", turn.target))):  # fmt: skip
            x = gap + k * (w + gap)
            draw.text((x, y), label, fill=(60, 60, 60), font=font)
            if image is not None:
                sheet.paste(image.resize((w, h), Image.NEAREST), (x, y + line))
        for j, text in enumerate(caption):
            colour = (20, 20, 20) if j < len(caption) - 1 else ((0, 110, 0) if turn.verdict and turn.verdict.passed
                                                                 else (170, 0, 0))  # fmt: skip
            draw.text((gap, y + line + h + 4 + j * line), text, fill=colour, font=font)
    return sheet


def _demo(args: argparse.Namespace) -> int:
    run_demo(args.out, model=args.model, turns=args.turns, start=args.scene)
    return 0
