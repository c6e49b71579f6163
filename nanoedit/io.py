"""Reading user files and writing results safely, with typed errors and bounded work.

Writes go to a temporary file beside the target, renamed into place when complete: a crash or
Ctrl-C mid-write leaves the old file (or none), never a half-written one. The temporaries are named
``.<name>.<random>.tmp``; ``remove_stale_temporaries`` deletes the ones a killed run left behind.

Reads are checked before any work is done: only regular files are read (a FIFO named ``x.png``
would block forever), text files have a size limit and must be UTF-8, and an image's header is
checked against ``MAX_IMAGE_PIXELS`` before its pixels are decoded (a decompression bomb or a
20000x20000 header is refused in microseconds). Paths with a NUL byte or too long for the system
are user errors like any other.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from nanoedit.errors import NanoeditError, OutputError

# The largest image nanoedit decodes: 8192 x 8192. Larger is refused from its header alone.
MAX_IMAGE_PIXELS = 8192 * 8192
# The largest text document (plan, graph, config) read: 4 MiB.
MAX_TEXT_BYTES = 4 * 1024 * 1024
MAX_PATH_CHARS = 4096
TEMP_SUFFIX = ".tmp"

# PIL's own bomb check warns below 2x its limit and raises above; ours is explicit and exact.
Image.MAX_IMAGE_PIXELS = None


def check_path(path: str | os.PathLike, error: type[NanoeditError] = NanoeditError, what: str = "the path") -> Path:
    """``path`` as a ``Path``, refusing what the operating system cannot even look up."""
    if not isinstance(path, (str, os.PathLike)):
        raise error(f"{what} must be a file path (str or Path), got {type(path).__name__}")
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    if "\x00" in text:
        raise error(f"{what} {text[:80]!r} holds a NUL byte; give a real file path")
    if len(text) > MAX_PATH_CHARS or any(len(part) > 255 for part in Path(text).parts):
        raise error(f"{what} {text[:60]!r}... is {len(text)} characters, too long; give a shorter path")
    if not text:
        raise error(f"{what} is empty; give a file path")
    return Path(text)


def _regular_file(path: Path, error: type[NanoeditError], what: str) -> os.stat_result:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise error(f"cannot read {what} {path}: file not found; check the path") from None
    except OSError as exc:
        raise error(f"cannot read {what} {path} ({exc.strerror or exc}); check the path and its permissions") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise error(f"cannot read {what} {path}: it is {kind}; give a regular file")
    return info


def read_bytes(
    path: str | os.PathLike,
    error: type[NanoeditError] = NanoeditError,
    what: str = "the file",
    max_bytes: int = MAX_TEXT_BYTES,
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else raises ``error``."""
    path = check_path(path, error, what)
    info = _regular_file(path, error, what)
    if info.st_size > max_bytes:
        raise error(f"{what} {path} is {info.st_size} bytes; the limit is {max_bytes}, give a smaller file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read {what} {path} ({exc.strerror or exc}); check its permissions") from None
    if len(data) > max_bytes:
        raise error(f"{what} {path} is over {max_bytes} bytes; give a smaller file")
    return data


def decode_text(data: bytes | str, error: type[NanoeditError] = NanoeditError, what: str = "the text") -> str:
    """UTF-8 text (a UTF-8 BOM is dropped) without NUL bytes; anything else raises ``error``."""
    if isinstance(data, str):
        text = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise error(f"{what} is UTF-16; save it as UTF-8")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"{what} is not UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); save it as UTF-8") from None
    else:
        raise error(f"{what} must be text (str or UTF-8 bytes), got {type(data).__name__}")
    if "\x00" in text:
        raise error(f"{what} holds a NUL byte at character {text.index(chr(0))}; it is not a text file")
    return text


def read_text(
    path: str | os.PathLike,
    error: type[NanoeditError] = NanoeditError,
    what: str = "the file",
    max_bytes: int = MAX_TEXT_BYTES,
) -> str:
    """A UTF-8 text file of at most ``max_bytes``, read with every failure as ``error``."""
    return decode_text(read_bytes(path, error, what, max_bytes), error, f"{what} {path}")


def _open_checked(path: Path, error: type[NanoeditError], what: str) -> Image.Image:
    """An opened (not yet decoded) image whose header says a size within ``MAX_IMAGE_PIXELS``."""
    _regular_file(path, error, what)
    try:
        with warnings.catch_warnings():  # PIL warns about damaged metadata; the checks below decide
            warnings.simplefilter("ignore")
            img = Image.open(path)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise error(f"cannot read {what} {path} ({exc}); give an image file PIL can open") from None
    width, height = img.size
    if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
        img.close()
        raise error(
            f"{what} {path} says it is {width}x{height} pixels; nanoedit reads images of 1 to "
            f"{MAX_IMAGE_PIXELS} pixels, resize it"
        )
    return img


