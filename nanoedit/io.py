"""Reading images and writing files safely.

Writes go to a temporary file beside the target, renamed into place when complete: a crash or
Ctrl-C mid-write leaves the old file (or none), never a half-written one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from nanoedit.errors import NanoeditError


def load_image(
    source: Image.Image | str | os.PathLike, error: type[NanoeditError] = NanoeditError, what: str = "the image"
) -> Image.Image:
    """An RGB PIL image from an image or a path; a missing or unreadable file raises ``error``
    naming ``what`` was read, so each caller reports it as its own kind of user error."""
    if isinstance(source, Image.Image):
        return source.convert("RGB")
    try:
        with Image.open(source) as img:
            return img.convert("RGB")
    except (FileNotFoundError, IsADirectoryError, UnidentifiedImageError) as exc:
        raise error(f"cannot read {what} {source} ({exc}); give an image file PIL can open") from None


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``path`` only if the block finishes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; the result is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def save_image(path: str | os.PathLike, image: Image.Image, format: str = "PNG") -> None:
    with atomic_path(path) as tmp:
        image.save(tmp, format=format)
