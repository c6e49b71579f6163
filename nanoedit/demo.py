"""``nanoedit demo [PLAN]``: the main job end to end on the embedded default plan.

Every turn of a toy-world plan is planned by the rule planner (the scene's entities and the earlier
turns are its context), validated and scheduled, then executed by the toy world's exact edit engine;
the before/after pairs go to a contact sheet and each graph to YAML. The toy world's engine is the
ground truth every nanoedit model is trained and judged against; editing photos needs the diffusion
editor, which is not in this release.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nanoedit.errors import EditorError

DEFAULT_PLAN = Path(__file__).with_name("default_plan.yaml")


def add_commands(commands) -> None:
    demo = commands.add_parser("demo", help="plan and run the default (or a given) toy-world edit plan")
    demo.add_argument("plan", nargs="?", type=Path, default=DEFAULT_PLAN, help="PLAN.yaml (default: embedded)")
    demo.add_argument("-o", "--out", type=Path, help="output folder (default: the plan's outputs.dir)")
    demo.add_argument("--allow-outside", action="store_true", help="allow paths outside the plan's folder")
    demo.set_defaults(handler=_demo)


def run_demo(plan_path: Path, out: Path | None = None, allow_outside: bool = False, verbose: bool = True):
    """Plan and execute every turn; returns the per-turn samples (instruction, graph, before, after)."""
    from nanoedit.io import prepare_output_dir, save_image, write_text
    from nanoedit.planner import PlanContext, plan
    from nanoedit.plans import load_plan
    from nanoedit.toyworld import EditSample, Scene, apply_graph
    from nanoedit.toyworld.sheet import contact_sheet

    loaded = load_plan(plan_path, allow_outside=allow_outside)
    if loaded.input.scene is None:
        raise EditorError("the demo edits toy-world scenes (`input: {scene: {seed: N}}`); "
                          "editing photos needs the diffusion editor, which is not in this release")
    spec = loaded.input.scene
    scene = Scene.random(spec.seed, size=spec.size, n_objects=spec.objects)
    out = prepare_output_dir(out if out is not None else loaded.output_dir)
    context = PlanContext(entities=scene.entity_refs(), image_size=(scene.size, scene.size))
    samples = []
    for index, (turn, explicit) in enumerate(zip(loaded.turns, loaded.graphs()), start=1):
        graph = explicit if explicit is not None else plan(turn.instruction, context=context)
        order = [n.id for n in graph.schedule()]
        edited = apply_graph(scene, graph)
        instruction = turn.instruction or f"(explicit graph: {', '.join(n.label() for n in graph.nodes)})"
        samples.append(EditSample(instruction=instruction, graph=graph, source=scene, target=edited))
        write_text(out / f"turn{index}_graph.yaml", graph.to_yaml())
        if verbose:
            print(f"turn {index}: {instruction}")
            width = max(len(node_id) for node_id in order)
            for node_id in order:
                node = graph.node(node_id)
                print(f"  {node_id:<{width}}  {node.role.value:<8}  {node.label()}")
            for warning in graph.warnings:
                print(f"  warning: {warning}")
        context = context.advance(graph).model_copy(update={"entities": edited.entity_refs()})
        scene = edited
    sheet = out / "demo.png"
    save_image(sheet, contact_sheet(samples, columns=len(samples)))
    if verbose:
        print(f"wrote {sheet} (before -> after, one tile per turn) and the graphs as {out}/turn*_graph.yaml")
    return samples


def _demo(args: argparse.Namespace) -> int:
    run_demo(args.plan, args.out, args.allow_outside)
    return 0
