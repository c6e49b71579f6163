"""Sessions: references across turns, the version tree, the node cache, atomic saves and typed load errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from nanoedit.cache import NodeCache
from nanoedit.errors import SessionCorruptError, SessionError, SessionFormatError, SessionModelError
from nanoedit.graphs import InstructionGraph
from nanoedit.session import Session
from nanoedit.toyworld import Scene, render

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def editor(tiny_bundle):
    from nanoedit.editor import Editor

    return Editor.from_pretrained(tiny_bundle)


@pytest.fixture(scope="module")
def image():
    scene = Scene.random(7, size=64)  # a large orange square at top left, a large gray circle at right
    assert [o.shape for o in scene.objects] == ["square", "circle"]
    return render(scene).image


@pytest.fixture(scope="module")
def three_turns(editor, image):
    session = Session(editor, image)
    results = [session.edit(p) for p in ("make the circle blue", "move it to the top left", "make it green")]
    return session, results


def node(result, op):
    return next(n for n in result.trace["nodes"] if n["op"] == op)


def test_later_turns_resolve_references_from_session_memory(three_turns):
    session, (first, second, third) = three_turns
    assert [n.op.value for n in first.graph.schedule()] == ["identity_lock", "recolor"]
    assert node(first, "recolor")["mask"]["provenance"].startswith("proposal")
    # "it" is the circle edited in turn 1: the planner names the session entity, grounding uses its mask
    moved = second.graph.node("move")
    assert moved.target.entity_id == "e1" and moved.target.noun == "circle" and moved.target.color == "blue"
    assert node(second, "move")["mask"]["provenance"] == "session:e1"
    assert third.graph.node("recolor").target.entity_id == "e1"
    assert node(third, "recolor")["mask"]["provenance"] == "session:e1"
    entity = session.entities["e1"]
    assert entity.name == "green circle (top left)" and entity.mask is not None and entity.mask.array.any()
    # the moved circle's mask is where it went: the top-left cell, not the old place on the right
    ys, xs = np.nonzero(session.history["v2"].entities["e1"].mask.array)
    assert xs.mean() < 32 and ys.mean() < 32
    # every turn restores against the first turn's identity slot
    assert all(r.trace["session"]["version"] == f"v{i}" for i, r in enumerate((first, second, third), 1))


def test_undo_redo_and_branches_keep_every_version(editor, image):
    session = Session(editor, image)
    session.edit("make the circle blue")
    session.edit("make the square red")
    v2 = session.current
    session.undo()
    assert session.version.id == "v1"
    session.redo()
    assert session.version.id == "v2" and np.array_equal(np.asarray(session.current), np.asarray(v2))
    session.undo()
    session.edit("make the square green")  # a branch from v1: v2 is kept
    assert [v.id for v in session.history] == ["v0", "v1", "v2", "v3"]
    assert session.branches() == [["v0", "v1", "v2"], ["v0", "v1", "v3"]]
    assert [v.id for v in session.history.children("v1")] == ["v2", "v3"]
    assert "├─ v2" in str(session.history) and "└─ v3 make the square green *" in str(session.history)
    session.checkout("v2")
    assert np.array_equal(np.asarray(session.current), np.asarray(v2))
    session.undo()
    session.redo()  # redo follows the branch last visited
    assert session.version.id == "v2"
    diff = session.diff("v2", "v3")
    assert diff.ancestor == "v1" and diff.turns_a == ["v2"] and diff.turns_b == ["v3"]
    assert diff.graph.changed == ["recolor"] and diff.changed_pixels == int(diff.changed.sum()) > 0
    with pytest.raises(SessionError, match="no version"):
        session.checkout("v9")
    session.checkout("v0")
    with pytest.raises(SessionError, match="nothing to undo"):
        session.undo()


def test_versions_are_immutable(three_turns):
    session, (first, *_) = three_turns
    v1 = session.history["v1"]
    before = np.asarray(v1.image).copy()
    first.image.paste((0, 0, 0), (0, 0, 64, 64))  # the caller's TurnResult is theirs to change
    first.trace["nodes"].clear()
    first.graph.add_edge("recolor", "identity_lock")
    v1.image.paste((0, 0, 0), (0, 0, 64, 64))
    v1.trace["nodes"].clear()
    assert np.array_equal(np.asarray(v1.image), before)
    assert len(v1.trace["nodes"]) == 2 and v1.graph.edges == [("identity_lock", "recolor")]
    with pytest.raises(AttributeError, match="immutable"):
        v1.prompt = "something else"
    with pytest.raises(ValueError):
        v1.entities["e1"].mask.array[0, 0] = True


class Runs:
    """Counts Expert.run calls per node id."""

    def __init__(self, monkeypatch):
        from nanoedit.experts.base import Expert

        self.calls: list[str] = []
        original = Expert.run

        def counted(expert, node, inputs):
            self.calls.append(node.id)
            return original(expert, node, inputs)

        monkeypatch.setattr(Expert, "run", counted)

    def take(self) -> set[str]:
        ran, self.calls = set(self.calls), []
        return ran


def graph(circle: str, background: str, edge: bool) -> InstructionGraph:
    nodes = [{"id": "a", "op": "recolor", "target": {"noun": "circle"}, "params": {"color": circle}},
             {"id": "b", "op": "background", "params": {"color": background}}]  # fmt: skip
    return InstructionGraph.from_dict({"nodes": nodes, "edges": [["a", "b"]] if edge else []})


@pytest.mark.parametrize("edge", [False, True], ids=["independent", "b_after_a"])
def test_node_b_reruns_when_and_only_when_its_input_changed(editor, image, monkeypatch, edge):
    runs = Runs(monkeypatch)
    session = Session(editor, image, cache=NodeCache())
    first = session.edit(graph("blue", "yellow", edge))
    assert runs.take() == {"a", "b"} and {n["cache"] for n in first.trace["nodes"]} == {"miss"}
    again = session.rerun(graph("red", "yellow", edge))  # A changed
    ran = runs.take()
    hits = {n["id"]: n["cache"] for n in again.trace["nodes"]}
    if edge:  # B's input is the source with A's output on it: it changed, B runs again
        assert ran == {"a", "b"} and hits == {"a": "miss", "b": "miss"}
    else:  # B's input is the source alone: served from the cache
        assert ran == {"a"} and hits == {"a": "miss", "b": "hit"}
    session.rerun(graph("red", "green", edge))  # only B changed: A never re-runs
    assert runs.take() == {"b"}
    session.rerun(graph("red", "green", edge))
    assert runs.take() == set()
    assert np.array_equal(np.asarray(session.current), np.asarray(session.history["v3"].image))


def test_one_changed_clause_reruns_only_its_node(editor, image, monkeypatch):
    runs = Runs(monkeypatch)
    session = Session(editor, image)
    session.edit("make the circle blue, and make the background yellow")
    assert runs.take() == {"identity_lock", "recolor", "background"}
    result = session.rerun("make the circle blue, and make the background green")
    assert runs.take() == {"background"}
    assert {n["id"]: n["cache"] for n in result.trace["nodes"]} == {
        "identity_lock": "hit", "recolor": "hit", "background": "miss"}  # fmt: skip
    assert [v.id for v in session.history.children("v0")] == ["v1", "v2"]  # both attempts are kept


def test_node_cache_is_an_lru_bounded_in_bytes():
    cache = NodeCache(max_bytes=100)
    cache.put("a", 1, 40)
    cache.put("b", 2, 40)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3, 40)  # over the budget: b (least recent) goes
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    assert cache.bytes == 80 and cache.evictions == 1
    cache.put("huge", 4, 1000)  # larger than the whole budget: not stored
    assert "huge" not in cache and cache.bytes == 80
    assert cache.get("b") is None and cache.stats()["misses"] == 1 and cache.stats()["hits"] == 3


def test_save_and_load_restore_the_version_tree(three_turns, editor, tmp_path):
    session, _ = three_turns
    session.undo()
    session.edit("make it red")
    saved = session.save(tmp_path / "s")
    assert sorted(p.name for p in saved.iterdir()) == ["graphs", "images", "memory.safetensors", "session.json",
                                                        "traces"]  # fmt: skip
    loaded = Session.load(saved, editor)
    assert str(loaded.history) == str(session.history) and loaded.branches() == session.branches()
    for a, b in zip(session.history, loaded.history):
        assert np.array_equal(np.asarray(a.image), np.asarray(b.image))
        assert a.trace == b.trace and (a.graph is None or a.graph.to_dict() == b.graph.to_dict())
        assert a.context.model_dump(exclude={"masks"}) == b.context.model_dump(exclude={"masks"})
        assert a.entities.keys() == b.entities.keys()
        assert all(np.array_equal(a.entities[k].mask.array, b.entities[k].mask.array)
                   for k in a.entities if a.entities[k].mask is not None)  # fmt: skip
        assert len(a.slots) == len(b.slots)
    ident = [s for s in loaded.history["v1"].slots if "pixels" in s.features]
    assert ident and all(np.array_equal(s.features["pixels"].numpy(), t.features["pixels"].numpy())
                         for s, t in zip(ident, [s for s in session.history["v1"].slots if "pixels" in s.features]))
    result = loaded.edit("make it yellow")  # memory works after a load: "it" is still the circle
    assert node(result, "recolor")["mask"]["provenance"] == "session:e1"
    session.save(tmp_path / "s")  # saving again replaces the save in one step
    assert not list(tmp_path.glob(".s.*"))


def test_looks_are_layers_the_session_keeps_and_saves(editor, image, tmp_path):
    from nanoedit.experts.looks import Looks

    session = Session(editor, image)
    night = session.edit("make it night")
    assert night.looks == Looks(lighting="night") and np.array_equal(np.asarray(night.content), np.asarray(image))
    assert np.array_equal(np.asarray(night.image), Looks(lighting="night").apply(np.asarray(image)))
    recolored = session.edit("make the circle blue")  # edits the content, then lights it
    assert recolored.looks == night.looks and not np.array_equal(np.asarray(recolored.content), np.asarray(image))
    assert np.array_equal(np.asarray(recolored.image), night.looks.apply(np.asarray(recolored.content)))
    loaded = Session.load(session.save(tmp_path / "s"), editor)
    assert loaded.version.looks == night.looks
    assert np.array_equal(np.asarray(loaded.version.content), np.asarray(recolored.content))
    day = loaded.edit("make it day")  # takes the layer away: the unlit content comes back
    assert day.looks == Looks() and np.array_equal(np.asarray(day.image), np.asarray(recolored.content))
    plain = Session(editor, image)
    plain.edit("make the circle blue")
    folder = plain.save(tmp_path / "before_looks")
    index = json.loads((folder / "session.json").read_text())
    for record in index["versions"]:  # as a save made before looks were layers: no looks recorded
        del record["looks"]
    (folder / "session.json").write_text(json.dumps(index))
    old = Session.load(folder, editor)
    assert all(v.looks == Looks() and np.array_equal(np.asarray(v.content), np.asarray(v.image)) for v in old.history)


def test_load_refuses_damaged_future_and_other_model_folders(three_turns, editor, tmp_path):
    session, _ = three_turns
    saved = session.save(tmp_path / "good")
    with pytest.raises(SessionModelError, match="another model|the model"):
        Session.load(saved, SimpleNamespace(fingerprint="0123456789abcdef"))
    index = json.loads((saved / "session.json").read_text())

    def variant(name, change):
        folder = tmp_path / name
        session.save(folder)
        change(folder)
        return folder

    future = variant("future", lambda f: (f / "session.json").write_text(json.dumps({**index, "format_version": 99})))
    with pytest.raises(SessionFormatError, match="newer nanoedit"):
        Session.load(future, editor)
    png = variant("png", lambda f: (f / "images" / "v1.png").write_bytes(b"\x89PNG garbage"))
    with pytest.raises(SessionCorruptError, match="checksum"):
        Session.load(png, editor)
    gone = variant("gone", lambda f: (f / "memory.safetensors").unlink())
    with pytest.raises(SessionCorruptError, match="missing"):
        Session.load(gone, editor)
    garbage = variant("garbage", lambda f: (f / "session.json").write_bytes(b"\x00\xff"))
    with pytest.raises(SessionCorruptError):
        Session.load(garbage, editor)
    with pytest.raises(SessionCorruptError, match="not a folder"):
        Session.load(tmp_path / "nothing-here", editor)
    (tmp_path / "empty").mkdir()
    with pytest.raises(SessionCorruptError, match="no session.json"):
        Session.load(tmp_path / "empty", editor)


KILLED_SAVE = """
import sys, time, json
from types import SimpleNamespace
import nanoedit.session as s
folder = sys.argv[1]
fingerprint = json.load(open(folder + "/session.json"))["model"]
session = s.Session.load(folder, SimpleNamespace(fingerprint=fingerprint, name="stub"))
session.checkout("v1")  # the new save would differ: another current version
original, count = s._write_file, [0]
def slow(path, data):
    digest = original(path, data)
    count[0] += 1
    if count[0] == 3:  # halfway through the new save
        open(sys.argv[2], "w").close()
        time.sleep(60)
    return digest
s._write_file = slow
session.save(folder)
"""


def test_a_save_killed_midway_leaves_the_previous_save(three_turns, editor, tmp_path):
    session, _ = three_turns
    session.checkout("v3")
    folder = session.save(tmp_path / "s")
    marker = tmp_path / "halfway"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED_SAVE), str(folder), str(marker)], env=env,
                             stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.time() + 120
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.time() < deadline, "the child never reached the middle of its save"
            time.sleep(0.05)
        assert list(tmp_path.glob(".s.saving-*"))  # its half-written temporary folder
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    loaded = Session.load(folder, editor)
    assert loaded.version.id == "v3" and str(loaded.history) == str(session.history)
    session.save(folder)  # the next save clears the dead process's temporary folder
    assert not list(tmp_path.glob(".s.saving-*"))
