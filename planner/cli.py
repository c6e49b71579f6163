"""``nanoedit plan "PROMPT"``: print the instruction graph a planner makes of a prompt."""

from __future__ import annotations

import argparse
from pathlib import Path

from nanoedit.errors import PlanError, Problem
from nanoedit.graphs.display import FORMATS, render_graph


def add_commands(commands) -> None:
    cmd = commands.add_parser("plan", help="turn an edit prompt into an instruction graph")
    cmd.add_argument("prompt", help='the edit instruction, e.g. "remove the red circle and make it night"')
    cmd.add_argument("--format", choices=FORMATS, default="yaml")
    cmd.add_argument("--planner", choices=("rules", "llm"), default="rules")
    cmd.add_argument("--model", type=Path, help="a local causal-LM folder (with --planner llm)")
    cmd.add_argument("--device", default="cpu", help="torch device for --planner llm (default cpu)")
    cmd.add_argument("--dtype", default="float32", choices=("float32", "float16", "bfloat16"))
    cmd.add_argument(
        "--strict", action="store_true", help="exit 2 when any span of the prompt is not understood"
    )
    cmd.add_argument(
        "--route", action="store_true", help="also route every node to its expert(s) (in the trace)"
    )
    cmd.set_defaults(handler=_plan)


def _plan(args: argparse.Namespace) -> int:
    from . import Router, RulePlanner, plan

    if args.planner == "llm":
        if args.model is None:
            raise PlanError(Problem("--model", "--planner llm needs --model PATH (a local causal-LM folder)"))
        from .llm import LLMPlanner

        planner = LLMPlanner.from_pretrained(args.model, device=args.device, dtype=args.dtype)
    else:
        if args.model is not None:
            raise PlanError(Problem("--model", "--model is only used with --planner llm"))
        planner = RulePlanner()
    graph = plan(args.prompt, planner=planner, strict=args.strict)
    if args.route:
        Router().route_graph(graph)
    print(render_graph(graph, args.format), end="")
    return 0
