"""nanoedit.io: images load as RGB with the caller's typed error; writes are all-or-nothing."""

from __future__ import annotations

import pytest
from PIL import Image

from nanoedit.errors import EvalError
from nanoedit.io import atomic_path, load_image, write_text


def test_load_image_reports_unreadable_files_as_the_callers_error(tmp_path):
    Image.new("L", (4, 3), 7).save(tmp_path / "gray.png")
    image = load_image(tmp_path / "gray.png")
    assert image.mode == "RGB" and image.size == (4, 3)
    (tmp_path / "notes.txt").write_text("not an image")
    for path in (tmp_path / "notes.txt", tmp_path / "missing.png", tmp_path):
        with pytest.raises(EvalError, match="cannot read the image"):
            load_image(path, error=EvalError)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "result.json"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]
