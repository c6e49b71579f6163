"""``run_probes``: run the probe suite on an editor, resumably, and write JSON results and an HTML report.

Layout of ``out``::

    run.json                    what this folder holds (editor, seed, settings): a resumed run must match
    cases/<probe>/<case>.json   one finished case (written atomically; present = done, skipped on resume)
    images/<probe>/<case>/      the case's images (source, expected, outputs)
    plots/                      matplotlib plots and worst-case grids
    results.json                every probe's figures, flags, verdict and per-case figures
    report.html                 the same, for people

Resuming is robust to what a killed or tampered run leaves: a ``run.json`` that is not this
format is refused with an ``EvalError`` (choose another ``--out``), a case file that cannot be read
back is run again and rewritten, and the hidden ``*.tmp`` files of interrupted writes are removed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from tqdm.auto import tqdm

from nanoedit.errors import EvalError
from nanoedit.io import MAX_TEXT_BYTES, prepare_output_dir, remove_stale_temporaries

from .adapters import as_editor
from .metrics import DEFAULT_CLIP_MODEL, load_clip
from .probes import PROBES, Case, CaseContext, Probe
from .probes.base import SCENE_SIZE, EditFailed
from .probes.multiturn import DEFAULT_TURNS
from .probes.photos import PHOTO_PROBES, load_photos
from .report import case_grid, write_html, write_json

DEFAULT_N = 8
MAX_N = 1000
MAX_SESSION_TURNS = 20
WORST_CASES = 4
CASE_STATUSES = ("ok", "error", "timeout")


@dataclass
class ProbeResults:
    """The results document (as written to ``results.json``) and where the report is."""

    results: dict[str, Any]
    out: Path

    @property
    def report(self) -> Path:
        return self.out / "report.html"

    def __getitem__(self, probe: str) -> dict[str, Any]:
        return self.results["probes"][probe]

    def figures(self) -> dict[str, dict[str, Any]]:
        return {name: probe["figures"] for name, probe in self.results["probes"].items()}


def select_probes(
    suite: str | list[str] = "all",
    scene_size: int = SCENE_SIZE,
    turns: int = DEFAULT_TURNS,
    photos: list[tuple[str, Image.Image]] | None = None,
) -> list[Probe]:
    """Probe instances for ``suite``: "all", one name, a comma-separated list, or a list of names;
    with ``photos`` ((name, image) pairs), the photo versions of the probes."""
    names = list(PROBES) if suite == "all" else suite.split(",") if isinstance(suite, str) else list(suite)
    names = [name.strip() for name in names]
    unknown = [name for name in names if name not in PROBES]
    if unknown or not names:
        raise EvalError(
            f"unknown probe {', '.join(unknown) or '(none)'}; use all or some of {', '.join(PROBES)}"
        )
    if photos is not None:
        return [PHOTO_PROBES[name](photos, turns=turns) for name in dict.fromkeys(names)]
    return [
        PROBES[name](scene_size=scene_size, turns=turns)
        if name == "multiturn"
        else PROBES[name](scene_size=scene_size)
        for name in dict.fromkeys(names)
    ]


def suite_cases(probes: list[Probe], n: int, seed: int) -> dict[str, list[Case]]:
    return {probe.name: probe.cases(n, seed) for probe in probes}


def run_probes(
    editor: Any,
    suite: str | list[str] = "all",
    out: str | Path = "probe-report",
    n: int = DEFAULT_N,
    seed: int = 0,
    timeout_s: float | None = 120.0,
    turns: int = DEFAULT_TURNS,
    scene_size: int = SCENE_SIZE,
    clip_model: str = DEFAULT_CLIP_MODEL,
    clip_checkpoint: str | Path | None = None,
    images: str | Path | list[str | Path] | None = None,
    retry_errors: bool = False,
    quiet: bool = False,
) -> ProbeResults:
    """Run the probes of ``suite`` on ``editor`` (anything ``nanoedit.evals.as_editor`` accepts).

    ``n`` cases per probe (per edit type for the latency probe, at least 5); the same ``seed`` gives
    the same cases. Cases come from the toy world (exact ground truth) or, with ``images`` (a folder
    or a list of image paths), from those photos (see ``nanoedit.evals.probes.photos`` for what can
    be measured without a gold answer). Finished cases in ``out`` are skipped, so an interrupted run picks up where it
    stopped; errored cases are re-run only with ``retry_errors``. Editor errors and timeouts
    (``timeout_s`` per call) are recorded per case and never stop the suite.
    """
    _check_settings(n, seed, timeout_s, turns)
    adapter = as_editor(editor)
    photos = load_photos(images) if images is not None else None
    probes = select_probes(suite, scene_size, turns, photos)
    out = prepare_output_dir(out, "probe output folder")
    manifest = {"editor": adapter.name, "fingerprint": editor_fingerprint(adapter),
                "clip": clip_fingerprint(clip_model, clip_checkpoint), "seed": seed, "scene_size": scene_size,
                "turns": turns}  # fmt: skip
    if photos is not None:
        manifest["images"] = [name for name, _ in photos]
    _claim(out, manifest)
    remove_stale_temporaries(out)  # the folder is this run's: leftovers of a killed write go
    clip, clip_status = load_clip(clip_model, clip_checkpoint)
    cases = suite_cases(probes, n, seed)

    records: dict[str, list[dict]] = {}
    with tqdm(
        total=sum(map(len, cases.values())), desc=f"probing {adapter.name}", disable=quiet, unit="case"
    ) as bar:
        for probe in probes:
            records[probe.name] = []
            for case in cases[probe.name]:
                bar.set_postfix_str(probe.name, refresh=False)
                path = out / "cases" / probe.name / f"{case.id}.json"
                record = _read_case(path, probe.name, case)
                if record is None or (retry_errors and record["status"] != "ok"):
                    record = _run_case(probe, case, adapter, out, seed, timeout_s, clip)
                    write_json(path, record)
                records[probe.name].append(record)
                bar.update()

    results = {
        "editor": adapter.name,
        "suite": [p.name for p in probes],
        "n": n,
        "seed": seed,
        "clip": clip_status,
        "cases_from": "toy world" if photos is None else f"{len(photos)} photos",
        "cases_total": sum(map(len, records.values())),
        "cases_failed": sum(r["status"] != "ok" for rs in records.values() for r in rs),
        "probes": {p.name: _probe_results(p, records[p.name], out) for p in probes},
    }
    write_json(out / "results.json", _finite(results))
    write_html(out / "report.html", results)
    return ProbeResults(results, out)


def editor_fingerprint(adapter) -> str:
    """What an editor's outputs depend on, so a resumed run never serves another editor's cases: the
    weights hash of a nanoedit ``Editor``, the URL of an HTTP editor, the module, name and source hash
    of a callable (a lambda edited, or another one, is another editor), the class and config of a
    pipeline."""
    import hashlib
    import inspect

    from .adapters import HttpEditor

    if isinstance(adapter, HttpEditor):
        return f"http:{adapter.url}"
    target = next((getattr(adapter, a) for a in ("fn", "editor", "pipeline") if hasattr(adapter, a)), adapter)
    owner = getattr(target, "__self__", target)  # a bound method: its object
    fingerprint = getattr(owner, "fingerprint", None)
    if isinstance(fingerprint, str):
        return f"nanoedit:{fingerprint}"
    config = getattr(owner, "config", None)
    if config is not None and hasattr(owner, "components"):  # a diffusers pipeline
        return f"pipeline:{type(owner).__module__}.{type(owner).__qualname__}:" + hashlib.sha256(
            json.dumps(dict(config), sort_keys=True, default=str).encode()).hexdigest()[:16]  # fmt: skip
    code = target if (inspect.isfunction(target) or inspect.ismethod(target)) else type(target)
    name = f"{getattr(code, '__module__', '?')}:{getattr(code, '__qualname__', type(code).__name__)}"
    try:
        source = inspect.getsource(code)
    except (OSError, TypeError):
        source = None
    if source is None:
        return f"callable:{name}"
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return f"callable:{name}:{digest}"


def clip_fingerprint(model: str, checkpoint) -> str | None:
    """The CLIP scorer's checkpoint (its path, size and modification time): its figures depend on it."""
    import os

    from .metrics import CLIP_CHECKPOINT_ENV

    checkpoint = checkpoint or os.environ.get(CLIP_CHECKPOINT_ENV)
    if not checkpoint:
        return None
    path = Path(checkpoint)
    try:
        stat = path.stat()
        return f"{model}:{path.resolve()}:{stat.st_size}:{int(stat.st_mtime)}"
    except OSError:
        return f"{model}:{checkpoint}:missing"


