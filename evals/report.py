"""Writing results: atomic files, matplotlib plots, worst-case image grids and the HTML report."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from nanoedit.io import atomic_path, load_image, write_text


def write_json(path: Path, document: Any) -> None:
    write_text(path, json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n")


def _save_figure(fig, path: Path) -> str:
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path.name


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    return plt


def latency_histograms(by_op: dict[str, list[float]], path: Path) -> str:
    """One small histogram per edit type on a shared millisecond axis, with p50 and p95 marked."""
    import numpy as np

    plt = _pyplot()
    ops = sorted(by_op)
    columns = 4
    rows = (len(ops) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(11, 1.9 * rows), sharex=True, squeeze=False)
    everything = np.concatenate([np.asarray(v) for v in by_op.values()]) * 1000
    bins = np.linspace(0, max(float(everything.max()), 1e-3) * 1.05, 30)
    for ax, op in zip(axes.flat, ops):
        times = np.asarray(by_op[op]) * 1000
        ax.hist(times, bins=bins, color="#4472c4")
        ax.axvline(np.percentile(times, 50), color="k", linestyle="--", linewidth=1)
        ax.axvline(np.percentile(times, 95), color="k", linestyle=":", linewidth=1)
        ax.set_title(f"{op} (n={len(times)})", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(ops) :]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("ms", fontsize=8)
    fig.tight_layout()
    return _save_figure(fig, path)


def turn_curves(curves: dict[str, dict[str, list[float | None]]], path: Path) -> str:
    """One panel per measure; one line per mode; turns on the x axis (missing values are gaps)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(curves), figsize=(5.5 * len(curves), 3.2), squeeze=False)
    for ax, (measure, by_mode) in zip(axes[0], curves.items()):
        for style, (mode, values) in zip(("-o", "--s", ":^"), by_mode.items()):  # overlapping lines stay visible
            turns = list(range(1, len(values) + 1))
            ax.plot(turns, [float("nan") if v is None else v for v in values], style, label=mode)
        ax.set_title(measure, fontsize=10)
        ax.set_xlabel("turn")
        ax.set_xticks(range(1, max(len(v) for v in by_mode.values()) + 1))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return _save_figure(fig, path)


def case_grid(rows: list[tuple[str, list[tuple[str, Path]]]], path: Path) -> str:
    """A grid of images: one row per case (titled with its id and badness), one column per image."""
    plt = _pyplot()
    width = max(len(images) for _, images in rows)
    fig, axes = plt.subplots(len(rows), width, figsize=(2.1 * width, 2.35 * len(rows)), squeeze=False)
    for ax_row, (title, images) in zip(axes, rows):
        for ax in ax_row:
            ax.axis("off")
        for column, (ax, (label, image_path)) in enumerate(zip(ax_row, images)):
            ax.imshow(load_image(image_path), interpolation="nearest")
            ax.set_title(f"{title}\n{label}" if column == 0 else f"\n{label}", fontsize=8, loc="left")
    fig.tight_layout()
    return _save_figure(fig, path)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
.flag { background: #c0392b; color: white; border-radius: 3px; padding: 1px 6px; margin: 0 4px 2px 0; font-size: 13px; display: inline-block; white-space: nowrap; }
.ok { background: #27ae60; color: white; border-radius: 3px; padding: 1px 6px; font-size: 13px; }
.verdict { font-size: 16px; margin: 8px 0; } .muted { color: #666; font-size: 13px; }
img { max-width: 100%; border: 1px solid #eee; }
"""


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and value and all(isinstance(v, (float, type(None))) for v in value):
        return ", ".join("n/a" if v is None else f"{v:.3g}" for v in value)
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        columns = list(dict.fromkeys(k for row in value.values() for k in row))
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ["", *columns])
        body = "".join(
            f"<tr><th>{html.escape(str(name))}</th>"
            + "".join(f"<td>{_value(row.get(c))}</td>" for c in columns)
            + "</tr>"
            for name, row in value.items()
        )
        return f"<table>{head}{body}</table>"
    if isinstance(value, dict):
        return "<br>".join(f"{html.escape(str(k))}: {_value(v)}" for k, v in value.items())
    return html.escape(str(value))


def _flags(flags: list[str]) -> str:
    return (
        "".join(f'<span class="flag">{html.escape(f)}</span>' for f in flags)
        or '<span class="ok">no flags</span>'
    )


def write_html(path: Path, results: dict[str, Any]) -> None:
    """The report: a summary table, then per probe its question, verdict, figures, plots and worst cases."""
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>nanoedit probes: {e(results['editor'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Black-box probes: {e(results['editor'])}</h1>",
        f"<p class='muted'>seed {results['seed']}, n {results['n']}, {results['cases_total']} cases "
        f"({results['cases_failed']} failed) from {e(results.get('cases_from', 'toy world'))}; "
        f"CLIP: {e(results['clip'])}</p>",
        "<table><tr><th>probe</th><th>flags</th><th>verdict</th></tr>",
    ]
    for probe in results["probes"].values():
        parts.append(
            f"<tr><td><a href='#{e(probe['name'])}'>{e(probe['title'])}</a></td><td>{_flags(probe['flags'])}</td>"
            f"<td>{e(probe['verdict'])}</td></tr>"
        )
    parts.append("</table>")
    for probe in results["probes"].values():
        parts += [
            f"<h2 id='{e(probe['name'])}'>{e(probe['title'])}</h2>",
            f"<p><b>Question.</b> {e(probe['question'])}<br><b>Metric.</b> {e(probe['metric'])}</p>",
            f"<p class='verdict'>{_flags(probe['flags'])} {e(probe['verdict'])}</p>",
            f"<p class='muted'>{probe['cases_done']} cases, {probe['cases_failed']} failed</p>",
            "<table>",
            *(f"<tr><th>{e(k)}</th><td>{_value(v)}</td></tr>" for k, v in probe["figures"].items()),
            "</table>",
        ]
        for caption, file in probe["plots"]:
            parts.append(f"<p class='muted'>{e(caption)}</p><img src='{e(file)}' alt='{e(caption)}'>")
        if probe["errors"]:
            parts.append("<p><b>Editor errors</b> (first few):</p><ul>")
            parts += [f"<li>{e(case_id)}: {e(message)}</li>" for case_id, message in probe["errors"][:5]]
            parts.append("</ul>")
        if probe["worst_grid"]:
            parts.append(
                f"<p class='muted'>Worst cases (worst first)</p><img src='{e(probe['worst_grid'])}' alt='worst cases'>"
            )
    parts.append("</body></html>\n")
    write_text(path, "\n".join(parts))
