"""nanoedit's default dependencies between the edits of one prompt.

Planners (rules and LLM) and the toy world's gold graphs all build graphs through ``link`` so that
"the same plan" means the same edges everywhere:

1. an ``identity_lock`` runs before every other node;
2. nodes acting on the same target are chained in prompt order;
3. style nodes run after every object node, unless ``style_after_objects=False`` (the prompt
   asked for the style first);
4. style nodes (looks of the whole image) are chained in the order looks are layered, whatever the
   prompt's order: the background, then the lighting of the scene, then a colour grade of the lit
   scene, then a rendering style (``LOOK_ORDER``); each one works on the image the one before made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .graph import InstructionGraph
from .schema import EditNode, Op, Role

LOOK_ORDER = (Op.background, Op.lighting, Op.tone, Op.style)


def node_ids(ops: Iterable[Op]) -> list[str]:
    """The one node-id scheme of every planner and of the toy world's gold graphs: the op's name,
    then ``_2``, ``_3`` for its later nodes (``identity_lock``, ``recolor``, ``recolor_2``), so that
    two plans of one prompt can be diffed node by node."""
    seen: dict[Op, int] = {}
    ids = []
    for op in ops:
        seen[op] = seen.get(op, 0) + 1
        ids.append(op.value if seen[op] == 1 else f"{op.value}_{seen[op]}")
    return ids


def link(nodes: Sequence[EditNode], prompt: str | None = None, style_after_objects: bool = True) -> InstructionGraph:
    """A graph of ``nodes`` (in prompt order) with the default dependencies added."""
    graph = InstructionGraph.from_nodes(nodes, prompt=prompt)
    locks = [n for n in nodes if n.op is Op.identity_lock]
    for lock in locks:
        for other in nodes:
            if other.op is not Op.identity_lock:
                graph.add_edge(lock.id, other.id)
    last_on_target: dict[tuple, str] = {}
    for n in nodes:
        if n.target is None or n.op is Op.identity_lock:
            continue
        previous = last_on_target.get(n.target.key())
        if previous is not None:
            graph.add_edge(previous, n.id)
        last_on_target[n.target.key()] = n.id
        after = n.target_after()
        if after is not None:  # "make the circle blue, then move the blue circle"
            last_on_target[after.key()] = n.id
    looks = [n for n in nodes if n.role is Role.style]
    if style_after_objects:
        objects = [n for n in nodes if n.role is Role.object]
        for style in looks:
            for obj in objects:
                graph.add_edge(obj.id, style.id)
    looks.sort(key=lambda n: LOOK_ORDER.index(n.op))  # stable: two of one op stay in prompt order
    for before, after in zip(looks, looks[1:]):
        graph.add_edge(before.id, after.id)
    return graph
