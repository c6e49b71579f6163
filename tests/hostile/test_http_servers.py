"""The HTTP editor against servers that hang, drip, stream forever, send too much or break off:
every call ends with a typed error within its deadline, nothing keeps reading afterwards, and a
probe run against such a server still writes results.json and report.html."""

from __future__ import annotations

import json
import resource
import threading
import time

import pytest
from PIL import Image
from servers import MODES, MisbehavingServer

from nanoedit.errors import EditorError
from nanoedit.evals.adapters import EditorTimeout, EditRequest, HttpEditor, call_editor

REQUEST = EditRequest(Image.new("RGB", (16, 16), (0, 0, 200)), "make it red")
EXPECTED = {
    "hang": (EditorTimeout, "did not answer within"),
    "drip": (EditorTimeout, "did not answer within"),
    "endless": (EditorError, "more than 1048576 bytes"),
    "huge": (EditorError, "announced a 10000000000-byte answer"),
    "close_mid_body": (EditorError, "broke off"),
    "not_json": (EditorError, "did not answer JSON"),
    "bomb_image": (EditorError, "20000x20000"),
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("mode", MODES)
def test_each_misbehaviour_is_a_typed_error_within_the_deadline(mode):
    error, message = EXPECTED[mode]
    before = _rss_mb()
    with MisbehavingServer(mode) as server:
        editor = HttpEditor(server.url, timeout_s=1.0, max_response_bytes=1 << 20)
        start = time.perf_counter()
        with pytest.raises(error, match=message):
            editor.edit(REQUEST)
        assert time.perf_counter() - start < 3.0
    assert _rss_mb() - before < 200  # the body is never accumulated past the cap


@pytest.mark.parametrize("mode", ["drip", "endless"])
def test_after_a_timeout_nothing_keeps_reading(mode):
    with MisbehavingServer(mode) as server:
        editor = HttpEditor(server.url, max_response_bytes=10 << 30)  # only the deadline can stop it
        outcome = call_editor(editor, REQUEST, timeout_s=0.5)
        assert not outcome.ok and outcome.timed_out
        time.sleep(0.5)
        sent = server.bytes_sent
        assert not [t for t in threading.enumerate() if t.name.startswith("edit:") and t.is_alive()]
        time.sleep(0.3)
        assert server.bytes_sent - sent < 200_000  # the client closed: the server cannot push more


def test_a_runaway_in_process_editor_is_never_run_twice_at_once():
    release = threading.Event()
    calls = []

    def stuck(image, instruction):
        calls.append(1)
        release.wait(10)
        return image

    from nanoedit.evals.adapters import as_editor

    editor = as_editor(stuck)
    first = call_editor(editor, REQUEST, timeout_s=0.2)
    second = call_editor(editor, REQUEST, timeout_s=0.2)  # the first still runs: this one is not started
    assert first.timed_out and second.timed_out and "still running" in second.error
    assert len(calls) == 1
    release.set()
    third = call_editor(editor, REQUEST, timeout_s=2)
    assert third.ok and len(calls) == 2


@pytest.mark.parametrize("mode", ["hang", "endless"])
def test_a_probe_run_against_a_misbehaving_server_finishes(mode, tmp_path):
    from nanoedit.evals import run_probes

    with MisbehavingServer(mode) as server:
        editor = HttpEditor(server.url, max_response_bytes=1 << 20)
        results = run_probes(editor, suite="identity", out=tmp_path, n=1, timeout_s=0.5, quiet=True)
    document = json.loads((tmp_path / "results.json").read_text())
    assert (tmp_path / "report.html").is_file()
    assert document["cases_failed"] == document["cases_total"] >= 1
    assert results["identity"]["cases_failed"] >= 1
