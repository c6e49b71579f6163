"""The README's Python API example runs as written (in a scratch folder with the examples beside it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_readme_api_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    example = blocks[0]
    assert "ne.plan(" in example and "run_probes(" in example
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "README.md", "exec"), {})
    assert (tmp_path / "edited.png").is_file()
    assert (tmp_path / "report" / "report.html").is_file()


def test_readme_editor_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    example = next(b for b in blocks if "editor.edit(" in b)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(example, "README.md", "exec"), scope)  # the embedded model, as a user would run it
    assert (tmp_path / "edited.png").is_file()
    assert any(n.get("adapter") for n in scope["result"].trace["nodes"])


def test_readme_session_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    example = next(b for b in blocks if "ne.Session(" in b)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(example, "README.md", "exec"), scope)
    assert scope["again"].branches() == scope["session"].branches()
    assert (tmp_path / "out" / "multi_turn" / "report.html").is_file()
