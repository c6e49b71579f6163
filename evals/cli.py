"""``nanoedit probe``: run the black-box probe suite on an editor and write results.json + report.html."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(commands) -> None:
    probe = commands.add_parser("probe", help="evaluate an editor with the black-box probe suite")
    probe.add_argument(
        "--editor", required=True,
        help="ours | a model folder (nanoedit bundle or SANA pipeline) | python:module:callable | "
             "http://127.0.0.1:PORT/edit (JSON + base64 PNG protocol)",
    )  # fmt: skip
    probe.add_argument(
        "--out", type=Path, required=True, help="folder for results.json, report.html and images"
    )
    probe.add_argument(
        "--suite",
        default="all",
        help="all, or comma-separated: identity,composition,routing,latency,multiturn",
    )
    probe.add_argument(
        "-n", type=int, default=8, help="cases per probe (per edit type for latency, at least 5)"
    )
    probe.add_argument("--seed", type=int, default=0)
    probe.add_argument(
        "--timeout", type=float, default=120.0, help="seconds per editor call before it counts as timed out"
    )
    probe.add_argument("--turns", type=int, default=4, help="turns per multi-turn session")
    probe.add_argument("--clip-model", default="ViT-B-32", help="open_clip architecture name")
    probe.add_argument(
        "--clip-checkpoint", type=Path, help="local open_clip checkpoint; without one CLIP is unavailable"
    )
    probe.add_argument(
        "--images", type=Path,
        help="folder of your own photos: run the probes on them instead of the toy world (no gold answer)",
    )  # fmt: skip
    probe.add_argument(
        "--retry-errors", action="store_true", help="re-run cases that failed in an earlier run"
    )
    probe.set_defaults(handler=_probe)


def _probe(args: argparse.Namespace) -> int:
    from .adapters import load_editor

    editor = load_editor(args.editor)  # before the heavy imports: a wrong --editor fails at once
    from .runner import run_probes

    results = run_probes(
        editor, suite=args.suite, out=args.out, n=args.n, seed=args.seed, timeout_s=args.timeout,
        turns=args.turns, clip_model=args.clip_model, clip_checkpoint=args.clip_checkpoint,
        images=args.images, retry_errors=args.retry_errors, quiet=args.quiet,
    )  # fmt: skip
    for probe in results.results["probes"].values():
        flags = f" [{', '.join(probe['flags'])}]" if probe["flags"] else ""
        print(f"{probe['name']:<12}{flags} {probe['verdict']}")
    print(f"report: {results.report}")
    return 0
