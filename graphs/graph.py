"""``InstructionGraph``: typed edit nodes on a ``networkx.DiGraph`` whose edges mean "must run after".

An edge ``(a, b)`` says node ``b`` runs after node ``a``. The graph is checked by ``validate()``
(all problems at once, with node ids), ordered by ``schedule()`` (edges first, then
identity > object > style, then priority, then insertion order) and content-hashed per node by
``node_hash()`` so an executor can cache each node by its inputs and re-run only what changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nanoedit.errors import GraphError, Problem

from .schema import EditNode, Op, Role

FORMAT_VERSION = 1

# Limits on one graph, each refused with its own message before any expensive work is done.
MAX_NODES = 500  # a prompt plans to a handful of nodes; 500 is far beyond any real edit
MAX_EDGES = 5_000
MAX_DOCUMENT_CHARS = 1_000_000  # the text of a graph file (YAML or JSON)
MAX_DEPTH = 64  # nesting of a graph document's values
MAX_CONFLICTS_LISTED = 10  # conflicting pairs listed one by one; the rest are counted


class GraphSpec(BaseModel):
    """The serialised form of a graph: what YAML/JSON files and plan turns hold."""

    model_config = ConfigDict(extra="forbid")

    version: int = FORMAT_VERSION
    prompt: str | None = None
    nodes: list[dict[str, Any]] = Field(default_factory=list)
    edges: list[tuple[str, str]] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    trace: list[dict[str, Any]] = Field(default_factory=list)
    # ``nanoedit plan --format json`` and ``graph show --format json`` print the run order beside the
    # graph; it is derived, so it is accepted on reading and never written back.
    run_order: list[str] | None = Field(default=None, exclude=True)


@dataclass
class GraphDiff:
    """What changed from one graph to another, by node id."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    edges_added: list[tuple[str, str]] = field(default_factory=list)
    edges_removed: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.added, self.removed, self.changed, self.edges_added, self.edges_removed))