def check_image(path: str | os.PathLike, error: type[NanoeditError] = NanoeditError, what: str = "the image") -> tuple[int, int]:
    """Cheaply check that ``path`` is a readable, complete image of a sane size; return (width, height).

    Only the header is parsed and the file's structure verified (chunk CRCs for PNG); no pixels are
    decoded, so a decompression bomb costs nothing.
    """
    path = check_path(path, error, what)
    img = _open_checked(path, error, what)
    size = img.size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img.verify()
    except Exception as exc:  # noqa: BLE001 - PIL's verify raises many types for one cause: a broken file
        raise error(f"{what} {path} is damaged or truncated ({exc or type(exc).__name__}); re-export it") from None
    finally:
        img.close()
    return size


def load_image(
    source: Image.Image | str | os.PathLike, error: type[NanoeditError] = NanoeditError, what: str = "the image"
) -> Image.Image:
    """An RGB PIL image from an image or a path; a missing, unreadable, truncated or oversized file
    raises ``error`` naming ``what`` was read, so each caller reports it as its own kind of user error."""
    if isinstance(source, Image.Image):
        width, height = source.size
        if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
            raise error(f"{what} is {width}x{height} pixels; give an image of 1 to {MAX_IMAGE_PIXELS} pixels")
        return source.convert("RGB")
    path = check_path(source, error, what)
    img = _open_checked(path, error, what)
    try:
        with img, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return img.convert("RGB")
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        raise error(f"cannot read {what} {path} ({exc}); the file is damaged or truncated, re-export it") from None


def _blocked_output(path: Path) -> str | None:
    """Why ``path`` (resolved) cannot hold nanoedit's outputs, or None."""
    text = str(path)
    for system in ("/proc", "/sys", "/dev"):
        if text == system or text.startswith(system + "/"):
            return f"it is under {system}, a system folder"
    return None


def prepare_output_dir(path: str | os.PathLike, what: str = "output folder") -> Path:
    """Create (if needed) and return the folder ``path`` for results, or raise ``OutputError``:
    an existing file, a path under a file, a device, a system folder or an unwritable place."""
    path = check_path(path, OutputError, f"the {what}")
    resolved = path.resolve()
    reason = _blocked_output(resolved)
    if reason is None:
        for parent in [resolved, *resolved.parents]:
            if parent.exists() or parent.is_symlink():
                if not parent.is_dir():
                    reason = "it is a file" if parent == resolved else f"{parent} is a file, not a folder"
                break
    if reason is None:
        try:
            resolved.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or str(exc)
    if reason is None and not os.access(resolved, os.W_OK | os.X_OK):
        reason = "it is not writable"
    if reason is not None:
        raise OutputError(f"cannot write to the {what} {path}: {reason}; choose another folder")
    return path


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``path`` only if the block finishes.

    A target that is a folder, a device or otherwise not a regular file raises ``OutputError``
    before anything is written, as does a parent that cannot be created.
    """
    path = check_path(path, OutputError, "the output path")
    if path.is_symlink() or path.exists():
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise OutputError(f"cannot write {path} ({exc.strerror or exc}); choose another path") from None
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise OutputError(f"cannot write {path}: it is {kind}; choose another path")
    reason = _blocked_output(path.resolve())
    if reason:
        raise OutputError(f"cannot write {path}: {reason}; choose another path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        hint = "a file is in the way" if exc.errno in (errno.ENOTDIR, errno.EEXIST) else exc.strerror or str(exc)
        raise OutputError(f"cannot write {path} ({hint}); choose another folder") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; the result is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete the ``.<name>.<random>.tmp`` files ``atomic_path`` left in ``folder`` (recursively) when
    a run was killed mid-write; return what was removed. Call it only on a folder this run owns."""
    removed = []
    for tmp in Path(folder).rglob(f".*{TEMP_SUFFIX}"):
        if tmp.is_file() and not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def is_inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """Whether ``path`` lies inside ``folder`` once both are resolved with symlinks followed
    (``..``, absolute paths and links out of the folder all count as outside)."""
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def save_image(path: str | os.PathLike, image: Image.Image, format: str = "PNG") -> None:
    with atomic_path(path) as tmp:
        image.save(tmp, format=format)
