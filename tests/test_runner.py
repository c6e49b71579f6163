"""`run_plan` / `nanoedit run`: every example plan runs as a session; expectations, retries, masks, outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nanoedit.errors import ExpectationError
from nanoedit.graph_cli import load_graphs
from nanoedit.runner import run_plan

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples" / "plans").glob("*.yaml"))


@pytest.fixture(scope="module")
def editor(tiny_bundle):
    from nanoedit.editor import Editor

    return Editor.from_pretrained(tiny_bundle)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_plan_runs(example, editor, tmp_path):
    from nanoedit.plans import load_plan

    plan = load_plan(example)
    result = run_plan(example, tmp_path, editor=editor, keep_going=True)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["turns_run"] == len(plan.turns) == len(result.turns)
    for turn, planned in zip(result.turns, plan.turns):
        assert "error" not in turn["attempts"][-1], turn["attempts"]
        assert [c["metric"] for c in turn["expectations"]] == list(planned.expect)
        assert set(turn["figures"]) >= {"identity", "preservation", "edit", "psnr", "ssim"}
    html = (tmp_path / "report.html").read_text()
    assert html.count("class='mermaid'") == len(plan.turns) and "data:image/png;base64," in html
    save = set(plan.outputs.save)
    assert (tmp_path / "final.png").is_file() == ("final" in save)
    assert (tmp_path / "turn1.png").is_file() == ("turns" in save)
    assert (tmp_path / "turn1_graph.yaml").is_file() == ("graphs" in save)
    assert (tmp_path / "turn1_trace.json").is_file() == ("trace" in save)
    # one turn loop: `graph show` plans exactly the graphs the run executed (identity lock included)
    shown = load_graphs(example)
    assert [g.to_dict()["nodes"] for g in shown] == [t["graph"]["nodes"] for t in result.turns]


def test_graph_show_plans_like_a_session():
    graphs = load_graphs(ROOT / "examples" / "plans" / "single_edit.yaml")
    assert [n.op.value for n in graphs[0].schedule()] == ["identity_lock", "recolor"]


def plan_file(folder: Path, turns: str, inputs: str = "scene: {seed: 7, size: 64}") -> Path:
    path = folder / "plan.yaml"
    path.write_text(f"input:\n  {inputs}\noptions: {{seed: 0, steps: 2}}\nturns:\n{turns}outputs: {{dir: out}}\n")
    return path


def test_a_failed_expectation_names_the_turn_and_figure(editor, tmp_path):
    plan = plan_file(tmp_path, "  - instruction: make the circle blue\n"
                               "  - instruction: make the square red\n    expect: {edit: '>= 2'}\n"
                               "  - instruction: make the background yellow\n")  # fmt: skip
    with pytest.raises(ExpectationError, match=r"turn 2: edit = [\d.]+, expected >= 2"):
        run_plan(plan, tmp_path / "stop", editor=editor)
    stopped = json.loads((tmp_path / "stop" / "report.json").read_text())
    assert stopped["turns_run"] == 2 and not stopped["passed"]
    kept = run_plan(plan, tmp_path / "all", editor=editor, keep_going=True)
    assert kept.report["turns_run"] == 3 and not kept.passed and len(kept.failures) == 1


def test_retry_until_expectations_met_keeps_every_attempt(editor, tmp_path):
    plan = plan_file(tmp_path, "  - instruction: make the circle blue\n    expect: {preservation: '> 1'}\n"
                               "    retry: {max: 3, until: expectations_met}\n")  # fmt: skip
    result = run_plan(plan, tmp_path / "out", editor=editor, keep_going=True)
    attempts = result.turns[0]["attempts"]
    assert [a["seed"] for a in attempts] == [0, 1, 2] and not any(a["expectations_met"] for a in attempts)
    assert [v.id for v in result.session.history.children("v0")] == ["v1", "v2", "v3"]


def test_user_masks_and_image_inputs(editor, tmp_path):
    from nanoedit.toyworld import Scene, render

    render(Scene.random(7, size=64)).image.save(tmp_path / "photo.png")
    mask = np.zeros((64, 64), np.uint8)
    mask[40:60, 40:60] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    plan = plan_file(tmp_path, "  - instruction: make it blue\n    mask: mask.png\n", "image: photo.png")
    result = run_plan(plan, tmp_path / "out", editor=editor, keep_going=True)
    nodes = result.turns[0]["nodes"]
    assert [n["mask"] for n in nodes if n["op"] != "identity_lock"] == ["user"]


def test_cli_run_exits_1_naming_the_turn_and_figure(tiny_bundle, tmp_path):
    bad = plan_file(tmp_path, "  - instruction: make the circle blue\n    expect: {edit: '>= 2'}\n"
                              "  - instruction: make the square red\n")  # fmt: skip
    command = [sys.executable, "-m", "nanoedit", "-q", "run", str(bad), "-o", str(tmp_path / "b"), "--model",
               str(tiny_bundle), "--keep-going"]  # fmt: skip
    failed = subprocess.run(command, capture_output=True, text=True)
    assert failed.returncode == 1 and "turn 1: edit" in failed.stderr, failed.stderr
    assert json.loads((tmp_path / "b" / "report.json").read_text())["turns_run"] == 2
    assert (tmp_path / "b" / "report.html").is_file()
