"""Black-box probe suite: evaluate any image editor (ours, a diffusers pipeline, a remote service).

``run_probes(editor, suite="all", out=DIR, n=..., seed=...)`` runs five probes (identity stress,
compositionality / order, routing sensitivity, latency profile, multi-turn resilience) on toy-world
cases with exact ground truth or, with ``images=``, on the user's photos (figures relative to the
source and between outputs; CLIP figures with a local checkpoint), and writes ``results.json`` and
``report.html``. Names load lazily so
that ``import nanoedit.evals`` stays light (no torch until a metric or probe is used).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "run_probes": "runner",
    "ProbeResults": "runner",
    "select_probes": "runner",
    "PROBES": "probes",
    "PHOTO_PROBES": "probes.photos",
    "load_photos": "probes.photos",
    "EditRequest": "adapters",
    "EditOutcome": "adapters",
    "EditorAdapter": "adapters",
    "CallableEditor": "adapters",
    "MethodEditor": "adapters",
    "PipelineEditor": "adapters",
    "HttpEditor": "adapters",
    "as_editor": "adapters",
    "load_editor": "adapters",
    "call_editor": "adapters",
    "serve_editor": "adapters",
    "pixel_metrics": "metrics",
    "ClipScorer": "metrics",
    "load_clip": "metrics",
    "oracle_figures": "metrics",
    "GoldIndex": "reference",
    "reference_editors": "reference",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nanoedit.evals' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