class InstructionGraph:
    """A plan of edits. Build it with ``add_node``/``add_edge`` or load it with ``from_dict``/YAML/JSON.

    ``warnings`` holds what the planner could not parse; ``trace`` holds planner decisions
    (e.g. an LLM fallback) so a user can see how the graph came to be.
    """

    def __init__(self, prompt: str | None = None):
        self.graph = nx.DiGraph()
        self.prompt = prompt
        self.warnings: list[str] = []
        self.trace: list[dict[str, Any]] = []

    # -- building ---------------------------------------------------------------------------------

    def add_node(self, node: EditNode) -> EditNode:
        if node.id in self.graph and "node" in self.graph.nodes[node.id]:
            raise GraphError(Problem(node.id, "duplicate node id; give every node its own id"))
        self.graph.add_node(node.id, node=node, order=len(self.graph))
        return node

    def add_edge(self, before: str, after: str) -> None:
        """``after`` must run after ``before``. Unknown ids are kept and reported by ``validate()``."""
        for end in (before, after):
            if end not in self.graph:
                self.graph.add_node(end, order=len(self.graph))
        self.graph.add_edge(before, after)

    # -- access -----------------------------------------------------------------------------------

    @property
    def nodes(self) -> list[EditNode]:
        """The nodes in insertion order (dangling edge endpoints are not nodes)."""
        return [data["node"] for _, data in self._ordered() if "node" in data]

    @property
    def edges(self) -> list[tuple[str, str]]:
        order = {n: d["order"] for n, d in self.graph.nodes(data=True)}
        return sorted(self.graph.edges, key=lambda e: (order[e[0]], order[e[1]]))

    def node(self, node_id: str) -> EditNode:
        data = self.graph.nodes.get(node_id)
        if data is None or "node" not in data:
            raise GraphError(Problem(node_id, "no such node"))
        return data["node"]

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InstructionGraph) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"InstructionGraph({len(self)} nodes: {', '.join(n.id + '=' + n.op.value for n in self)})"

    def _ordered(self):
        return sorted(self.graph.nodes(data=True), key=lambda item: item[1]["order"])

    # -- checking ---------------------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Every structural and semantic problem of the graph, each with its node id.

        A graph over ``MAX_NODES`` nodes or ``MAX_EDGES`` edges gets that one problem only. Each
        strongly connected component is reported as one cycle (not every cycle through it, which
        grows exponentially), and conflicts are looked for among nodes of the same target only.
        """
        count, edge_count = len(self.nodes), self.graph.number_of_edges()
        if count > MAX_NODES:
            return [Problem("", f"{count} nodes; a graph holds at most {MAX_NODES}, split the edit into turns")]
        if edge_count > MAX_EDGES:
            return [Problem("", f"{edge_count} edges; a graph holds at most {MAX_EDGES}, drop redundant ones")]
        found: list[Problem] = []
        for before, after in self.edges:
            for end in (before, after):
                if "node" not in self.graph.nodes[end]:
                    found.append(Problem(end, f"edge {before} -> {after} names a node that does not exist"))
        for before, after in self.edges:
            if before == after:
                found.append(Problem(before, "node depends on itself"))
        found.extend(self._cycles())
        found.extend(self._conflicts())
        return found

    def _cycles(self) -> list[Problem]:
        """One cycle per strongly connected component of two or more nodes, in insertion order."""
        order = {n: d["order"] for n, d in self.graph.nodes(data=True)}
        found = []
        components = [c for c in nx.strongly_connected_components(self.graph) if len(c) > 1]
        for component in sorted(components, key=lambda c: min(order[n] for n in c)):
            start = min(component, key=order.__getitem__)
            sub = self.graph.subgraph(component)
            cycle = [start]
            # Walk from the start, always to the earliest successor, until the walk returns to a node
            # already on it; the part from that node on is a cycle (every node of an SCC has a successor in it).
            seen = {start: 0}
            while True:
                succ = min((n for n in sub.successors(cycle[-1]) if n != cycle[-1]), key=order.__getitem__)
                if succ in seen:
                    cycle = cycle[seen[succ]:]
                    break
                seen[succ] = len(cycle)
                cycle.append(succ)
            path = " -> ".join([*cycle, cycle[0]])
            extra = f" ({len(component)} nodes depend on each other)" if len(component) > len(cycle) else ""
            found.append(Problem(cycle[0], f"cycle {path}{extra}; remove one of these edges"))
        return found

    def validate(self) -> InstructionGraph:
        """Raise one ``GraphError`` listing every problem; return the graph when there is none."""
        found = self.problems()
        if found:
            raise GraphError(found)
        return self

    def _conflicts(self) -> list[Problem]:
        """Pairs of nodes that cannot both apply (see ``_conflict``), compared within each target only.

        The first ``MAX_CONFLICTS_LISTED`` pairs are listed and the rest counted ("and N more").
        Whether two nodes are ordered is read from reachability bitsets computed once over the
        graph's condensation, and params are compared as precomputed JSON, so each pair costs a few
        integer operations; pairs that cannot conflict (different ops, no remove) are never visited.
        """
        groups: dict[Any, list[EditNode]] = {}
        for node in self.nodes:
            if node.op is not Op.identity_lock:
                groups.setdefault(node.target.key() if node.target else None, []).append(node)
        groups = {k: v for k, v in groups.items() if len(v) > 1}
        if not groups:
            return []
        reach = self._reachability()
        bit = {n: 1 << i for i, n in enumerate(self.graph)}
        listed: list[Problem] = []
        more = 0

        def report(a: EditNode, b: EditNode) -> None:
            nonlocal more
            if len(listed) < MAX_CONFLICTS_LISTED:
                listed.append(Problem(f"{a.id},{b.id}", _conflict(a, b) or "conflicting edits"))
            else:
                more += 1

        for members in groups.values():
            # A remove conflicts with every other edit of its target, ordered or not.
            removes = [i for i, m in enumerate(members) if m.op is Op.remove]
            if removes and members[0].target is not None:
                k, r = len(members), len(removes)
                total = k * (k - 1) // 2 - (k - r) * (k - r - 1) // 2
                for i, a in enumerate(members):
                    if len(listed) >= MAX_CONFLICTS_LISTED:
                        break
                    for b in members[i + 1 :]:
                        if Op.remove in (a.op, b.op):
                            if len(listed) >= MAX_CONFLICTS_LISTED:
                                break
                            report(a, b)
                            total -= 1
                more += total
            # Two different edits of the same kind conflict unless an edge orders them.
            kinds: dict[tuple, list[EditNode]] = {}
            for m in members:
                if m.op is not Op.remove:
                    name = getattr(m.params, "name", None) if m.op is Op.attribute else None
                    kinds.setdefault((m.op, name), []).append(m)
            for same in kinds.values():
                if len(same) < 2:
                    continue
                params = [json.dumps(m.params.model_dump(mode="json"), sort_keys=True) for m in same]
                if len(set(params)) == 1:
                    continue
                bits = [bit[m.id] for m in same]
                below = [reach[m.id] for m in same]
                for i in range(len(same)):
                    for j in range(i + 1, len(same)):
                        if params[i] != params[j] and not (below[i] & bits[j] or below[j] & bits[i]):
                            report(same[i], same[j])
        if more:
            listed.append(Problem("", f"and {more} more conflicting pairs"))
        return listed

    def _reachability(self) -> dict[str, int]:
        """For every node, a bitset (over ``self.graph``'s node order) of the nodes reachable from it."""
        bit = {n: 1 << i for i, n in enumerate(self.graph)}
        condensed = nx.condensation(self.graph)
        members = condensed.graph["mapping"]  # node -> component
        below: dict[int, int] = {}
        for component in reversed(list(nx.topological_sort(condensed))):
            mask = 0
            nodes = condensed.nodes[component]["members"]
            if len(nodes) > 1:  # inside a cycle every node reaches every other
                for n in nodes:
                    mask |= bit[n]
            for child in condensed.successors(component):
                mask |= below[child]
                for n in condensed.nodes[child]["members"]:
                    mask |= bit[n]
            below[component] = mask
        return {n: below[members[n]] for n in self.graph}

    # -- ordering and caching -------------------------------------------------------------------

    def schedule(self) -> list[EditNode]:
        """Nodes in run order: every edge respected; among ready nodes identity > object > style,
        then higher ``priority``, then insertion order, so the same graph always gives the same order."""
        self.validate()

        def key(node_id: str):
            data = self.graph.nodes[node_id]
            node: EditNode = data["node"]
            return (node.role.rank, -node.priority, data["order"])

        return [self.node(n) for n in nx.lexicographical_topological_sort(self.graph, key=key)]

    def node_hash(self, node_id: str) -> str:
        """Content hash of a node and everything upstream of it (ids and provenance text excluded)."""
        self.node(node_id)
        memo: dict[str, str] = {}

        def visit(n: str) -> str:
            if n not in memo:
                parents = sorted(visit(p) for p in self.graph.predecessors(n))
                payload = json.dumps([self.node(n).content(), parents], sort_keys=True)
                memo[n] = hashlib.sha256(payload.encode()).hexdigest()[:16]
            return memo[n]

        return visit(node_id)

    def diff(self, other: InstructionGraph) -> GraphDiff:
        mine = {n.id: n for n in self.nodes}
        theirs = {n.id: n for n in other.nodes}
        return GraphDiff(
            added=[i for i in theirs if i not in mine],
            removed=[i for i in mine if i not in theirs],
            changed=[i for i in mine if i in theirs and mine[i].content() != theirs[i].content()],
            edges_added=[e for e in other.edges if e not in set(self.edges)],
            edges_removed=[e for e in self.edges if e not in set(other.edges)],
        )

    def canonical(self) -> dict[str, list]:
        """The graph's meaning without ids, provenance text, warnings or trace: two plans that do
        the same edits with the same dependencies have equal canonical forms."""
        content = {n.id: json.dumps(n.content(), sort_keys=True) for n in self.nodes}
        return {
            "nodes": sorted(content.values()),
            "edges": sorted([content[a], content[b]] for a, b in self.edges if a in content and b in content),
        }

    def equivalent(self, other: InstructionGraph) -> bool:
        return self.canonical() == other.canonical()

    def roles(self) -> set[Role]:
        return {n.role for n in self.nodes}

    # -- serialisation --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        spec = GraphSpec(
            prompt=self.prompt,
            nodes=[n.model_dump(mode="json") for n in self.nodes],
            edges=self.edges,
            warnings=list(self.warnings),
            trace=list(self.trace),
        )
        return spec.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: Any) -> InstructionGraph:
        """Parse a graph; every malformed node is reported at once, by node id.

        Structure (cycles, dangling edges, conflicts) is checked by ``validate()``, so that an
        invalid graph can still be loaded, shown and repaired.
        """
        _check_document(data)
        try:
            spec = GraphSpec.model_validate(data)
        except ValidationError as exc:
            raise GraphError([Problem(_loc(err["loc"]), err["msg"]) for err in exc.errors()]) from None
        if spec.version != FORMAT_VERSION:
            raise GraphError(f"graph format version {spec.version} is not supported (use {FORMAT_VERSION})")
        graph = cls(prompt=spec.prompt)
        graph.warnings = list(spec.warnings)
        graph.trace = list(spec.trace)
        problems = []
        for index, raw in enumerate(spec.nodes):
            node_id = raw.get("id", f"nodes[{index}]") if isinstance(raw, dict) else f"nodes[{index}]"
            try:
                graph.add_node(EditNode.model_validate(raw))
            except ValidationError as exc:
                problems += [Problem(str(node_id), _message(e)) for e in exc.errors()]
            except GraphError as exc:
                problems += exc.problems
        if problems:
            raise GraphError(problems)
        for before, after in spec.edges:
            graph.add_edge(before, after)
        return graph

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> InstructionGraph:
        from nanoedit.io import decode_text

        text = decode_text(text, GraphError, "a graph's JSON")
        if len(text) > MAX_DOCUMENT_CHARS:
            raise GraphError(f"{len(text)} characters of JSON; a graph file holds at most {MAX_DOCUMENT_CHARS}")
        if _json_depth_over(text, MAX_DEPTH):
            raise GraphError(f"the JSON nests deeper than {MAX_DEPTH} levels; a graph is a few levels deep, flatten it")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GraphError(Problem(f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}")) from None
        except (ValueError, RecursionError) as exc:  # e.g. an integer of thousands of digits
            raise GraphError(f"the JSON holds a value that cannot be read ({exc}); fix it") from None
        return cls.from_dict(data)

    def to_yaml(self, compact: bool = True) -> str:
        """YAML for people: ``compact`` omits nulls, defaults, the derived role and empty sections;
        ``from_yaml`` fills them back in, so the round trip is exact either way."""
        return yaml.dump(self.to_compact() if compact else self.to_dict(), Dumper=_Dumper, sort_keys=False,
                         allow_unicode=True)  # fmt: skip

    def to_compact(self) -> dict[str, Any]:
        """``to_dict`` without what loading restores: nulls, defaults, roles, empty lists."""
        nodes = []
        for n in self.nodes:
            data = n.model_dump(mode="json", exclude_defaults=True, exclude={"role"})
            nodes.append({k: v for k, v in data.items() if v != {}})
        full = self.to_dict()
        full["nodes"] = nodes
        return {k: v for k, v in full.items() if k in ("version", "nodes") or v not in (None, [], {})}

    @classmethod
    def from_yaml(cls, text: str | bytes) -> InstructionGraph:
        from nanoedit.errors import PlanError

        from .yamlio import load_yaml

        try:
            data = load_yaml(text, source="<graph>").data
        except PlanError as exc:
            raise GraphError(exc.problems) from None
        return cls.from_dict(data)

    def to_dot(self) -> str:
        from .display import to_dot

        return to_dot(self)

    def to_mermaid(self) -> str:
        from .display import to_mermaid

        return to_mermaid(self)

    @classmethod
    def from_nodes(cls, nodes: Iterable[EditNode], edges: Iterable[tuple[str, str]] = (), prompt=None):
        graph = cls(prompt=prompt)
        for node in nodes:
            graph.add_node(node)
        for before, after in edges:
            graph.add_edge(before, after)
        return graph


class _Dumper(yaml.SafeDumper):
    """Safe dumping, with strings holding Unicode line breaks double-quoted: PyYAML writes them raw
    in plain or single-quoted style, where a reader folds them into spaces."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def _json_depth_over(text: str, limit: int) -> bool:
    """Whether JSON ``text`` nests brackets deeper than ``limit`` (strings skipped), in one linear scan,
    so ``json.loads`` never recurses deep enough to raise ``RecursionError``."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _check_document(data: Any) -> None:
    """Refuse, before pydantic sees it, a graph document that is not a mapping, has too many nodes
    or edges, nests too deeply or is cyclic (Python objects built by hand can be)."""
    if not isinstance(data, dict):
        raise GraphError(f"a graph is a mapping with `nodes` (and `edges`), got {type(data).__name__}")
    for key, limit in (("nodes", MAX_NODES), ("edges", MAX_EDGES)):
        value = data.get(key)
        if isinstance(value, list) and len(value) > limit:
            raise GraphError(
                f"{len(value)} {key}; a graph holds at most {limit} {key}, split the edit into turns"
            )
    stack: list[tuple[Any, int]] = [(data, 1)]
    active: set[int] = set()
    visited = 0
    while stack:
        value, depth = stack.pop()
        if depth < 0:  # leaving a container
            active.discard(id(value))
            continue
        if not isinstance(value, (dict, list, tuple)):
            continue
        visited += 1
        if depth > MAX_DEPTH:
            raise GraphError(f"the graph nests deeper than {MAX_DEPTH} levels; a graph is a few levels deep")
        if id(value) in active:
            raise GraphError("the graph document contains itself (a cyclic structure); give plain data")
        if visited > 10 * (MAX_NODES + MAX_EDGES) * MAX_DEPTH:
            raise GraphError("the graph document is too large; split the edit into turns")
        active.add(id(value))
        stack.append((value, -1))
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children)


def _conflict(a: EditNode, b: EditNode) -> str | None:
    """Why two nodes cannot both apply to the same target in one graph, or None."""
    same_target = (a.target.key() if a.target else None) == (b.target.key() if b.target else None)
    if not same_target or Op.identity_lock in (a.op, b.op):
        return None
    if Op.remove in (a.op, b.op) and a.target is not None:
        other = b if a.op is Op.remove else a
        return f"{other.op.value} of {a.target.describe()} conflicts with removing it"
    if a.op is b.op and a.params != b.params:
        if a.op is Op.attribute and a.params.name != b.params.name:  # type: ignore[attr-defined]
            return None
        what = a.target.describe() if a.target else "the image"
        return f"two different {a.op.value} edits of {what} with no order between them"
    return None


def _message(err: dict) -> str:
    """A pydantic error as ``field: message (got value)``, the value shown when it is a plain one."""
    text = err["msg"].removeprefix("Value error, ")
    if err["type"] in ("enum", "literal_error", "string_pattern_mismatch") and isinstance(err.get("input"), str):
        text += f" (got {err['input']!r})"
    where = _loc(err["loc"])
    return f"{where}: {text}" if where else text


def _loc(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)
