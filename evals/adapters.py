"""Editor adapters: every editor the probe suite evaluates is seen through one small protocol.

The protocol is ``EditorAdapter.edit(EditRequest) -> PIL.Image``: an RGB source image, an
instruction, optionally a mask (``L`` image, white = editable) and the earlier instructions of the
same session, and a seed. ``as_editor`` wraps whatever the user has:

* ``EditorAdapter`` instances are used as they are;
* objects with an ``edit(image, instruction, mask=None, seed=0)`` method whose result is an image
  or has an ``.image`` (``nanoedit.Editor`` returns a ``TurnResult``; it plugs in unchanged);
* diffusers image-editing pipelines (InstructPix2Pix-, Kontext-style: ``pipe(prompt=..., image=...)``);
* any callable ``(image, instruction) -> image``; ``mask``, ``history`` and ``seed`` are passed
  only when its signature accepts them;
* a spec string: ``ours``, ``python:module:attribute`` or ``http(s)://host:port[/path]``.

``call_editor`` runs one request with a timeout and never raises: errors and timeouts are recorded
in the returned ``EditOutcome`` so that one bad case never aborts a suite. An answer that is not a
usable image (0x0, larger than ``nanoedit.io.MAX_IMAGE_PIXELS``, an odd array) is an error too.

What happens to an editor that overruns its timeout: an ``HttpEditor`` is told the deadline and
stops itself (a watchdog shuts its socket down, so even a server that drips bytes or streams an
endless body cannot keep it reading; its answer is capped at ``max_response_bytes``). An in-process
editor cannot be interrupted by Python: its call keeps running in a daemon thread, and the suite
drops every reference to its eventual result. So that runaway calls cannot pile up and consume the
suite's memory, at most one timed-out call per editor may still be running: the next call waits
for it (up to one more timeout) and, if it is still running, is recorded as timed out without
being started.

The HTTP protocol (``HttpEditor`` is the client, ``serve_editor`` a reference server):
``POST`` JSON ``{"image": <base64 PNG>, "instruction": str, "mask": <base64 PNG> | null,
"history": [str], "seed": int}``; the answer is JSON ``{"image": <base64 PNG>}`` with status 200,
or ``{"error": str}`` with a 4xx/5xx status.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import importlib
import inspect
import io
import json
import math
import os
import socket
import threading
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nanoedit.errors import EditorError
from nanoedit.io import MAX_IMAGE_PIXELS, load_image


class EditorTimeout(EditorError):
    """An editor did not answer within its deadline (raised by editors that enforce one themselves)."""


# The largest answer an ``HttpEditor`` reads: a base64 PNG of a 4096x4096 photo is ~70 MB at worst.
MAX_RESPONSE_BYTES = 128 * 1024 * 1024

__all__ = [
    "CallableEditor",
    "EditOutcome",
    "EditRequest",
    "EditorAdapter",
    "EditorServer",
    "EditorTimeout",
    "HttpEditor",
    "MethodEditor",
    "PipelineEditor",
    "as_editor",
    "call_editor",
    "decode_png",
    "encode_png",
    "load_editor",
    "serve_editor",
    "to_rgb_image",
]


@dataclass(frozen=True)
class EditRequest:
    """One edit asked of an editor. ``history`` holds the session's earlier instructions, oldest first."""

    image: Image.Image
    instruction: str
    mask: Image.Image | None = None
    history: tuple[str, ...] = ()
    seed: int = 0


@dataclass
class EditOutcome:
    """What came back from one call: an image, or the error / timeout that happened instead."""

    image: Image.Image | None
    latency_s: float
    error: str | None = None
    timed_out: bool = False
    resized: bool = False  # the editor answered at another size; the image was resized to the source's

    @property
    def ok(self) -> bool:
        return self.image is not None