def _check_settings(n: Any, seed: Any, timeout_s: Any, turns: Any) -> None:
    def integer(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not integer(n) or not 1 <= n <= MAX_N:
        raise EvalError(f"n={n!r}: ask for 1 to {MAX_N} cases per probe")
    if not integer(seed):
        raise EvalError(f"seed={seed!r}: give an integer seed")
    if not integer(turns) or not 1 <= turns <= MAX_SESSION_TURNS:
        raise EvalError(f"turns={turns!r}: give 1 to {MAX_SESSION_TURNS} turns per multi-turn session")
    if timeout_s is not None and not (
        isinstance(timeout_s, (int, float)) and not isinstance(timeout_s, bool) and math.isfinite(timeout_s)
        and timeout_s > 0
    ):
        raise EvalError(f"timeout={timeout_s!r}: give a positive number of seconds per editor call")


def _read_json(path: Path) -> Any:
    """The JSON in ``path``, or None if it is missing, not a regular file, too big or not JSON."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_TEXT_BYTES:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def _read_case(path: Path, probe: str, case: Case) -> dict | None:
    """A finished case as written by ``_run_case``, or None (run it again) if the file is unusable:
    not JSON, another case's, another spec than this seed gives, or missing its fields."""
    record = _read_json(path)
    if not isinstance(record, dict) or record.get("id") != case.id or record.get("probe") != probe:
        return None
    try:
        if record.get("spec") != json.loads(json.dumps(case.spec)):
            return None
    except (TypeError, ValueError):
        return None
    if record.get("status") not in CASE_STATUSES:
        return None
    images, latencies, figures = record.get("images"), record.get("latencies_s"), record.get("figures")
    if not isinstance(images, list) or not all(
        isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item) for item in images
    ):
        return None
    if not isinstance(latencies, list) or not all(isinstance(x, (int, float)) for x in latencies):
        return None
    if record["status"] == "ok" and not isinstance(figures, dict):
        return None
    if any(Path(file).is_absolute() or ".." in Path(file).parts for _, file in images):
        return None  # a case file may only point at images inside the run folder
    return record


