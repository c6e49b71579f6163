"""Toy-world speed: rendering per canvas size, instruction generation, judging, dataset items.

    python benchmarks/toyworld.py [--scenes 200] [--out benchmarks/results/toyworld.json]

Prints a table and writes the numbers as JSON. Times are per call on one CPU thread over
``--scenes`` random scenes after a warm-up: wall-clock median and 90th percentile, and the median
CPU time of the calling thread (steady when other processes share the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path

import torch

from nanoedit.io import write_text
from nanoedit.toyworld import (
    EditTripletDataset,
    MultiTurnDataset,
    Scene,
    judge,
    multi_turn,
    render,
    single_edit,
)


def _time_ms(calls, warmup=()) -> dict[str, float]:
    """Median and 90th percentile wall time, and median CPU time (what a call costs even when other
    work shares the machine), in milliseconds."""
    for call in warmup:  # first-touch allocations, imports
        call()
    wall, cpu = [], []
    for call in calls:
        start, start_cpu = time.perf_counter(), time.thread_time()
        call()
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    wall.sort()
    return {
        "median_ms": statistics.median(wall),
        "p90_ms": wall[int(0.9 * (len(wall) - 1))],
        "cpu_median_ms": statistics.median(cpu),
        "n": len(wall),
    }


def run(n_scenes: int) -> dict[str, dict[str, float]]:
    results = {}
    warm_up = [lambda i=i: render(Scene.random(10**6 + i)) for i in range(5)]
    for size in (64, 128, 256):
        scenes = [Scene.random(seed, size=size) for seed in range(n_scenes)]
        calls = [lambda s=s: render(s) for s in scenes]
        # First pass: every character is new. Second pass: the character layer is cached, as when
        # rendering the source and target of an edit that leaves the character as it was.
        results[f"render {size}px"] = _time_ms(calls, warm_up)
        results[f"render {size}px, character cached"] = _time_ms(calls)
    scenes = [Scene.random(seed) for seed in range(n_scenes)]
    results["single edit + gold graph"] = _time_ms(
        [lambda s=s, i=i: single_edit(s, i) for i, s in enumerate(scenes)]
    )
    results["6-turn session"] = _time_ms(
        [lambda s=s, i=i: multi_turn(s, i, n_turns=6) for i, s in enumerate(scenes)]
    )
    samples = [single_edit(s, random.Random(i)) for i, s in enumerate(scenes)]
    outputs = [render(x.target).image for x in samples]
    results["judge 64px"] = _time_ms(
        [lambda x=x, o=o: judge(x.source, x.target, o) for x, o in zip(samples, outputs)]
    )
    triplets, sessions = EditTripletDataset("train"), MultiTurnDataset("train")
    results["triplet item 64px"] = _time_ms([lambda i=i: triplets[i] for i in range(n_scenes)])
    results["session item 64px"] = _time_ms([lambda i=i: sessions[i] for i in range(n_scenes // 4)])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "toyworld.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = run(args.scenes)

    print(f"{'what':<34} {'median ms':>10} {'p90 ms':>10} {'cpu ms':>10} {'n':>6}")
    for name, r in results.items():
        print(
            f"{name:<34} {r['median_ms']:>10.3f} {r['p90_ms']:>10.3f} {r['cpu_median_ms']:>10.3f} {r['n']:>6}"
        )

    record = {
        "benchmark": "toyworld",
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "python": platform.python_version()},
        "load_average_1min": os.getloadavg()[0],  # other work on the machine inflates the times
        "scenes": args.scenes,
        "results": results,
    }  # fmt: skip
    write_text(args.out, json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
