"""The router: which expert(s) run a node, with what weight (a sparse top-k gate over registered experts).

By default each role has its expert ("identity", "object", "style"). A user expert claims ops
and/or keywords (words of the node's text or target) and wins the nodes it claims. The gate is
pluggable: anything with ``scores(node, experts) -> {name: logit}`` (a small learned gate can
replace ``RuleGate`` later); the router keeps the top-k finite scores and softmax-normalises them.
Every decision, with its scores and weights, goes into the trace it is given.

An ``ExpertClaim`` is only what an expert claims; the experts themselves (adapters, programs) live in
one ``nanoedit.experts.ExpertRegistry``, which hands the router its claims (``registry.claims()``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from nanoedit.errors import GraphError, Problem
from nanoedit.graphs import EditNode, InstructionGraph, Op, Role


@dataclass(frozen=True)
class ExpertClaim:
    """A routable expert: the role it serves, and the ops or keywords it claims."""

    name: str
    role: Role | None = None
    ops: frozenset[Op] = field(default_factory=frozenset)
    keywords: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "ops", frozenset(Op(o) for o in self.ops))
        object.__setattr__(self, "keywords", frozenset(k.lower() for k in self.keywords))
        if self.role is not None:
            object.__setattr__(self, "role", Role(self.role))


class Gate(Protocol):
    name: str

    def scores(self, node: EditNode, experts: list[ExpertClaim]) -> dict[str, float]:
        """A logit per expert; ``-inf`` for experts that must not run the node."""
        ...


class RuleGate:
    """Claims beat roles: a keyword claim scores 3, an op claim 2, the node's role 1; else excluded."""

    name = "rules"
    KEYWORD, OP, ROLE = 3.0, 2.0, 1.0

    def scores(self, node: EditNode, experts: list[ExpertClaim]) -> dict[str, float]:
        words = set(re.findall(r"[a-z]+", node.text.lower()))
        if node.target is not None:
            words |= set(re.findall(r"[a-z]+", node.target.describe().lower()))
        scores = {}
        for expert in experts:
            if expert.keywords & words:
                scores[expert.name] = self.KEYWORD
            elif node.op in expert.ops:
                scores[expert.name] = self.OP
            elif expert.role is node.role and not expert.ops and not expert.keywords:
                scores[expert.name] = self.ROLE
            else:
                scores[expert.name] = -math.inf
        return scores


DEFAULT_EXPERTS = tuple(ExpertClaim(role.value, role=role) for role in Role)


class Router:
    """Sends each node to its top-k experts. ``route(node) -> [(expert_name, weight)]``."""

    def __init__(
        self,
        experts: Iterable[ExpertClaim] = DEFAULT_EXPERTS,
        top_k: int = 1,
        gate: Gate | None = None,
        temperature: float = 1.0,
    ):
        if top_k < 1:
            raise GraphError(Problem("router", f"top_k={top_k}; route to at least one expert (top_k >= 1)"))
        self.experts: dict[str, ExpertClaim] = {}
        self.top_k, self.gate, self.temperature = top_k, gate or RuleGate(), temperature
        for expert in experts:
            self.register(expert)

    def register(self, expert: ExpertClaim) -> ExpertClaim:
        """Add (or replace, by name) an expert; it takes part in every later decision."""
        self.experts[expert.name] = expert
        return expert

    def route(self, node: EditNode, trace: list[dict[str, Any]] | None = None) -> list[tuple[str, float]]:
        scores = self.gate.scores(node, list(self.experts.values()))
        ranked = sorted(
            ((s, name) for name, s in scores.items() if s > -math.inf), key=lambda x: (-x[0], x[1])
        )
        if not ranked:
            raise GraphError(
                Problem(node.id, f"no expert can run op {node.op.value!r}; register one that claims it")
            )
        chosen = ranked[: self.top_k]
        top = chosen[0][0]
        exps = [math.exp((s - top) / self.temperature) for s, _ in chosen]
        total = sum(exps)
        routes = [(name, round(e / total, 6)) for (_, name), e in zip(chosen, exps)]
        if trace is not None:
            trace.append({
                "event": "route", "node": node.id, "gate": self.gate.name,
                "scores": {k: v for k, v in scores.items() if v > -math.inf},
                "experts": [[name, weight] for name, weight in routes],
            })  # fmt: skip
        return routes

    def route_graph(self, graph: InstructionGraph) -> dict[str, list[tuple[str, float]]]:
        """Route every node in run order; the decisions are appended to ``graph.trace``."""
        return {node.id: self.route(node, graph.trace) for node in graph.schedule()}
