"""Instruction graphs: typed edit nodes (pydantic) on a networkx DAG; validate, schedule, serialise."""

from nanoedit.errors import GraphError

from .dependencies import link, node_ids
from .graph import GraphDiff, GraphSpec, InstructionGraph
from .schema import (
    DIRECTIONS,
    ELSEWHERE,
    PARAMS_BY_OP,
    POSITIONS,
    SIZES,
    EditNode,
    EntityRef,
    Op,
    Params,
    Role,
)

__all__ = [
    "DIRECTIONS",
    "ELSEWHERE",
    "PARAMS_BY_OP",
    "POSITIONS",
    "SIZES",
    "EditNode",
    "EntityRef",
    "GraphDiff",
    "GraphError",
    "GraphSpec",
    "InstructionGraph",
    "Op",
    "Params",
    "Role",
    "link",
    "node_ids",
]
