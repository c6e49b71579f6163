"""Smaller promises: every readable CLI output format reads back in; a resumed probe run cleans up
after a killed one (stale temporaries, garbage case files) instead of crashing or trusting them."""

from __future__ import annotations

import json

import pytest

from nanoedit.graphs import InstructionGraph
from nanoedit.graphs.display import render_graph
from nanoedit.planner import plan


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_graph_show_and_plan_outputs_read_back(fmt):
    graph = plan("remove the red circle and make the background blue, then make it warm")
    text = render_graph(graph, fmt)
    again = InstructionGraph.from_yaml(text) if fmt == "yaml" else InstructionGraph.from_json(text)
    assert again == graph and again.validate()
    assert "run_order" not in again.to_dict()


def test_a_resumed_probe_run_cleans_up_after_a_killed_one(tmp_path):
    from nanoedit.evals import run_probes
    from nanoedit.evals.reference import NullEditor
    from nanoedit.evals.runner import _read_case

    first = run_probes(NullEditor(), suite="identity", out=tmp_path, n=1, quiet=True)
    [case] = sorted((tmp_path / "cases" / "identity").glob("*.json"))
    record = json.loads(case.read_text())
    stale = case.parent / f".{case.name}.abc123.tmp"
    stale.write_text('{"half": ')  # what a kill mid-write leaves
    case.write_text("garbage {")  # a damaged case file
    second = run_probes(NullEditor(), suite="identity", out=tmp_path, n=1, quiet=True)
    assert not stale.exists() and not list(tmp_path.rglob("*.tmp"))
    rerun = json.loads(case.read_text())  # re-run and rewritten whole (only the latency differs)
    assert {**rerun, "latencies_s": None} == {**record, "latencies_s": None}
    assert second.figures() == first.figures()

    class Spec:  # another case's record, or one with a field of the wrong type, is not trusted
        id, spec = record["id"], record["spec"]

    case.write_text(json.dumps({**record, "id": "someone else"}))
    assert _read_case(case, "identity", Spec) is None
    case.write_text(json.dumps({**record, "images": "not a list"}))
    assert _read_case(case, "identity", Spec) is None
    case.write_text(json.dumps(record))
    assert _read_case(case, "identity", Spec) == record
