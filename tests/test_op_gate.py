"""The learned op gate: its training data (the labelled dev* sets, never a held-out file), arbitration
against the rules, the trace that names the decider, and the saved files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nanoedit.cli import main
from nanoedit.errors import PlanError
from nanoedit.graphs import Op
from nanoedit.planner import RulePlanner
from nanoedit.planner import gate as gate_module
from nanoedit.planner.gate import LABELS, OpGate, fit_gate, labelled_examples, labelled_files


def one_op_gate(op: str, logit: float, n_features: int = 1 << 8) -> OpGate:
    """A gate that names ``op`` for every text, with probability set by ``logit`` (the others: 0)."""
    bias = np.zeros(len(LABELS), np.float32)
    bias[LABELS.index(op)] = logit
    return OpGate(np.zeros((n_features, len(LABELS)), np.float32), bias)


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def labelled(tmp_path):
    _write(tmp_path / "dev_x_single.jsonl", [
        {"prompt": "remove the dog", "ops": ["remove"]},
        {"prompt": "make the car red and remove the dog", "ops": ["recolor", "remove"]},
        {"prompt": "add a cat and make it night", "ops": ["add", "lighting"], "source": "x"},
    ])  # fmt: skip
    _write(tmp_path / "dev_x_sessions.jsonl", [
        {"turns": [{"prompt": "add a hat to the dog", "ops": ["add"], "targets": ["hat"]},
                   {"prompt": "now paint it blue", "ops": ["recolor"], "targets": ["hat"]}]},
    ])  # fmt: skip
    _write(tmp_path / "dev_y_single.jsonl", [{"prompt": "make it sepia", "ops": ["tone"]}])
    poison = [{"prompt": "POISON write zzz on the sign", "ops": ["text"]}]
    _write(tmp_path / "heldout_single.jsonl", poison)
    _write(tmp_path / "heldout_sessions.jsonl", [{"turns": [{**poison[0], "targets": ["sign"]}]}])
    (tmp_path / "HELDOUT.md").write_text("POISON", encoding="utf-8")
    return tmp_path


def test_the_loader_reads_the_dev_sets_and_never_a_heldout_file(labelled, monkeypatch):
    opened = []
    real = gate_module._jsonl
    monkeypatch.setattr(gate_module, "_jsonl", lambda path: opened.append(path.name) or real(path))
    pairs = labelled_examples(labelled)
    assert opened and not [name for name in opened if "heldout" in name.lower()]
    assert not [text for text, _ in pairs if "POISON" in text]
    assert ("remove the dog", "remove") in pairs and ("make it sepia", "tone") in pairs
    assert ("now paint it blue", "recolor") in pairs and ("add a hat to the dog", "add") in pairs
    # a two-op prompt whose two clauses the rules type with the label's two ops: one example each
    assert ("make the car red", "recolor") in pairs and ("make it night", "lighting") in pairs
    assert not [t for t, _ in pairs if t.startswith("make the car red and")]  # not as a whole
    assert len(labelled_examples(labelled, split=False)) == 4


def test_the_loader_leaves_out_the_validation_set(labelled):
    assert [f.name for f in labelled_files(labelled, exclude=("dev_x",))] == ["dev_y_single.jsonl"]
    assert labelled_examples(labelled, exclude=("dev_x",)) == [("make it sepia", "tone")]


def test_a_missing_labelled_folder_is_a_plan_error_saying_what_to_pass(tmp_path):
    with pytest.raises(PlanError, match="--labelled"):
        labelled_examples(tmp_path / "nowhere")
    assert main(["train", "planner", "--labelled", str(tmp_path / "nowhere"), "--out", str(tmp_path / "g")]) == 2
    assert not (tmp_path / "g").exists()


def test_arbitration_overrides_the_rules_when_the_gate_is_sure_and_the_trace_says_so():
    assert [n.op for n in RulePlanner(gate=None).plan("paint the car red").nodes] == [Op.recolor]
    sure = one_op_gate("remove", 10.0)  # p ~ 0.9997
    graph = RulePlanner(gate=sure, arbitrate_threshold=0.9).plan("paint the car red")
    (node,) = graph.nodes
    assert (node.op, node.target.noun) == (Op.remove, "car")
    (event,) = [e for e in graph.trace if e["event"] == "plan"]
    assert event["decided_by"] == {node.id: "gate"}
    assert event["gate"][0]["op"] == "remove" and event["gate"][0]["overrode"] == "recolor"
    assert event["gate"][0]["p"] >= 0.9


def test_no_arbitration_below_the_threshold_or_when_disabled():
    unsure = one_op_gate("remove", 2.5)  # p = e^2.5 / (e^2.5 + 13) ~ 0.48
    assert unsure.predict("paint the car red")[1] < 0.9
    for planner in (RulePlanner(gate=unsure, arbitrate_threshold=0.9),
                    RulePlanner(gate=one_op_gate("remove", 10.0), arbitrate_threshold=None)):  # fmt: skip
        graph = planner.plan("paint the car red")
        assert [n.op for n in graph.nodes] == [Op.recolor]
        assert not [e for e in graph.trace if e["event"] == "plan"]  # the rules decided, no gate event


def test_the_rules_stand_when_the_gate_op_has_no_reading_or_is_a_persons_attribute():
    move = one_op_gate("move", 10.0)  # a move needs a place: "paint the car red" says none
    assert [n.op for n in RulePlanner(gate=move, arbitrate_threshold=0.7).plan("paint the car red").nodes] == [Op.recolor]
    add = one_op_gate("add", 10.0)  # a hat given to a person is an attribute edit of the person
    graph = RulePlanner(gate=add, arbitrate_threshold=0.7).plan("give the woman a hat")
    assert [n.op for n in graph.nodes if n.op is not Op.identity_lock] == [Op.attribute]


def test_an_unparsed_clause_is_still_the_gates_and_a_rules_node_beside_it_is_the_rules():
    planner = RulePlanner(gate=one_op_gate("recolor", 10.0), arbitrate_threshold=None)
    graph = planner.plan("remove the dog. spraypaint the car red")
    ops = {n.id: n.op for n in graph.nodes}
    (event,) = [e for e in graph.trace if e["event"] == "plan"]
    assert sorted(ops.values(), key=str) == sorted([Op.remove, Op.recolor], key=str)
    assert {ops[i]: who for i, who in event["decided_by"].items()} == {Op.remove: "rules", Op.recolor: "gate"}
    assert "overrode" not in event["gate"][0]


def test_fit_save_load_round_trip(tmp_path):
    pairs = [("remove the dog", "remove"), ("erase the cat", "remove"), ("make it sepia", "tone"),
             ("give it a warm tone", "tone"), ("add a hat", "add"), ("put a bird in the sky", "add")] * 3  # fmt: skip
    trained = fit_gate(pairs, n_features=1 << 10, epochs=60)
    assert trained.predict("remove the cat")[0] is Op.remove
    trained.save_pretrained(tmp_path)
    loaded = OpGate.from_pretrained(tmp_path)
    assert np.array_equal(loaded.weight, trained.weight) and np.array_equal(loaded.bias, trained.bias)
    assert loaded.labels == trained.labels and json.loads((tmp_path / "op_gate.json").read_text())["n_features"] == 1 << 10
    for text in ("remove the cat", "make it sepia", "add a hat"):
        assert loaded.predict(text) == trained.predict(text)


def test_the_shipped_gate_is_small_and_loads():
    assert (gate_module.HERE / gate_module.WEIGHTS).stat().st_size < 2 << 20
    gate = OpGate.from_pretrained(gate_module.HERE)
    assert gate.predict("remove the dog from the picture")[0] is Op.remove
