"""Session figures: does a turn's cost grow with history, what does the node cache save, save+load time.

    nice -n 10 python benchmarks/session.py                 # the embedded model (or a tiny one if absent)
    nice -n 10 python benchmarks/session.py --model DIR     # any nanoedit bundle

Rows (goals from issue 11):
  turn-10 latency / turn-1 latency over a 10-turn session            (<= 1.2: cost must not grow with history)
  a one-clause re-run of a 3-node turn: time / the first run's time  (<= 0.45)
  save + load of a 10-turn session                                    (report it)

Every session first runs one warm-up edit (lazy imports, first-call allocations), so turn 1 is not
charged for them. Turn latencies are medians over ``--repeats`` sessions. The re-run row changes the
background clause of "make the circle blue, and make the background yellow" (identity lock, recolor,
background): the lock and the recolor come from the cache. Prints a table and writes JSON (``--out``,
default benchmarks/results/session.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
TURNS = ["make the circle blue", "make it red", "make the square green", "make it yellow", "make the circle purple",
         "make it orange", "make the square blue", "make it red", "make the circle green", "make it pink"]  # fmt: skip
FIRST = "make the circle blue, and make the background yellow"
RERUN = "make the circle blue, and make the background green"


def editor_for(model: str | None):
    from nanoedit.editor import DEFAULT_MODEL, INDEX_NAME, Editor

    if model:
        return Editor.from_pretrained(model), model
    if (DEFAULT_MODEL / INDEX_NAME).is_file():
        return Editor.default(), "default"
    sys.path.insert(0, str(ROOT / "tests"))
    from bundles import build_tiny_bundle

    folder = build_tiny_bundle(Path(tempfile.mkdtemp(prefix="nanoedit-bench-")))
    return Editor.from_pretrained(folder), "tiny random bundle (the embedded model is not there yet)"


def main(argv=None) -> int:
    from nanoedit.io import write_text
    from nanoedit.session import Session
    from nanoedit.toyworld import Scene, render

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a nanoedit bundle folder (default: the embedded model)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "session.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    editor, model = editor_for(args.model)
    image = render(Scene.random(7, size=64)).image  # a square and a circle, and the character
    Session(editor, image).edit("make the circle blue")  # warm-up

    turn_times: list[list[float]] = [[] for _ in TURNS]
    rerun_ratios, first_runs, reruns = [], [], []
    for _ in range(args.repeats):
        session = Session(editor, image)
        for i, prompt in enumerate(TURNS):
            t0 = time.perf_counter()
            session.edit(prompt)
            turn_times[i].append(time.perf_counter() - t0)
        fresh = Session(editor, image)
        t0 = time.perf_counter()
        fresh.edit(FIRST)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = fresh.rerun(RERUN)
        again = time.perf_counter() - t0
        hits = [n["id"] for n in result.trace["nodes"] if n["cache"] == "hit"]
        first_runs.append(first)
        reruns.append(again)
        rerun_ratios.append(again / first)
    medians = [statistics.median(t) for t in turn_times]
    with tempfile.TemporaryDirectory() as tmp:
        saves, loads = [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            session.save(Path(tmp) / "s")
            saves.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            Session.load(Path(tmp) / "s", editor)
            loads.append(time.perf_counter() - t0)
        size = sum(p.stat().st_size for p in (Path(tmp) / "s").rglob("*") if p.is_file())
    ratio = medians[-1] / medians[0]
    rerun = statistics.median(rerun_ratios)
    rows = [
        ("turn-10 / turn-1 latency, 10-turn session", f"{ratio:.2f} ({medians[-1] * 1000:.0f} / "
         f"{medians[0] * 1000:.0f} ms)", "<= 1.2", ratio <= 1.2),
        ("one-clause re-run of a 3-node turn / first run", f"{rerun:.2f} ({statistics.median(reruns) * 1000:.0f} / "
         f"{statistics.median(first_runs) * 1000:.0f} ms; cache hits: {', '.join(hits)})", "<= 0.45", rerun <= 0.45),
        ("save + load, 10-turn session", f"{statistics.median(saves) * 1000:.0f} + {statistics.median(loads) * 1000:.0f}"
         f" ms ({size / 1e6:.2f} MB)", "report", True),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"model: {model}; {args.threads} thread(s); medians of {args.repeats}")
    for name, value, goal, ok in rows:
        print(f"{name:<{width}}  {value:<60}  goal {goal:<7} {'ok' if ok else 'MISSED'}")
    result = {
        "model": model, "fingerprint": editor.fingerprint, "threads": args.threads, "repeats": args.repeats,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "turn_latency_ms": [round(t * 1000, 1) for t in medians], "turn10_over_turn1": round(ratio, 3),
        "rerun": {"first_ms": round(statistics.median(first_runs) * 1000, 1),
                  "rerun_ms": round(statistics.median(reruns) * 1000, 1), "ratio": round(rerun, 3), "cache_hits": hits,
                  "changed_clause": "the background"},
        "save_ms": round(statistics.median(saves) * 1000, 1), "load_ms": round(statistics.median(loads) * 1000, 1),
        "saved_bytes": size, "goals": {"turn10_over_turn1": 1.2, "rerun_ratio": 0.45},
    }  # fmt: skip
    write_text(args.out, json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
