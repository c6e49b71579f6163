"""Editor adapters: callables, .edit objects, HTTP (a real local server), spec strings, errors and timeouts."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image, ImageOps

import nanoedit
from nanoedit.errors import EditorError
from nanoedit.evals.adapters import (
    EditRequest,
    HttpEditor,
    as_editor,
    call_editor,
    load_editor,
    serve_editor,
    to_rgb_image,
)

IMAGE = Image.fromarray(np.arange(16 * 16 * 3, dtype=np.uint8).reshape(16, 16, 3), "RGB")


def invert(image, instruction):
    return ImageOps.invert(image)


def test_callable_gets_only_the_keywords_it_accepts():
    seen = {}

    def with_mask(image, instruction, mask=None, seed=0):
        seen.update(mask=mask, seed=seed)
        return image

    mask = Image.new("L", IMAGE.size, 255)
    as_editor(with_mask).edit(EditRequest(IMAGE, "x", mask=mask, history=("a",), seed=7))
    assert seen == {"mask": mask, "seed": 7}
    assert as_editor(invert).edit(EditRequest(IMAGE, "x")).tobytes() == ImageOps.invert(IMAGE).tobytes()


def test_edit_method_objects_plug_in_like_nanoedit_editor():
    class Result:
        def __init__(self, image):
            self.image = image

    class Editor:
        def edit(self, image, instruction, mask=None, seed=0):
            return Result(ImageOps.invert(image))

    adapter = as_editor(Editor())
    assert adapter.name == "Editor"
    assert adapter(IMAGE, "invert").tobytes() == ImageOps.invert(IMAGE).tobytes()


def test_outputs_are_coerced_and_resized():
    floats = np.ones((8, 8, 3), np.float32)
    assert to_rgb_image(floats).getpixel((0, 0)) == (255, 255, 255)
    with pytest.raises(EditorError, match="return a PIL image"):
        to_rgb_image(42)
    outcome = call_editor(as_editor(lambda image, instruction: image.resize((8, 8))), EditRequest(IMAGE, "x"))
    assert outcome.ok and outcome.resized and outcome.image.size == IMAGE.size


def test_errors_and_timeouts_are_recorded_not_raised():
    def broken(image, instruction):
        raise RuntimeError("model exploded")

    outcome = call_editor(as_editor(broken), EditRequest(IMAGE, "x"), timeout_s=5)
    assert not outcome.ok and "model exploded" in outcome.error and not outcome.timed_out

    def slow(image, instruction):
        time.sleep(2)
        return image

    start = time.perf_counter()
    outcome = call_editor(as_editor(slow), EditRequest(IMAGE, "x"), timeout_s=0.2)
    assert outcome.timed_out and not outcome.ok and time.perf_counter() - start < 1.5
    assert "the editor returned" in call_editor(as_editor(lambda i, t: "nope"), EditRequest(IMAGE, "x")).error


def test_http_round_trip_against_a_local_server():
    calls = []

    def remember(image, instruction, mask=None, history=()):
        calls.append((instruction, mask.size if mask else None, list(history)))
        return ImageOps.invert(image)

    with serve_editor(remember) as server:
        assert server.url.startswith("http://127.0.0.1:")
        remote = load_editor(server.url)
        assert isinstance(remote, HttpEditor)
        request = EditRequest(IMAGE, "invert it", mask=Image.new("L", IMAGE.size, 255), history=("before",))
        assert remote.edit(request).tobytes() == ImageOps.invert(IMAGE).tobytes()
        assert calls == [("invert it", IMAGE.size, ["before"])]

    def failing(image, instruction):
        raise ValueError("no GPU")

    with serve_editor(failing) as server:
        outcome = call_editor(HttpEditor(server.url), EditRequest(IMAGE, "x"))
        assert "HTTP 500" in outcome.error and "no GPU" in outcome.error
    outcome = call_editor(HttpEditor(server.url, timeout_s=2), EditRequest(IMAGE, "x"))  # server closed
    assert "cannot reach" in outcome.error


def test_spec_strings(tmp_path, monkeypatch):
    (tmp_path / "my_editors.py").write_text(
        "from PIL import ImageOps\n"
        "def invert(image, instruction):\n    return ImageOps.invert(image)\n"
        "class Flip:\n    def edit(self, image, instruction):\n        return ImageOps.mirror(image)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_editor("python:my_editors:invert")(IMAGE, "x").tobytes() == ImageOps.invert(IMAGE).tobytes()
    assert load_editor("python:my_editors:Flip")(IMAGE, "x").tobytes() == ImageOps.mirror(IMAGE).tobytes()
    for spec, message in [
        ("python:my_editors:missing", "has no attribute"),
        ("python:not_a_module_xyz:f", "cannot import"),
        ("python:my_editors", "python:module:attribute"),
        ("ftp://host", "unknown editor"),
    ]:
        with pytest.raises(EditorError, match=message):
            load_editor(spec)


@pytest.mark.skipif(hasattr(nanoedit, "Editor"), reason="nanoedit.Editor exists: `ours` loads it")
def test_ours_says_clearly_that_the_editor_does_not_exist_yet():
    with pytest.raises(EditorError, match="needs nanoedit.Editor"):
        load_editor("ours")
