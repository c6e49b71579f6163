"""Hostile-input benchmark: time and peak memory of every corpus case, files written outside, and probe
runs against misbehaving HTTP servers. Prints tables and writes benchmarks/results/hostile.json.

Each case runs in its own forked process, so its peak RSS (``ru_maxrss``) is its own; "added" is
that peak minus the process's RSS when the case started (the interpreter, torch and nanoedit
already imported). The fuzz summary of ``make fuzz`` (benchmarks/results/fuzz.json) is folded in
when it exists.

    python benchmarks/hostile.py [--kinds graph,plan,...] [--no-servers]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

RESULTS = ROOT / "benchmarks" / "results"
GOAL_S, GOAL_MB, GOAL_PROBE_MB = 2.0, 1024, 2048


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _listing(root: Path) -> list[str]:
    return sorted(os.path.join(top, n) for top, dirs, files in os.walk(root) for n in dirs + files)


def _case_child(name: str, queue) -> None:
    from corpus import CASES

    item = next(c for c in CASES if c.name == name)
    root = Path(tempfile.mkdtemp(prefix="hostile-bench-"))
    work = root / "work"
    work.mkdir()
    built = item.build(work)
    before = [p for p in _listing(root) if not p.startswith(str(work))]
    start_rss = _rss_mb()
    start = time.perf_counter()
    outcome = "no API call"
    if built["call"] is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                built["call"]()
                outcome = "ok" if item.error is None else "NO ERROR"
            except Exception as exc:  # noqa: BLE001 - classified below
                expected = item.error is not None and isinstance(exc, item.error)
                outcome = type(exc).__name__ if expected else f"WRONG {type(exc).__name__}"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    after = [p for p in _listing(root) if not p.startswith(str(work))]
    queue.put({
        "case": name, "kind": item.kind, "outcome": outcome, "seconds": round(seconds, 4),
        "peak_rss_mb": round(peak, 1), "added_mb": round(max(0.0, peak - start_rss), 1),
        "files_outside": len(set(after) - set(before)),
    })  # fmt: skip


def _server_child(mode: str, queue) -> None:
    from servers import MisbehavingServer

    from nanoedit.evals import run_probes
    from nanoedit.evals.adapters import HttpEditor

    out = Path(tempfile.mkdtemp(prefix="hostile-probe-"))
    start_rss = _rss_mb()
    start = time.perf_counter()
    with MisbehavingServer(mode) as server:
        results = run_probes(HttpEditor(server.url), suite="identity,latency", out=out, n=2, timeout_s=1.0, quiet=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({
        "server": mode, "seconds": round(seconds, 2), "cases": results.results["cases_total"],
        "failed": results.results["cases_failed"], "results_json": (out / "results.json").is_file(),
        "report_html": (out / "report.html").is_file(), "peak_rss_mb": round(peak, 1),
        "added_mb": round(max(0.0, peak - start_rss), 1),
    })  # fmt: skip


def _in_child(target, arg, timeout: float) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=target, args=(arg, queue))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        return {"case": arg, "outcome": f"KILLED after {timeout:g} s"}
    try:
        return queue.get(timeout=5)
    except Exception:  # noqa: BLE001
        return {"case": arg, "outcome": f"child exited with {process.exitcode}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", help="corpus kinds to run (default: all)")
    parser.add_argument("--no-servers", action="store_true", help="skip the probe runs against servers")
    args = parser.parse_args(argv)

    import torch  # noqa: F401 - imported once in the parent: children fork with it loaded
    from corpus import CASES
    from servers import MODES

    import nanoedit.backbone.linear_dit  # noqa: F401
    import nanoedit.evals.runner  # noqa: F401
    import nanoedit.graph_cli  # noqa: F401

    kinds = set(args.kinds.split(",")) if args.kinds else None
    rows = [_in_child(_case_child, c.name, 120) for c in CASES if kinds is None or c.kind in kinds]
    print(f"{'case':<46}{'kind':<8}{'outcome':<18}{'time s':>8}{'peak MB':>9}{'added MB':>10}{'outside':>8}")
    for r in rows:
        print(f"{r['case']:<46}{r.get('kind', ''):<8}{r['outcome']:<18}{r.get('seconds', float('nan')):>8.3f}"
              f"{r.get('peak_rss_mb', float('nan')):>9.0f}{r.get('added_mb', float('nan')):>10.1f}"
              f"{r.get('files_outside', -1):>8}")  # fmt: skip
    bad = [r for r in rows if r["outcome"].startswith(("WRONG", "NO ERROR", "KILLED", "child"))]
    worst_time = max(rows, key=lambda r: r.get("seconds", 0))
    worst_memory = max(rows, key=lambda r: r.get("added_mb", 0))
    outside = sum(r.get("files_outside", 0) for r in rows)
    print(f"\n{len(rows)} cases; wrong outcomes {len(bad)}; worst time {worst_time['seconds']:.3f} s ({worst_time['case']}); "
          f"worst added memory {worst_memory['added_mb']:.1f} MB ({worst_memory['case']}); files written outside: {outside}")  # fmt: skip

    servers = []
    if not args.no_servers:
        servers = [_in_child(_server_child, mode, 300) for mode in MODES]
        print(f"\n{'server':<16}{'finished':>9}{'cases':>6}{'failed':>7}{'time s':>8}{'peak MB':>9}{'added MB':>10}")
        for s in servers:
            done = s.get("results_json") and s.get("report_html")
            print(f"{s.get('server', s.get('case')):<16}{'yes' if done else 'NO':>9}{s.get('cases', 0):>6}"
                  f"{s.get('failed', 0):>7}{s.get('seconds', 0):>8.1f}{s.get('peak_rss_mb', 0):>9.0f}"
                  f"{s.get('added_mb', 0):>10.1f}")  # fmt: skip

    fuzz_path = RESULTS / "fuzz.json"
    fuzz = json.loads(fuzz_path.read_text()) if fuzz_path.is_file() else None
    document = {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "python": platform.python_version(), "omp_threads": os.environ.get("OMP_NUM_THREADS")},
        "goals": {"case_seconds": GOAL_S, "case_mb": GOAL_MB, "probe_rss_mb": GOAL_PROBE_MB},
        "summary": {
            "cases": len(rows), "wrong_outcomes": len(bad), "worst_seconds": worst_time["seconds"],
            "worst_seconds_case": worst_time["case"], "worst_added_mb": worst_memory["added_mb"],
            "worst_added_mb_case": worst_memory["case"],
            "worst_peak_rss_mb": max(r.get("peak_rss_mb", 0) for r in rows), "files_written_outside": outside,
            "servers_finished": sum(bool(s.get("results_json") and s.get("report_html")) for s in servers),
            "servers": len(servers), "worst_probe_peak_rss_mb": max((s.get("peak_rss_mb", 0) for s in servers), default=None),
        },
        "cases": rows,
        "servers": servers,
        "fuzz": fuzz,
    }  # fmt: skip
    from nanoedit.io import write_text

    write_text(RESULTS / "hostile.json", json.dumps(document, indent=1) + "\n")
    print(f"\nwrote {RESULTS / 'hostile.json'}")
    return 1 if bad or outside else 0


if __name__ == "__main__":
    sys.exit(main())