class EditorAdapter(ABC):
    """An editor seen from the outside. Subclasses implement ``edit``; ``name`` labels reports."""

    name: str = "editor"

    @abstractmethod
    def edit(self, request: EditRequest) -> Image.Image:
        """The edited image (any size; the suite resizes to the source's). Raise on failure."""

    def __call__(self, image: Image.Image, instruction: str, **kwargs: Any) -> Image.Image:
        return self.edit(EditRequest(to_rgb_image(image), instruction, **kwargs))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def to_rgb_image(value: Any) -> Image.Image:
    """An RGB PIL image from what editors commonly return: PIL, an ``.image``/``.images`` holder,
    an HxWx3 array (uint8, or float in [0, 1]), a torch tensor (3xHxW, or a batch: the first image,
    float in [0, 1], as diffusers' ``output_type="pt"`` gives) or a path."""
    if isinstance(value, Image.Image):
        _check_size(value.size)
        return value.convert("RGB")
    if hasattr(value, "image"):  # nanoedit's TurnResult and similar result objects
        return to_rgb_image(value.image)
    if hasattr(value, "images"):  # diffusers pipeline outputs
        images = value.images
        if len(images) == 0:
            raise EditorError("the editor returned an empty list of images; return one image")
        return to_rgb_image(images[0])
    if isinstance(value, (list, tuple)) and value:
        return to_rgb_image(value[0])
    if isinstance(value, (str, Path)):
        return load_image(value, error=EditorError, what="the image path the editor returned,")
    if hasattr(value, "detach") and hasattr(value, "permute"):  # a torch tensor, channels first
        tensor = value.detach().float().cpu()
        return to_rgb_image((tensor[0] if tensor.ndim == 4 else tensor).permute(1, 2, 0).numpy())
    if isinstance(value, np.ndarray) and value.ndim == 4:  # a batch (diffusers' output_type="np")
        return to_rgb_image(value[0])
    if isinstance(value, np.ndarray) and value.ndim == 3 and value.shape[-1] in (3, 4):
        _check_size((value.shape[1], value.shape[0]))
        array = value[..., :3]
        if array.dtype != np.uint8:
            array = (np.clip(array.astype(np.float64), 0.0, 1.0) * 255.0).round().astype(np.uint8)
        return Image.fromarray(array, "RGB")
    raise EditorError(
        f"the editor returned {type(value).__name__}; return a PIL image, an HxWx3 array or an image path"
    )


def _check_size(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise EditorError(f"the editor returned a {width}x{height} image (no pixels); return the edited image")
    if width * height > MAX_IMAGE_PIXELS:
        raise EditorError(
            f"the editor returned a {width}x{height} image, over {MAX_IMAGE_PIXELS} pixels; return one the source's size"
        )


def _accepted_keywords(fn: Callable, names: Sequence[str]) -> set[str]:
    """Which of ``names`` ``fn`` accepts as keywords (all of them if it takes ``**kwargs``)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: pass the two required arguments only
        return set()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return set(names)
    return {p.name for p in params if p.name in names and p.kind is not inspect.Parameter.POSITIONAL_ONLY}


def _optional_kwargs(request: EditRequest, accepted: set[str]) -> dict[str, Any]:
    values = {"mask": request.mask, "history": list(request.history), "seed": request.seed}
    return {k: v for k, v in values.items() if k in accepted}


class CallableEditor(EditorAdapter):
    """Any ``fn(image, instruction[, mask=, history=, seed=]) -> image``."""

    def __init__(self, fn: Callable, name: str | None = None):
        self.fn = fn
        self.name = name or getattr(fn, "__qualname__", None) or type(fn).__name__
        self._accepted = _accepted_keywords(fn, ("mask", "history", "seed"))

    def edit(self, request: EditRequest) -> Image.Image:
        return to_rgb_image(
            self.fn(request.image, request.instruction, **_optional_kwargs(request, self._accepted))
        )


class MethodEditor(EditorAdapter):
    """An object with ``edit(image, instruction, mask=None, seed=0)``, such as ``nanoedit.Editor``."""

    def __init__(self, editor: Any, name: str | None = None):
        self.editor = editor
        self.name = name or type(editor).__name__
        self._accepted = _accepted_keywords(editor.edit, ("mask", "history", "seed"))

    def edit(self, request: EditRequest) -> Image.Image:
        kwargs = _optional_kwargs(request, self._accepted)
        return to_rgb_image(self.editor.edit(request.image, request.instruction, **kwargs))


class PipelineEditor(EditorAdapter):
    """A diffusers image-editing pipeline the user built (InstructPix2Pix, Flux Kontext, ...).

    The instruction goes to ``prompt_arg`` and the image to ``image_arg``; a mask goes to ``mask_arg``
    only when one is named (inpainting-style pipelines). ``call_kwargs`` (steps, guidance, ...) are
    passed on every call. Each request's seed becomes a fresh CPU ``torch.Generator`` (diffusers draws
    the initial noise on the CPU from it, so a seed gives the same noise on any device); a
    ``generator`` in ``call_kwargs`` overrides that, and then the request's seed is not used. Output
    is asked for as PIL unless ``output_type`` says otherwise. With ``quiet`` (the default) the
    pipeline's own per-call progress bar is switched off: the suite shows one bar for all cases.
    """

    def __init__(
        self,
        pipeline: Any,
        prompt_arg: str = "prompt",
        image_arg: str = "image",
        mask_arg: str | None = None,
        name: str | None = None,
        quiet: bool = True,
        **call_kwargs: Any,
    ):
        if quiet and hasattr(pipeline, "set_progress_bar_config"):
            pipeline.set_progress_bar_config(disable=True)
        self.pipeline = pipeline
        self.prompt_arg, self.image_arg, self.mask_arg = prompt_arg, image_arg, mask_arg
        self.call_kwargs = call_kwargs
        self.name = name or type(pipeline).__name__

    def edit(self, request: EditRequest) -> Image.Image:
        import torch

        kwargs = dict(self.call_kwargs)
        kwargs[self.prompt_arg] = request.instruction
        kwargs[self.image_arg] = request.image
        if self.mask_arg and request.mask is not None:
            kwargs[self.mask_arg] = request.mask
        kwargs.setdefault("generator", torch.Generator("cpu").manual_seed(request.seed))
        kwargs.setdefault("output_type", "pil")
        return to_rgb_image(self.pipeline(**kwargs))


def encode_png(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_png(text: str, what: str = "image") -> Image.Image:
    """A base64 PNG (or any image PIL reads) as RGB (``what="image"``) or L; the header's size is
    checked before any pixel is decoded."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise EditorError(f"the {what} field is not base64 ({exc}); send base64 PNG bytes") from None
    try:
        with Image.open(io.BytesIO(data)) as img:
            _check_size(img.size)
            return img.convert("RGB") if what == "image" else img.convert("L")
    except EditorError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoding failure is the sender's malformed payload
        raise EditorError(
            f"the {what} field is not a base64-encoded PNG ({exc}); send base64 PNG bytes"
        ) from None


