"""Toy-world instructions (gold graphs), datasets (seeded, disjoint splits) and the sample command."""

from __future__ import annotations

import json
import random

import pytest
import torch
from PIL import Image

from nanoedit.cli import main
from nanoedit.graphs import InstructionGraph, Op, link
from nanoedit.toyworld import (
    EditTripletDataset,
    MultiTurnDataset,
    Scene,
    apply_graph,
    compound_edit,
    multi_turn,
    render,
    single_edit,
)
from nanoedit.toyworld.datasets import split_of, to_tensor


def assert_gold(graph: InstructionGraph, instruction: str, source: Scene, target: Scene) -> None:
    graph.validate()
    nodes = graph.nodes
    lock = nodes[0]
    assert (
        lock.op is Op.identity_lock
        and lock.target is None
        and lock.params.model_dump() == {"strength": 1.0, "parts": ["face"]}
    )
    assert graph.equivalent(link(nodes, prompt=instruction)) and graph.prompt == instruction
    for node in nodes[1:]:
        assert node.text and node.text in instruction
        assert node.target is None or node.target.entity_id is None
    assert apply_graph(source, graph) == target


@pytest.mark.parametrize("seed", range(25))
def test_generated_instructions_carry_valid_gold_graphs(seed):
    scene = Scene.random(seed)
    one = single_edit(scene, seed)
    assert_gold(one.graph, one.instruction, one.source, one.target)
    assert len(one.graph) == 2

    several = compound_edit(scene, seed)
    assert_gold(several.graph, several.instruction, several.source, several.target)
    assert len(several.graph) in (3, 4)

    session = multi_turn(scene, seed)
    assert 2 <= len(session.turns) <= 6
    for before, turn in zip(session.scenes, session.turns):
        assert turn.source == before
        assert_gold(turn.graph, turn.instruction, turn.source, turn.target)


def test_it_and_them_refer_to_the_previous_turns_targets():
    seen = set()
    for seed in range(120):
        turns = multi_turn(Scene.random(seed), seed, n_turns=6).turns
        for previous, turn in zip(turns, turns[1:]):
            words = turn.instruction.split()
            word = "it" if "it" in words else "them" if "them" in words else None
            if word is None:
                continue
            seen.add(word)
            edits = turn.graph.nodes[1:]
            expected = [n.target_after() for n in previous.graph.nodes[1:] if n.target_after() is not None]
            assert [n.target for n in edits] == expected, turn.instruction
            assert len(edits) == (1 if word == "it" else 2)
    assert seen == {"it", "them"}


def test_instructions_are_varied_and_cover_every_op():
    ops, verbs = set(), set()
    rng = random.Random(0)
    for seed in range(200):
        sample = single_edit(Scene.random(seed), rng)
        ops.add(sample.graph.nodes[1].op)
        verbs.add(sample.instruction.split()[0])
    assert len(ops) == 12
    assert len(verbs) >= 15


def test_splits_are_disjoint_by_scene_content_and_items_are_seeded():
    hashes = {}
    for split in ("train", "val", "test"):
        data = EditTripletDataset(split, length=60)
        scenes = [data.scene(i) for i in range(60)]
        assert all(split_of(s) == split for s in scenes)
        hashes[split] = {s.content_hash() for s in scenes}
    assert not hashes["train"] & hashes["val"] and not hashes["train"] & hashes["test"]
    assert not hashes["val"] & hashes["test"]

    a, b = EditTripletDataset("test", length=5)[3], EditTripletDataset("test", length=5)[3]
    assert a["instruction"] == b["instruction"] and torch.equal(a["target"], b["target"])
    assert EditTripletDataset("test", length=5, seed=1)[3]["instruction"] != a[
        "instruction"
    ] or not torch.equal(EditTripletDataset("test", length=5, seed=1)[3]["source"], a["source"])
    with pytest.raises(IndexError):
        EditTripletDataset("val", length=5)[5]


def test_triplet_items_are_tensors_in_range_with_the_change_mask():
    data = EditTripletDataset("val", size=64, length=8)
    batch = next(iter(torch.utils.data.DataLoader(data, batch_size=4)))
    assert batch["source"].shape == (4, 3, 64, 64) and batch["mask"].shape == (4, 1, 64, 64)
    assert batch["source"].min() >= -1 and batch["source"].max() <= 1
    changed = (batch["source"] != batch["target"]).any(dim=1, keepdim=True).float()
    assert torch.equal(changed, batch["mask"])
    graph = InstructionGraph.from_json(batch["graph"][0])
    assert graph.prompt == batch["instruction"][0]


def test_multi_turn_items_hold_every_scene_along_the_way():
    data = MultiTurnDataset("test", size=64, length=4, max_turns=4)
    item = data[2]
    turns = len(item["instructions"])
    assert 2 <= turns <= 4 and len(item["graphs"]) == turns
    assert item["images"].shape == (turns + 1, 3, 64, 64) and item["masks"].shape == (turns, 1, 64, 64)
    session = data.sample(2)
    assert torch.equal(item["images"][-1], to_tensor(render(session.scenes[-1]).image))


def test_sample_command_writes_a_contact_sheet_and_gold_graphs(tmp_path, capsys):
    assert (
        main(["-q", "toyworld", "sample", "--n", "5", "-o", str(tmp_path), "--size", "64", "--split", "val"])
        == 0
    )
    sheet = Image.open(tmp_path / "contact_sheet.png")
    assert sheet.mode == "RGB" and sheet.size[0] > 4 * 64
    lines = (tmp_path / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 5
    record = json.loads(lines[0])
    graph = InstructionGraph.from_dict(record["turns"][0]["graph"])
    source, target = (Scene.model_validate(s) for s in record["scenes"])
    assert apply_graph(source, graph) == target
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    sessions = tmp_path / "sessions"
    assert (
        main(
            ["-q", "toyworld", "sample", "--kind", "session", "--n", "2", "-o", str(sessions), "--size", "64"]
        )
        == 0
    )
    record = json.loads((sessions / "samples.jsonl").read_text().splitlines()[1])
    assert len(record["scenes"]) == len(record["turns"]) + 1 >= 3

    assert main(["toyworld", "sample", "--n", "0", "-o", str(tmp_path)]) == 2
    assert "--n 0" in capsys.readouterr().err
