"""Probes on user photos (no gold answer): real image-processing editors are told apart; CLIP figures only with a checkpoint."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image, ImageFilter
from test_evals_metrics import save_tiny_clip

import nanoedit as ne
from nanoedit.cli import main
from nanoedit.errors import EvalError
from nanoedit.evals import run_probes, select_probes
from nanoedit.evals.probes.photos import COLORS, load_photos

RGB = {"blue": (20, 40, 230), "green": (20, 160, 40), "red": (230, 30, 30), "yellow": (240, 220, 20),
       "purple": (130, 30, 150), "orange": (250, 140, 10)}  # fmt: skip
assert set(RGB) == set(COLORS)
N = 3  # cases per probe: paraphrase, control, paraphrase for routing


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """Two small "photos": smooth gradients with a subject-like blob, different per photo."""
    folder = tmp_path_factory.mktemp("photos")
    y, x = np.mgrid[0:48, 0:64]
    for index in range(2):
        array = np.stack([x * 4, y * 5, (x + y) * 2 + 40 * index], axis=-1).clip(0, 255).astype(np.uint8)
        array[(y - 24) ** 2 + (x - 30 - 6 * index) ** 2 < 120] = (200, 150, 120)
        Image.fromarray(array, "RGB").save(folder / f"photo_{index}.png")
    (folder / "notes.txt").write_text("not an image: skipped")
    return folder


def null(image, instruction):
    return image


def tint(image, instruction):
    """A colour-shift editor that follows the instruction, whatever the clause order: a tint toward the
    colours it names, then black and white if asked."""
    text = instruction.lower()
    named = [RGB[name] for name in sorted(RGB) if name in text]
    if named:
        colour = tuple(int(c) for c in np.mean(named, axis=0).round())
        image = Image.blend(image, Image.new("RGB", image.size, colour), 0.4)
    if "black and white" in text or "monochrom" in text or "grayscale" in text:
        image = image.convert("L").convert("RGB")
    return image


def first_clause_tint(image, instruction):
    """Does only the first clause (an order-dependent editor)."""
    return tint(image, instruction.split(" and ")[0].split(", ")[0])


def wording_blur(image, instruction):
    """A blur whose radius depends on the instruction's wording, not its meaning."""
    return image.filter(ImageFilter.GaussianBlur(1 + len(instruction) % 5))


def slow_tone(image, instruction):
    if "black and white" in instruction.lower():
        time.sleep(0.03)
    return tint(image, instruction)


@pytest.mark.parametrize(
    "editor, suite, expected",
    [
        (null, "identity,composition,routing,multiturn",
         {p: ["edits not applied"] for p in ("identity", "composition", "routing", "multiturn")}),
        (tint, "composition,routing,multiturn", {}),
        (first_clause_tint, "composition", {"composition": ["order-sensitive"]}),
        (wording_blur, "routing", {"routing": ["routing-sensitive"]}),
        (slow_tone, "latency", {"latency": ["conditional paths"]}),
    ],
)  # fmt: skip
def test_photo_probes_tell_editors_apart(editor, suite, expected, photos, tmp_path, monkeypatch):
    monkeypatch.delenv("NANOEDIT_CLIP_CHECKPOINT", raising=False)
    results = run_probes(editor, suite=suite, images=photos, out=tmp_path, n=N, seed=0, quiet=True)
    assert results.results["cases_from"] == "2 photos" and results.results["cases_failed"] == 0
    for probe, summary in results.results["probes"].items():
        assert summary["flags"] == expected.get(probe, []), (probe, summary["verdict"])
    figures = results.figures()
    if editor is tint:
        assert figures["routing"]["jump_mean"] == 0.0 and figures["routing"]["control_jump"] > 0.25
        assert figures["composition"]["order_spread"] == 0.0
        assert figures["multiturn"]["multipass_drift"][-1] > 0.01
        assert (
            figures["multiturn"]["multipass_retention"] == [None] * 4
        )  # CLIP figures: unavailable, not faked
        assert "unavailable" in results["multiturn"]["verdict"]
    if editor is slow_tone:
        assert figures["latency"]["slow_ops"] == ["tone"]
    cases = {c.parent.name for c in (tmp_path / "cases").glob("*/*.json")}
    assert cases == set(suite.split(",")) and (tmp_path / "report.html").is_file()


def test_clip_figures_on_photos_with_a_checkpoint(photos, tmp_path):
    _, checkpoint = save_tiny_clip(tmp_path)
    results = run_probes(
        tint, suite="identity,multiturn", images=photos, out=tmp_path / "out", n=2, turns=2, quiet=True,
        clip_model="nanoedit-test-tiny-clip", clip_checkpoint=checkpoint,
    )  # fmt: skip
    figures = results.figures()
    assert -1.0 <= figures["identity"]["identity_clip"] <= 1.0
    retention = figures["multiturn"]["multipass_retention"]
    assert retention[0] is None and isinstance(retention[1], float)  # turn 1 has no earlier edit
    assert "unavailable" not in results["identity"]["verdict"]


def test_photo_inputs_and_resume(photos, tmp_path):
    names = [name for name, _ in load_photos(photos)]
    assert names == ["photo_0.png", "photo_1.png"]
    assert [n for n, _ in load_photos([photos / "photo_1.png"])] == ["photo_1.png"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EvalError, match="holds no images"):
        load_photos(empty)
    with pytest.raises(EvalError, match="cannot read the image"):
        load_photos([photos / "notes.txt"])

    routing = select_probes("routing", photos=load_photos(photos))[0].cases(6, 0)
    for case in routing:
        a, b = case.spec["a"].split(), case.spec["b"].split()
        if case.spec["kind"] == "control":  # the same wording, one colour word swapped
            assert len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1, case.spec
        else:
            assert a != b
    assert [c.spec["image"] for c in routing[:3]] == ["photo_0.png", "photo_1.png", "photo_0.png"]

    out = tmp_path / "out"
    ne.evals.run_probes(null, suite="routing", images=photos, out=out, n=2, quiet=True)
    assert json.loads((out / "run.json").read_text())["images"] == names
    with pytest.raises(EvalError, match="another run"):  # other photos: refuse to mix their cases in
        run_probes(null, suite="routing", images=[photos / "photo_0.png"], out=out, n=2, quiet=True)


def test_cli_probe_on_photos(photos, tmp_path, monkeypatch, capsys):
    (tmp_path / "photo_editors.py").write_text("def null(image, instruction):\n    return image\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    argv = ["-q", "probe", "--editor", "python:photo_editors:null", "--suite", "routing", "-n", "2"]
    assert main([*argv, "--images", str(photos), "--out", str(tmp_path / "report")]) == 0
    assert "edits not applied" in capsys.readouterr().out
    assert main([*argv, "--images", str(tmp_path / "missing"), "--out", str(tmp_path / "r2")]) == 2
    assert "cannot read the image" in capsys.readouterr().err


def test_evals_is_a_lazy_attribute_of_nanoedit():
    # In a fresh interpreter: here nanoedit.evals is imported already. (``ne.evals.run_probes`` runs in
    # test_photo_inputs_and_resume.)
    code = (
        "import sys, nanoedit as ne\n"
        "assert 'torch' not in sys.modules and 'nanoedit.evals' not in sys.modules\n"
        "assert ne.evals.__name__ == 'nanoedit.evals' and 'run_probes' in ne.evals.__all__\n"
        "assert 'torch' not in sys.modules  # nanoedit.evals is light too, until a name of it is used\n"
        "try:\n    ne.no_such_name\nexcept AttributeError as exc:\n    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "has no attribute 'no_such_name'" in run.stdout