class HttpEditor(EditorAdapter):
    """A remote editor speaking the JSON + base64 PNG protocol of this module's docstring.

    Each call has a hard deadline (``timeout_s``, or the suite's timeout if shorter): a watchdog
    shuts the socket down when it passes, so a server that hangs, drips one byte at a time or
    streams forever cannot hold the call. At most ``max_response_bytes`` of answer are read.
    """

    accepts_timeout = True  # call_editor passes its timeout to edit()

    def __init__(
        self,
        url: str,
        timeout_s: float = 120.0,
        name: str | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ):
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise EditorError(f"{url!r} is not an http(s) URL; give e.g. http://127.0.0.1:8000/edit")
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise EditorError(f"{url!r} is not a valid URL ({exc}); give e.g. http://127.0.0.1:8000/edit") from None
        if not parts.hostname:
            raise EditorError(f"{url!r} names no host; give e.g. http://127.0.0.1:8000/edit")
        if not (isinstance(timeout_s, (int, float)) and math.isfinite(timeout_s) and timeout_s > 0):
            raise EditorError(f"timeout_s={timeout_s!r}: give a positive number of seconds")
        self.url, self.timeout_s = url, float(timeout_s)
        self.max_response_bytes = int(max_response_bytes)
        self._https, self._host, self._port = parts.scheme == "https", parts.hostname, port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.name = name or url

    def edit(self, request: EditRequest, timeout_s: float | None = None) -> Image.Image:
        limit = self.timeout_s if timeout_s is None else min(self.timeout_s, timeout_s)
        body = {
            "image": encode_png(request.image),
            "instruction": request.instruction,
            "mask": encode_png(request.mask) if request.mask is not None else None,
            "history": list(request.history),
            "seed": request.seed,
        }
        status, payload = self._post(json.dumps(body).encode(), limit)
        if status >= 400:
            detail = payload[:300].decode(errors="replace")
            raise EditorError(f"{self.url} answered HTTP {status}: {detail}")
        try:
            answer = json.loads(payload)
        except (ValueError, RecursionError):
            raise EditorError(f'{self.url} did not answer JSON; answer {{"image": <base64 PNG>}}') from None
        if not isinstance(answer, dict) or not isinstance(answer.get("image"), str):
            raise EditorError(
                f"{self.url} answered without an 'image' field; answer {{\"image\": <base64 PNG>}}"
            )
        return decode_png(answer["image"])

    def _post(self, data: bytes, limit: float) -> tuple[int, bytes]:
        """POST ``data``; (status, body). Raises ``EditorError`` past the deadline or the size cap."""
        connection_class = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = connection_class(self._host, self._port, timeout=limit)
        expired = threading.Event()

        def expire() -> None:  # the hard deadline: unblock whatever read or write is in progress
            expired.set()
            sock = connection.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(limit, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request("POST", self._path, body=data, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            declared = response.getheader("Content-Length")
            if declared is not None and declared.strip().isdigit() and int(declared) > self.max_response_bytes:
                raise EditorError(
                    f"{self.url} announced a {int(declared)}-byte answer, over the {self.max_response_bytes}-byte "
                    "limit; answer with one PNG the source's size"
                )
            # One growing buffer, not a list of chunks: large blocks are mmapped and go back to the system
            # when freed, where thousands of small chunks would stay in each calling thread's malloc arena.
            body = bytearray()
            while True:
                chunk = response.read1(1 << 16)
                if not chunk:
                    break
                if expired.is_set():  # bytes still buffered after the watchdog fired: stop here
                    raise TimeoutError
                if len(body) + len(chunk) > self.max_response_bytes:
                    del body[:]  # free it now: a traceback keeps this frame (and the buffer) alive
                    raise EditorError(
                        f"{self.url} sent more than {self.max_response_bytes} bytes; answer with one PNG the "
                        "source's size"
                    )
                body += chunk
            if expired.is_set():
                raise TimeoutError
            if response.length:  # the connection closed before the announced Content-Length
                raise EditorError(
                    f"{self.url} broke off its answer ({response.length} of the announced bytes missing); "
                    "check the editor server"
                )
            return response.status, bytes(body)
        except EditorError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise EditorTimeout(f"{self.url} did not answer within {limit:g} s; is the editor server stuck?") from None
            if isinstance(exc, (ConnectionRefusedError, socket.gaierror)):
                raise EditorError(f"cannot reach {self.url} ({exc}); is the editor server running?") from None
            raise EditorError(
                f"{self.url} broke off its answer ({type(exc).__name__}: {exc}); check the editor server"
            ) from None
        finally:
            watchdog.cancel()
            connection.close()


class EditorServer:
    """A running HTTP server that exposes an editor; ``url`` is where ``HttpEditor`` reaches it."""

    def __init__(self, server: ThreadingHTTPServer):
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}/edit"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> EditorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_editor(editor: Any, host: str = "127.0.0.1", port: int = 0) -> EditorServer:
    """Serve ``editor`` (anything ``as_editor`` accepts) over the HTTP protocol; port 0 picks a free port."""
    adapter = as_editor(editor)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                request = EditRequest(
                    image=decode_png(body["image"]),
                    instruction=str(body["instruction"]),
                    mask=decode_png(body["mask"], what="mask") if body.get("mask") else None,
                    history=tuple(body.get("history") or ()),
                    seed=int(body.get("seed", 0)),
                )
            except (KeyError, TypeError, ValueError, EditorError) as exc:
                return self._answer(400, {"error": f"bad request: {exc}"})
            try:
                image = adapter.edit(request)
            except Exception as exc:  # noqa: BLE001 - the editor's failure goes back to the client
                return self._answer(500, {"error": f"{type(exc).__name__}: {exc}"})
            self._answer(200, {"image": encode_png(image)})

        def _answer(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep the suite's output quiet
            pass

    return EditorServer(ThreadingHTTPServer((host, port), Handler))


def _is_diffusers_pipeline(obj: Any) -> bool:
    return any(cls.__name__ == "DiffusionPipeline" for cls in type(obj).__mro__)


def as_editor(editor: Any, name: str | None = None) -> EditorAdapter:
    """Wrap ``editor`` (see the module docstring for what it may be) in an ``EditorAdapter``."""
    if isinstance(editor, EditorAdapter):
        return editor
    if isinstance(editor, str):
        return load_editor(editor)
    if _is_diffusers_pipeline(editor):
        return PipelineEditor(editor, name=name)
    if callable(getattr(editor, "edit", None)):
        return MethodEditor(editor, name=name)
    if callable(editor):
        return CallableEditor(editor, name=name)
    raise EditorError(
        f"cannot evaluate a {type(editor).__name__}; pass a callable (image, instruction) -> image, "
        "an object with .edit(image, instruction), a diffusers pipeline, or an editor spec string"
    )


def load_editor(spec: str) -> EditorAdapter:
    """An editor from a spec: ``ours``, a model folder, ``python:module:attribute`` or ``http(s)://host:port/path``."""
    if spec == "ours":
        from nanoedit.editor import Editor

        return CallableEditor(Editor.default(), name="nanoedit")
    if os.path.isdir(spec):  # a nanoedit bundle or a diffusers SANA pipeline folder
        from nanoedit.editor import Editor

        return CallableEditor(Editor.from_pretrained(spec), name=f"nanoedit:{os.path.basename(os.path.normpath(spec))}")
    if spec.startswith(("http://", "https://")):
        return HttpEditor(spec)
    if spec.startswith("python:"):
        module_name, _, attribute = spec[len("python:") :].partition(":")
        if not module_name or not attribute:
            raise EditorError(f"{spec!r} is not python:module:attribute; e.g. python:my_editors:edit_image")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise EditorError(
                f"cannot import {module_name!r} ({exc}); check the module is on PYTHONPATH"
            ) from exc
        target: Any = module
        for part in attribute.split("."):
            if not hasattr(target, part):
                raise EditorError(
                    f"{module_name} has no attribute {attribute!r}; check the name after the module"
                )
            target = getattr(target, part)
        if inspect.isclass(target):  # a class names an editor type: build it with its defaults
            target = target()
        return as_editor(target, name=spec[len("python:") :])
    raise EditorError(f"unknown editor {spec!r}; use ours, python:module:callable or http://HOST:PORT/path")


@dataclass
class _Call:
    result: Any = None
    error: BaseException | None = None
    latency_s: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)


# Calls that overran their timeout and are still running, by editor (at most one each; see the docstring).
_ABANDONED: dict[int, tuple[EditorAdapter, threading.Thread]] = {}
_ABANDONED_LOCK = threading.Lock()


def call_editor(editor: EditorAdapter, request: EditRequest, timeout_s: float | None = None) -> EditOutcome:
    """Run one request and record what happened; never raises for the editor's own failures.

    With a timeout the call runs in a daemon thread; an editor that overruns is recorded as timed
    out. Editors that take a timeout themselves (``accepts_timeout``, as ``HttpEditor``) are given
    it and stop on their own; others are left to finish in the background (Python cannot interrupt
    them), at most one such call per editor at a time (the module docstring says how).
    """
    if timeout_s is not None and not (isinstance(timeout_s, (int, float)) and math.isfinite(timeout_s) and timeout_s > 0):
        raise EditorError(f"timeout_s={timeout_s!r}: give a positive number of seconds, or None for no limit")
    with _ABANDONED_LOCK:
        previous = _ABANDONED.get(id(editor))
    if previous is not None:
        previous[1].join(timeout_s)
        if previous[1].is_alive():
            return EditOutcome(
                None, 0.0, "not started: the editor is still running a call that timed out", timed_out=True
            )
        with _ABANDONED_LOCK:
            _ABANDONED.pop(id(editor), None)
    call = _Call()
    kwargs = {"timeout_s": timeout_s} if timeout_s is not None and getattr(editor, "accepts_timeout", False) else {}

    def run() -> None:
        start = time.perf_counter()
        try:
            call.result = editor.edit(request, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - recorded per case, never aborts the suite
            call.error = exc
        finally:
            call.latency_s = time.perf_counter() - start
            call.done.set()

    if timeout_s is None:
        run()
    else:
        thread = threading.Thread(target=run, daemon=True, name=f"edit:{editor.name}")
        thread.start()
        # An editor that enforces the timeout itself gets a little grace to report its own error.
        grace = 1.0 if kwargs else 0.0
        if not call.done.wait(timeout_s + grace):
            with _ABANDONED_LOCK:
                _ABANDONED[id(editor)] = (editor, thread)
            return EditOutcome(None, timeout_s, f"timed out after {timeout_s:g} s", timed_out=True)
    if call.error is not None:
        error, call.error = call.error, None  # exception -> traceback -> run() -> call -> exception: break it
        if isinstance(error, KeyboardInterrupt):
            raise error
        message = f"{type(error).__name__}: {error}"
        timed_out = isinstance(error, EditorTimeout)
        error.__traceback__ = None  # the editor's frames (and what they hold) go now, not at the next GC
        return EditOutcome(None, call.latency_s, message, timed_out=timed_out)
    try:
        image = to_rgb_image(call.result)
    except EditorError as exc:
        return EditOutcome(None, call.latency_s, str(exc))
    except Exception as exc:  # noqa: BLE001 - an odd object the editor returned is its error, not ours
        return EditOutcome(None, call.latency_s, f"the editor returned an unusable {type(call.result).__name__} ({exc})")
    finally:
        call.result = None  # the outcome keeps the converted image only
    resized = image.size != request.image.size
    if resized:
        image = image.resize(request.image.size, Image.Resampling.BICUBIC)
    return EditOutcome(image, call.latency_s, resized=resized)
