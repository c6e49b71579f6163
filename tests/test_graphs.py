"""Instruction graph: schema checks, validation, scheduling, serialisation, hashing and diffs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nanoedit.errors import GraphError
from nanoedit.graphs import EditNode, EntityRef, InstructionGraph, Op, Role

NOUNS = ["circle", "square", "triangle", "star", "heart", "hat", "dog"]
COLORS = ["red", "blue", "green", "yellow", "purple"]


def node(id, op, noun=None, **params):
    target = EntityRef(noun=noun) if noun else None
    return EditNode(id=id, op=op, target=target, params=params)


# -- strategies -----------------------------------------------------------------------------------

PARAM_STRATEGIES = {
    Op.identity_lock: st.fixed_dictionaries({}, optional={"parts": st.lists(st.sampled_from(["face", "hair", "pose"]), min_size=1, max_size=2, unique=True)}),
    Op.add: st.fixed_dictionaries({}, optional={"position": st.sampled_from(["top left", "center"])}),
    Op.remove: st.just({}),
    Op.replace: st.builds(lambda n: {"replacement": {"noun": n}}, st.sampled_from(NOUNS)),
    Op.recolor: st.builds(lambda c: {"color": c}, st.sampled_from(COLORS)),
    Op.move: st.one_of(st.builds(lambda d: {"direction": d}, st.sampled_from(["left", "right", "up", "down"])),
                       st.builds(lambda p: {"position": p}, st.sampled_from(["top left", "bottom"]))),
    Op.resize: st.builds(lambda s: {"scale": s}, st.floats(0.25, 4.0, allow_nan=False)),
    Op.attribute: st.builds(lambda v: {"name": "hair_color", "value": v}, st.sampled_from(COLORS)),
    Op.pose: st.just({"pose": "raise_left_arm"}),
    Op.extract: st.just({}),
    Op.text: st.builds(lambda t: {"text": t}, st.text(min_size=1, max_size=8)),
    Op.background: st.builds(lambda c: {"color": c}, st.sampled_from(COLORS)),
    Op.lighting: st.sampled_from([{"lighting": "night"}, {"lighting": "sunset"}]),
    Op.style: st.just({"style": "watercolor"}),
    Op.tone: st.just({"tone": "warm"}),
}


@st.composite
def edit_nodes(draw, node_id: str):
    op = draw(st.sampled_from(list(Op)))
    params = dict(draw(PARAM_STRATEGIES[op]))
    params["strength"] = draw(st.floats(0.0, 1.0, allow_nan=False))
    target = None
    if op.needs_target or draw(st.booleans()):
        target = EntityRef(
            noun=draw(st.sampled_from(NOUNS)) + node_id,  # distinct targets: no accidental conflicts
            color=draw(st.none() | st.sampled_from(COLORS)),
            count=draw(st.none() | st.integers(1, 3)),
        )
    return EditNode(id=node_id, op=op, target=target, params=params,
                    priority=draw(st.integers(-2, 2)), text=draw(st.text(max_size=12)))


@st.composite
def graphs(draw, max_nodes: int = 7):
    count = draw(st.integers(1, max_nodes))
    nodes = [draw(edit_nodes(f"n{i}")) for i in range(count)]
    graph = InstructionGraph(prompt=draw(st.none() | st.text(max_size=20)))
    for n in nodes:
        graph.add_node(n)
    # Edges only from lower to higher index: always acyclic.
    for j in range(count):
        for i in range(j):
            if draw(st.integers(0, 3)) == 0:
                graph.add_edge(f"n{i}", f"n{j}")
    graph.warnings = draw(st.lists(st.text(max_size=10), max_size=2))
    assume(not graph.problems())  # e.g. two different background edits with no order between them
    return graph


# -- schema -----------------------------------------------------------------------------------------

def test_role_is_derived_from_op():
    assert node("a", "identity_lock").role is Role.identity
    assert node("b", "recolor", "circle", color="red").role is Role.object
    assert node("c", "tone", tone="warm").role is Role.style
    assert {op.role for op in Op} == set(Role)


@pytest.mark.parametrize(
    "op, params, noun, fragment",
    [
        ("recolor", {}, "circle", "color"),
        ("move", {}, "circle", "direction"),
        ("resize", {}, "circle", "scale"),
        ("recolor", {"color": "red", "strength": 1.5}, "circle", "strength"),
        ("background", {}, None, "background edit needs"),
        ("remove", {}, None, "give a target"),
        ("recolor", {"color": "red", "colour": "blue"}, "circle", "colour"),
    ],
)
def test_bad_params_are_rejected_with_the_field(op, params, noun, fragment):
    with pytest.raises(GraphError) as err:
        InstructionGraph.from_dict({"nodes": [{"id": "x", "op": op, "params": params,
                                               **({"target": {"noun": noun}} if noun else {})}]})
    assert fragment in str(err.value)
    assert err.value.problems[0].where == "x"


def test_unknown_op_names_the_node():
    with pytest.raises(GraphError) as err:
        InstructionGraph.from_dict({"nodes": [{"id": "x", "op": "teleport"}]})
    assert err.value.problems[0].where == "x"
    assert "teleport" in str(err.value)


def test_role_in_input_must_match_op():
    data = {"nodes": [{"id": "x", "op": "tone", "role": "object", "params": {"tone": "warm"}}]}
    with pytest.raises(GraphError, match="does not match"):
        InstructionGraph.from_dict(data)


# -- validate ---------------------------------------------------------------------------------------

def test_validate_lists_every_problem_with_node_ids():
    graph = InstructionGraph.from_nodes(
        [node("a", "recolor", "circle", color="red"), node("b", "remove", "circle"),
         node("c", "tone", tone="warm"), node("d", "style", style="ink")],
        edges=[("c", "d"), ("d", "c"), ("a", "ghost")],
    )
    with pytest.raises(GraphError) as err:
        graph.validate()
    text = str(err.value)
    assert "ghost" in text and "does not exist" in text
    assert "cycle" in text
    assert "conflicts with removing it" in text
    wheres = {p.where for p in err.value.problems}
    assert {"ghost", "a,b"} <= wheres


def test_self_loop_is_a_cycle():
    graph = InstructionGraph.from_nodes([node("a", "tone", tone="warm")], edges=[("a", "a")])
    with pytest.raises(GraphError, match="depends on itself"):
        graph.validate()


def test_same_op_same_target_conflicts_only_when_unordered():
    a, b = node("a", "recolor", "circle", color="red"), node("b", "recolor", "circle", color="blue")
    with pytest.raises(GraphError, match="no order between them"):
        InstructionGraph.from_nodes([a, b]).validate()
    InstructionGraph.from_nodes([a, b], edges=[("a", "b")]).validate()


def test_duplicate_ids_are_rejected():
    with pytest.raises(GraphError, match="duplicate"):
        InstructionGraph.from_dict({"nodes": [{"id": "a", "op": "tone", "params": {"tone": "x"}}] * 2})


# -- schedule ---------------------------------------------------------------------------------------

def test_schedule_puts_identity_then_object_then_style():
    graph = InstructionGraph.from_nodes(
        [node("s", "background", color="blue"), node("o", "remove", "circle"), node("i", "identity_lock")]
    )
    assert [n.id for n in graph.schedule()] == ["i", "o", "s"]


def test_schedule_respects_edges_over_roles():
    graph = InstructionGraph.from_nodes(
        [node("s", "background", color="blue"), node("o", "remove", "circle")], edges=[("s", "o")]
    )
    assert [n.id for n in graph.schedule()] == ["s", "o"]


def test_schedule_refuses_invalid_graphs():
    graph = InstructionGraph.from_nodes([node("a", "tone", tone="w")], edges=[("a", "b")])
    with pytest.raises(GraphError):
        graph.schedule()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_schedule_respects_edges_and_role_order_among_ready(graph):
    order = graph.schedule()
    position = {n.id: i for i, n in enumerate(order)}
    assert sorted(position) == sorted(n.id for n in graph.nodes)
    for before, after in graph.edges:
        assert position[before] < position[after]
    # At each step the chosen node has the best role among the nodes that were ready then.
    done: set[str] = set()
    for chosen in order:
        ready = [n for n in graph.nodes if n.id not in done
                 and all(p in done for p in graph.graph.predecessors(n.id))]
        assert chosen.role.rank == min(n.role.rank for n in ready)
        done.add(chosen.id)
    assert [n.id for n in graph.schedule()] == [n.id for n in order]  # deterministic


# -- serialisation ------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_round_trips_are_exact(graph):
    data = graph.to_dict()
    assert InstructionGraph.from_dict(data).to_dict() == data
    assert InstructionGraph.from_json(graph.to_json()).to_dict() == data
    assert InstructionGraph.from_yaml(graph.to_yaml()).to_dict() == data
    assert InstructionGraph.from_yaml(graph.to_yaml()) == graph


def test_yaml_errors_have_positions():
    with pytest.raises(GraphError, match=r"<graph>:2:\d+"):
        InstructionGraph.from_yaml("nodes:\n\t- id: a\n")
    with pytest.raises(GraphError, match="not valid JSON"):
        InstructionGraph.from_json("{nodes: ")


def test_dot_and_mermaid_show_every_node_and_edge():
    graph = InstructionGraph.from_nodes(
        [node("keep", "identity_lock"), node("rm", "remove", "circle")], edges=[("keep", "rm")]
    )
    dot, mermaid = graph.to_dot(), graph.to_mermaid()
    assert dot.startswith("digraph") and '"keep" -> "rm"' in dot and "remove circle" in dot
    assert mermaid.startswith("flowchart") and "n_keep --> n_rm" in mermaid


# -- hashing and diffs ----------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.data())
def test_node_hash_changes_exactly_downstream_of_a_change(graph, data):
    changed = data.draw(st.sampled_from([n.id for n in graph.nodes]))
    before = {n.id: graph.node_hash(n.id) for n in graph.nodes}
    old = graph.node(changed)
    new = old.model_copy(update={"priority": old.priority + 1})
    graph.graph.nodes[changed]["node"] = new
    after = {n.id: graph.node_hash(n.id) for n in graph.nodes}
    import networkx as nx

    affected = {changed} | nx.descendants(graph.graph, changed)
    for node_id in before:
        assert (before[node_id] != after[node_id]) == (node_id in affected), node_id


def test_node_hash_ignores_ids_and_provenance_text():
    a = InstructionGraph.from_nodes([node("a", "tone", tone="warm")])
    b = InstructionGraph.from_nodes([EditNode(id="zz", op="tone", params={"tone": "warm"}, text="warm it")])
    assert a.node_hash("a") == b.node_hash("zz")


def test_diff_reports_added_removed_changed():
    old = InstructionGraph.from_nodes([node("a", "tone", tone="warm"), node("b", "remove", "circle")])
    new = InstructionGraph.from_nodes(
        [node("a", "tone", tone="cool"), node("c", "background", color="red")], edges=[("a", "c")]
    )
    diff = old.diff(new)
    assert (diff.added, diff.removed, diff.changed) == (["c"], ["b"], ["a"])
    assert diff.edges_added == [("a", "c")]
    assert not old.diff(old)


# -- default dependencies and equivalence -------------------------------------------------------------

def test_link_adds_the_default_dependencies():
    nodes = [node("bg", "background", color="blue"), node("c1", "recolor", "circle", color="red"),
             node("sq", "remove", "square"), node("lock", "identity_lock"),
             EditNode(id="c2", op="move", target=EntityRef(noun="circle", color="red"), params={"direction": "left"})]
    from nanoedit.graphs import link

    graph = link(nodes).validate()
    edges = set(graph.edges)
    assert {("lock", n) for n in ("bg", "c1", "sq", "c2")} <= edges  # identity lock first
    assert ("c1", "c2") in edges  # same target (after its recolor), chained in prompt order
    assert {("c1", "bg"), ("sq", "bg"), ("c2", "bg")} <= edges  # style after objects
    assert ("sq", "c1") not in edges and ("c1", "sq") not in edges
    assert [n.id for n in graph.schedule()] == ["lock", "c1", "sq", "c2", "bg"]
    assert not link(nodes, style_after_objects=False).graph.has_edge("c1", "bg")


def test_looks_are_chained_in_the_order_they_layer_whatever_the_prompt_order():
    from nanoedit.graphs import link

    nodes = [node("st", "style", style="posterize"), node("tn", "tone", tone="warm"),
             node("lt", "lighting", lighting="night"), node("bg", "background", color="blue")]  # fmt: skip
    graph = link(nodes).validate()
    assert {("bg", "lt"), ("lt", "tn"), ("tn", "st")} <= set(graph.edges)
    assert [n.id for n in graph.schedule()] == ["bg", "lt", "tn", "st"]  # each works on the one before


def test_target_after_follows_the_edit():
    moved = node("m", "move", "circle", position="top left").target_after()
    assert moved.position == "top left"
    assert node("r", "recolor", "circle", color="blue").target_after().color == "blue"
    assert node("x", "remove", "circle").target_after() is None


def test_equivalence_ignores_ids_and_text():
    a = InstructionGraph.from_nodes([node("a", "identity_lock"), node("b", "remove", "circle")], edges=[("a", "b")])
    b = InstructionGraph.from_nodes(
        [EditNode(id="x", op="remove", target=EntityRef(noun="circle"), text="drop it"), node("y", "identity_lock")],
        edges=[("y", "x")],
    )
    assert a.equivalent(b)
    b.add_edge("x", "y")  # same nodes, other edges: not the same plan
    assert not a.equivalent(b)


def test_default_params_are_the_ops_own():
    lock = EditNode(id="a", op="identity_lock")
    assert lock.params.parts == ["face"]
    assert lock.content() == EditNode(id="a", op="identity_lock", params={}).content()
