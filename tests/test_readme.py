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
