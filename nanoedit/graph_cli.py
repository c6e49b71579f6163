"""``nanoedit graph validate|show FILE``: check and display an edit plan or a bare graph file.

It lives in ``nanoedit`` (not ``graphs``) because it plans instruction turns and reads plan files,
and ``graphs`` imports nothing above it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nanoedit.errors import PlanError
from nanoedit.graphs import InstructionGraph
from nanoedit.graphs.display import FORMATS, render_graph
from nanoedit.graphs.yamlio import load_yaml
from nanoedit.io import read_text
from nanoedit.plans import load_plan


def add_commands(commands) -> None:
    graph = commands.add_parser("graph", help="validate or show instruction graphs and edit plans")
    actions = graph.add_subparsers(dest="graph_command", metavar="ACTION", required=True)

    validate = actions.add_parser("validate", help="check a plan (or a graph file); exit 2 on any problem")
    validate.add_argument("file", type=Path, help="PLAN.yaml, or a graph as .yaml/.json")
    validate.add_argument("--allow-outside", action="store_true", help="allow paths outside the plan's folder")
    validate.set_defaults(handler=_validate)

    show = actions.add_parser("show", help="print the scheduled graph of every turn")
    show.add_argument("file", type=Path, help="PLAN.yaml, or a graph as .yaml/.json")
    show.add_argument("--format", choices=FORMATS, default="yaml")
    show.add_argument("--allow-outside", action="store_true", help="allow paths outside the plan's folder")
    show.set_defaults(handler=_show)


def load_graphs(path: Path, allow_outside: bool = False) -> list[InstructionGraph]:
    """The graph of every turn of a plan (instruction turns are planned), or the one graph of a graph file."""
    text = read_text(path, PlanError, "the file")  # a regular UTF-8 file of bounded size, or a PlanError
    if path.suffix == ".json":
        return [InstructionGraph.from_json(text).validate()]
    doc = load_yaml(text, source=str(path))
    if isinstance(doc.data, dict) and "nodes" in doc.data and "turns" not in doc.data:
        return [InstructionGraph.from_dict(doc.data).validate()]
    loaded = load_plan(path, allow_outside=allow_outside)
    explicit_graphs = loaded.graphs()
    if all(graph is not None for graph in explicit_graphs):
        return [graph.validate() for graph in explicit_graphs]
    from nanoedit.session import plan_turns  # the one planning path of sessions, plan runs and the demo

    return plan_turns(loaded)


def _validate(args: argparse.Namespace) -> int:
    graphs = load_graphs(args.file, args.allow_outside)
    nodes = sum(len(g) for g in graphs)
    print(f"ok: {args.file} ({len(graphs)} turn{'s' * (len(graphs) != 1)}, {nodes} nodes)")
    return 0


def _show(args: argparse.Namespace) -> int:
    graphs = load_graphs(args.file, args.allow_outside)
    for index, graph in enumerate(graphs):
        if len(graphs) > 1:
            print(f"# turn {index + 1}")
        print(render_graph(graph, args.format), end="")
    return 0
