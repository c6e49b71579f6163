"""Text renderings of a graph for people: Graphviz DOT and Mermaid (GitHub renders the latter)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .schema import Role

if TYPE_CHECKING:
    from .graph import InstructionGraph

ROLE_COLORS = {Role.identity: "#f4d35e", Role.object: "#8ecae6", Role.style: "#c3a6ff"}


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


FORMATS = ("yaml", "json", "dot", "mermaid")


def render_graph(graph: InstructionGraph, fmt: str) -> str:
    """The graph in one of ``FORMATS``, with its run order (as a comment in YAML, a key in JSON)."""
    order = [n.id for n in graph.schedule()]
    if fmt == "yaml":
        return f"# run order: {' -> '.join(order)}\n" + graph.to_yaml()
    if fmt == "json":
        return json.dumps({"run_order": order, **graph.to_dict()}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "dot":
        return to_dot(graph)
    if fmt == "mermaid":
        return to_mermaid(graph)
    raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}")


def to_dot(graph: InstructionGraph) -> str:
    lines = ["digraph instruction_graph {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled"];']
    for node in graph.nodes:
        label = _quoted(f"{node.id}\\n{node.label()}")
        lines.append(f'  "{_quoted(node.id)}" [label="{label}", fillcolor="{ROLE_COLORS[node.role]}"];')
    for before, after in graph.edges:
        lines.append(f'  "{_quoted(before)}" -> "{_quoted(after)}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(node_id: str) -> str:
    """A Mermaid-safe id, one-to-one: letters and digits kept, every other character (``_`` too)
    written as ``_XX_`` (its code point in hex), so ``a-b``, ``a.b`` and ``a_b`` stay apart."""
    return "n_" + "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in node_id)


def to_mermaid(graph: InstructionGraph) -> str:
    lines = ["flowchart LR"]
    for node in graph.nodes:
        label = f"{node.id}: {node.label()}".replace('"', "#quot;")
        lines.append(f'  {_mermaid_id(node.id)}["{label}"]:::{node.role.value}')
    for before, after in graph.edges:
        lines.append(f"  {_mermaid_id(before)} --> {_mermaid_id(after)}")
    for role, color in ROLE_COLORS.items():
        lines.append(f"  classDef {role.value} fill:{color}")
    return "\n".join(lines) + "\n"
