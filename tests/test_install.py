"""The package installs as a wheel whose modules import the same way as the editable install."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
AREAS = ["graphs", "planner", "experts", "fusion", "backbone", "evals"]


def test_wheel_maps_folders_into_the_namespace_and_imports(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(tmp_path.glob("nanoedit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for area in AREAS:
        assert f"nanoedit/{area}/__init__.py" in names, area
    assert "nanoedit/graphs/schema.py" in names and not any(n.startswith("graphs/") for n in names)
    # Every module of the source tree made it into the wheel under its namespaced path.
    for area in AREAS:
        for source in (ROOT / area).rglob("*.py"):
            assert f"nanoedit/{area}/{source.relative_to(ROOT / area).as_posix()}" in names, source

    # The embedded model ships inside the package, so Editor.default() works from a plain install.
    shipped = [p for p in (ROOT / "nanoedit" / "models").rglob("*") if p.suffix in (".json", ".safetensors")]
    assert any(p.name == "model_index.json" for p in shipped)
    for path in shipped:
        assert f"nanoedit/{path.relative_to(ROOT / 'nanoedit').as_posix()}" in names, path

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    code = "import nanoedit.graphs, nanoedit.plans; print(nanoedit.graphs.__file__)"
    # -S skips site-packages (and the editable finder); the venv's own packages come via PYTHONPATH;
    # cwd is not the checkout, whose bare nanoedit/ folder would shadow the wheel.
    venv_site = next(p for p in sys.path if p.endswith("site-packages"))
    result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": f"{site}:{venv_site}"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(site / "nanoedit" / "graphs" / "__init__.py")


def test_editable_install_maps_the_same_names():
    import nanoedit.graphs

    assert Path(nanoedit.graphs.__file__) == ROOT / "graphs" / "__init__.py"
