"""The probes tell the reference editors apart; the runner resumes, records failures, reports; the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import nanoedit
from nanoedit.cli import main
from nanoedit.errors import EvalError
from nanoedit.evals import GoldIndex, reference_editors, run_probes, select_probes
from nanoedit.evals.adapters import CallableEditor
from nanoedit.evals.reference import NullEditor

N = 2
# What each probe must flag for each reference editor (probes not listed: no flag).
EXPECTED_FLAGS = {
    "perfect": {},
    "null": {
        "identity": ["edits not applied"],
        "composition": ["edits not applied"],
        "routing": ["ignores instructions"],
        "multiturn": ["multipass loses earlier edits", "singlepass loses earlier edits"],
    },
    "identity_destroying": {"identity": ["identity lost"], "multiturn": ["unchanged regions drift"]},
    "order_dependent": {
        "composition": ["order-sensitive", "edits not applied"],
        "multiturn": ["singlepass loses earlier edits"],
    },
    "slow_for_one_op": {"latency": ["conditional paths"]},
}
# The fast test runs, for each editor, the probes that must flag it, plus a clean control.
FAST_SUITES = {
    "perfect": "identity,composition,routing,latency,multiturn",
    "null": "identity,composition,routing,multiturn",
    "identity_destroying": "identity,composition,multiturn",
    "order_dependent": "identity,composition,multiturn",
    "slow_for_one_op": "latency,identity",
}


@pytest.fixture(scope="module")
def editors():
    return reference_editors(GoldIndex.for_suite("all", n=N, seed=0))


# Flags an editor may also get there: the identity-destroying editor draws hair and glasses around
# another head, so the oracle can fail those edits too; the first-clause editor skips subject edits
# and, in multipass, the second clause of two-clause turns.
ALLOWED_EXTRA_FLAGS = {
    ("identity_destroying", "identity"): {"edits not applied"},
    ("identity_destroying", "composition"): {"edits not applied"},
    ("order_dependent", "identity"): {"edits not applied"},
    ("order_dependent", "multiturn"): {"multipass loses earlier edits"},
}


def check_flags(name: str, results) -> None:
    for probe, summary in results.results["probes"].items():
        required = set(EXPECTED_FLAGS[name].get(probe, []))
        allowed = required | ALLOWED_EXTRA_FLAGS.get((name, probe), set())
        assert required <= set(summary["flags"]) <= allowed, (
            name,
            probe,
            summary["flags"],
            summary["verdict"],
        )
        assert summary["cases_failed"] == 0


@pytest.mark.parametrize("name", list(FAST_SUITES))
def test_probes_flag_reference_editors(name, editors, tmp_path):
    results = run_probes(editors[name], suite=FAST_SUITES[name], out=tmp_path, n=N, seed=0, quiet=True)
    check_flags(name, results)
    figures = results.figures()
    if name == "perfect":
        assert figures["identity"]["identity_kept"] == 1.0 and figures["composition"]["order_spread"] == 0.0
        assert (
            figures["routing"]["jump_mean"] == 0.0 and figures["multiturn"]["multipass_retention"][-1] == 1.0
        )
    if name == "slow_for_one_op":
        assert figures["latency"]["slow_ops"] == ["background"]
    assert (tmp_path / "report.html").is_file() and json.loads((tmp_path / "results.json").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPECTED_FLAGS))
def test_every_probe_on_every_reference_editor(name, tmp_path):
    editors = reference_editors(GoldIndex.for_suite("all", n=4, seed=1))
    check_flags(name, run_probes(editors[name], out=tmp_path, n=4, seed=1, quiet=True))


def test_resume_skips_finished_cases_and_failures_are_recorded(editors, tmp_path):
    calls = []
    broken_case = select_probes("routing")[0].cases(N, 0)[0]

    def counting(image, instruction):
        calls.append(instruction)
        if instruction == broken_case.spec["a"]:
            raise RuntimeError("cannot do this one")
        return editors["perfect"](image, instruction)

    editor = CallableEditor(counting, name="counting")
    first = run_probes(editor, suite="routing,identity", out=tmp_path, n=N, seed=0, quiet=True)
    assert first["routing"]["errors"] == [(broken_case.id, "RuntimeError: cannot do this one")]
    assert first.results["cases_failed"] == 1 and first["identity"]["cases_done"] == N
    total = len(calls)
    run_probes(editor, suite="routing,identity", out=tmp_path, n=N, seed=0, quiet=True)
    assert len(calls) == total  # every finished case (the failed one too) was skipped

    next((tmp_path / "cases" / "identity").glob("*.json")).unlink()
    run_probes(editor, suite="routing,identity", out=tmp_path, n=N, seed=0, quiet=True)
    assert len(calls) == total + 1  # only the missing case ran again
    again = run_probes(
        editor, suite="routing,identity", out=tmp_path, n=N, seed=0, quiet=True, retry_errors=True
    )
    assert len(calls) == total + 2 and again.results["cases_failed"] == 1

    with pytest.raises(EvalError, match="another run"):
        run_probes(NullEditor(), suite="routing", out=tmp_path, n=N, seed=0, quiet=True)
    with pytest.raises(EvalError, match="unknown probe"):
        run_probes(NullEditor(), suite="speed", out=tmp_path / "other", n=1, quiet=True)


def test_cli_probe(tmp_path, monkeypatch, capsys):
    (tmp_path / "editors_for_cli.py").write_text("def null(image, instruction):\n    return image\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    argv = ["-q", "probe", "--editor", "python:editors_for_cli:null", "--out", str(tmp_path / "report")]
    assert main([*argv, "--suite", "routing", "-n", "2"]) == 0
    assert (
        "ignores instructions" in capsys.readouterr().out and (tmp_path / "report" / "report.html").is_file()
    )
    assert main([*argv, "--suite", "nothing"]) == 2
    assert "unknown probe nothing" in capsys.readouterr().err


@pytest.mark.skipif(hasattr(nanoedit, "Editor"), reason="nanoedit.Editor exists: `ours` loads it")
def test_cli_ours_is_a_one_line_error_until_the_editor_exists(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "nanoedit", "probe", "--editor", "ours", "--out", str(tmp_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "needs nanoedit.Editor" in run.stderr and "Traceback" not in run.stderr


def test_resume_refuses_cases_of_another_editor(tmp_path):
    """The README's lambda run twice into one folder with two different editors: the second is refused."""
    first = lambda image, instruction: image  # noqa: E731
    run_probes(first, suite="routing", out=tmp_path, n=1, quiet=True)
    run_probes(first, suite="routing", out=tmp_path, n=1, quiet=True)  # the same editor resumes
    second = lambda image, instruction: image.rotate(90)  # noqa: E731
    with pytest.raises(EvalError, match="fingerprint"):
        run_probes(second, suite="routing", out=tmp_path, n=1, quiet=True)

    class Retrained:  # an Editor's weights hash changes when it is retrained
        def __init__(self, fingerprint):
            self.fingerprint = fingerprint

        def edit(self, image, instruction):
            return image

    run_probes(Retrained("aaaa"), suite="routing", out=tmp_path / "ours", n=1, quiet=True)
    with pytest.raises(EvalError, match="nanoedit:aaaa"):
        run_probes(Retrained("bbbb"), suite="routing", out=tmp_path / "ours", n=1, quiet=True)
