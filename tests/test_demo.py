"""`nanoedit demo`: a multi-turn session on held-out test scenes, with the exact target and the oracle's verdict."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nanoedit.demo import pick_session, run_demo, truth_graph
from nanoedit.session import initial_context, next_context, plan_turn
from nanoedit.toyworld import apply_graph, render
from nanoedit.toyworld.datasets import split_of


def test_the_demo_picks_held_out_scenes_with_prompts_the_planner_reads():
    scene, prompts = pick_session(3)
    assert split_of(scene) == "test" and len(prompts) == 3
    context, current = initial_context(render(scene).image), scene
    for prompt in prompts:  # the session plans exactly these graphs, from pixels and text
        graph = plan_turn(prompt, context)
        assert len([n for n in graph.nodes if n.op.value != "identity_lock"]) >= 2  # compound prompts
        current = apply_graph(current, truth_graph(graph))
        context = next_context(context, graph)


def test_run_demo_writes_images_sheet_and_verdicts(tiny_bundle, tmp_path):
    from nanoedit.editor import Editor

    turns = run_demo(tmp_path, editor=Editor.from_pretrained(tiny_bundle), verbose=False)
    assert len(turns) == 3
    names = {p.name for p in tmp_path.iterdir()}
    assert {"source.png", "contact_sheet.png", "verdicts.json", "turn1_graph.yaml"} <= names
    verdicts = json.loads((tmp_path / "verdicts.json").read_text())
    assert [v["turn"] for v in verdicts] == [1, 2, 3]
    assert all(v["summary"] is None or v["summary"].startswith(("PASS", "FAIL")) for v in verdicts)


@pytest.mark.parametrize("where", ["cwd"])
def test_cli_demo_writes_into_demo_out_in_the_current_folder(tiny_bundle, tmp_path, where):
    result = subprocess.run([sys.executable, "-m", "nanoedit", "demo", "--model", str(tiny_bundle)],
                            capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "turn 3: " in result.stdout and "oracle:" in result.stdout and "route " in result.stdout
    assert (tmp_path / "demo_out" / "contact_sheet.png").is_file()
