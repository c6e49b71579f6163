"""What every benchmark ends with: a table on stdout and the full report as JSON (atomically)."""

from __future__ import annotations

import json
from pathlib import Path

from nanoedit.io import write_text


def finish(title: str, rows: list[tuple[str, str, str]], report: dict, out: str | Path) -> dict:
    """Print ``title`` and the ``(figure, value, goal)`` rows, write ``report`` to ``out``."""
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(title)
    for figure, value, goal in rows:
        print(f"  {figure:<{width}}  {value:<{value_width}}  {goal}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return report
