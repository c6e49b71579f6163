"""`nanoedit demo`: the default plan is planned and executed end to end, with files written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from nanoedit.demo import DEFAULT_PLAN, run_demo
from nanoedit.errors import EditorError


def test_default_plan_runs_every_turn(tmp_path):
    samples = run_demo(DEFAULT_PLAN, tmp_path, verbose=False)
    assert len(samples) == 3
    first, second, third = samples
    assert not any(o.shape == "star" and o.color == "pink" for o in first.target.objects)
    circle = next(o for o in first.target.objects if o.shape == "circle")
    assert circle.color == "blue"
    # "move it" in turn 2 resolves to the circle edited in turn 1.
    assert next(o for o in second.target.objects if o.shape == "circle").position == "top left"
    assert third.target.character.glasses and third.target.lighting == "sunset"
    assert (tmp_path / "demo.png").is_file()
    assert sorted(p.name for p in tmp_path.glob("turn*_graph.yaml")) == [f"turn{i}_graph.yaml" for i in (1, 2, 3)]


def test_photo_plans_get_a_clear_error(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "cat.png")
    (tmp_path / "plan.yaml").write_text("input: {image: cat.png}\nturns: [{instruction: make it red}]\n")
    with pytest.raises(EditorError, match="toy-world scenes"):
        run_demo(tmp_path / "plan.yaml", tmp_path, verbose=False)


def test_cli_demo(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nanoedit", "demo", "-o", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "turn 3: put glasses on him, then make it sunset" in result.stdout


@pytest.mark.parametrize("example", sorted((Path(__file__).parents[1] / "examples" / "plans").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_examples_plan_and_run(example, tmp_path):
    samples = run_demo(example, tmp_path, verbose=False)
    assert all(s.source != s.target for s in samples)

