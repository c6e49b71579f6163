"""The command line: one-line errors with exit 2, never a traceback; output formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import nanoedit

GRAPH_PLAN = """
input: {scene: {seed: 1}}
turns:
  - graph:
      nodes:
        - {id: keep, op: identity_lock}
        - {id: rm, op: remove, target: {noun: circle, color: red}}
        - {id: bg, op: background, params: {color: blue}}
      edges: [[keep, rm]]
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nanoedit", *args], capture_output=True, text=True, cwd=cwd)


def assert_user_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert fragment in lines[0], lines[0]


def test_version_and_help():
    assert run("--version").stdout.strip() == f"nanoedit {nanoedit.__version__}"
    help_text = run("--help").stdout
    assert "graph" in help_text and "usage: nanoedit" in help_text


def test_graph_validate_and_show_every_format(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(GRAPH_PLAN)
    ok = run("graph", "validate", str(plan))
    assert ok.returncode == 0 and "ok:" in ok.stdout and "3 nodes" in ok.stdout
    shown = run("graph", "show", str(plan), "--format", "json")
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["run_order"] == ["keep", "rm", "bg"]
    assert "# run order: keep -> rm -> bg" in run("graph", "show", str(plan)).stdout
    assert run("graph", "show", str(plan), "--format", "dot").stdout.startswith("digraph")
    assert run("graph", "show", str(plan), "--format", "mermaid").stdout.startswith("flowchart")


def test_a_bare_graph_file_validates(tmp_path):
    graph = nanoedit.InstructionGraph.from_dict(
        {"nodes": [{"id": "t", "op": "tone", "params": {"tone": "warm"}}]}
    )
    (tmp_path / "g.json").write_text(graph.to_json())
    (tmp_path / "g.yaml").write_text(graph.to_yaml())
    assert run("graph", "validate", str(tmp_path / "g.json")).returncode == 0
    assert run("graph", "validate", str(tmp_path / "g.yaml")).returncode == 0


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("input: {scene: {seed: 1}}\nturns:\n\t- instruction: x\n", ":3:1: YAML syntax error"),
        ("input: {scene: {seed: 1}}\nturns: [{instruction: x, colour: red}]\n", "unknown key 'colour'"),
        (GRAPH_PLAN.replace("[[keep, rm]]", "[[keep, rm], [rm, keep]]"), "cycle"),
        (GRAPH_PLAN.replace("[[keep, rm]]", "[[keep, ghost]]"), "ghost"),
        (GRAPH_PLAN.replace("op: remove", "op: vaporise"), "vaporise"),
        (GRAPH_PLAN.replace("params: {color: blue}", "params: {}"), "background edit needs"),
        ("input: {image: ../x.png}\nturns: [{instruction: x}]\n", "--allow-outside"),
    ],
    ids=["tab", "unknown-key", "cycle", "dangling-edge", "unknown-op", "missing-param", "outside-path"],
)
def test_bad_plans_exit_2_with_one_line(tmp_path, text, fragment):
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    assert_user_error(run("graph", "validate", str(plan)), fragment)


def test_missing_file_and_bad_arguments_are_one_line(tmp_path):
    assert_user_error(run("graph", "validate", str(tmp_path / "nope.yaml")), "not found")
    assert_user_error(run("graph", "show", "x.yaml", "--format", "png"), "invalid choice")
    assert_user_error(run("frobnicate"), "invalid choice")