def _claim(out: Path, manifest: dict[str, Any]) -> None:
    """Record what ``out`` holds; refuse to mix cases of another editor or seed into it."""
    path = out / "run.json"
    if path.exists() or path.is_symlink():
        previous = _read_json(path)
        if not isinstance(previous, dict):
            raise EvalError(
                f"{path} is not a probe run's manifest (unreadable or not a JSON object); "
                "choose another --out or delete that folder"
            )
        if previous != manifest:
            changed = ", ".join(
                f"{k} {previous.get(k)!r} -> {v!r}" for k, v in manifest.items() if previous.get(k) != v
            )
            raise EvalError(
                f"{out} holds results of another run ({changed}); choose another --out or delete it"
            )
        return
    write_json(path, manifest)


def _run_case(probe: Probe, case: Case, adapter, out: Path, seed: int, timeout_s, clip) -> dict[str, Any]:
    ctx = CaseContext(adapter, out, out / "images" / probe.name / case.id, seed, timeout_s, clip)
    record = {"id": case.id, "probe": probe.name, "spec": case.spec, "status": "ok", "error": None}
    try:
        record["figures"] = _finite(probe.run(case, ctx))
    except EditFailed as failure:
        record.update(status="timeout" if failure.outcome.timed_out else "error", error=failure.outcome.error)
        record["figures"] = None
    record["images"] = ctx.images
    record["latencies_s"] = ctx.latencies
    return record


def _probe_results(probe: Probe, records: list[dict], out: Path) -> dict[str, Any]:
    done = [r for r in records if r["status"] == "ok"]
    try:
        summary = probe.summarize(done)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise EvalError(
            f"the case files in {out / 'cases' / probe.name} do not hold this probe's figures "
            f"({type(exc).__name__}: {exc}); delete that folder to re-run them, or choose another --out"
        ) from None
    plot_dir = out / "plots"
    plots = [(caption, f"plots/{file}") for caption, file in probe.plots(done, plot_dir)]
    ranked = sorted((r for r in done if r["images"]), key=lambda r: -probe.badness(r["figures"]))[
        :WORST_CASES
    ]
    worst_grid = None
    if ranked:
        rows = [
            (
                f"{r['id']} (badness {probe.badness(r['figures']):.2f})",
                [(label, out / file) for label, file in r["images"]],
            )
            for r in ranked
        ]
        worst_grid = "plots/" + case_grid(rows, plot_dir / f"{probe.name}_worst.png")
    return {
        "name": probe.name,
        "title": probe.title,
        "question": probe.question,
        "metric": probe.metric,
        "verdict": summary.verdict,
        "flags": summary.flags,
        "figures": _finite(summary.figures),
        "cases_done": len(done),
        "cases_failed": len(records) - len(done),
        "errors": [(r["id"], r["error"]) for r in records if r["status"] != "ok"],
        "plots": plots,
        "worst_grid": worst_grid,
        "worst_cases": [r["id"] for r in ranked],
        "cases": [{"id": r["id"], "status": r["status"], "figures": r["figures"]} for r in records],
    }


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: such figures become None (and numpy scalars plain numbers)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
