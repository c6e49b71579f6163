"""Prompt -> instruction graph: the rule planner (default, no weights), the LLM planner
(transformers, constrained decoding) and the router that sends each node to its expert(s).

``plan(prompt, context=None, planner=None, strict=False)`` is the entry point; a ``PlanContext``
carries what multi-turn needs (known entities, the last edited targets, the image size).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nanoedit.graphs import InstructionGraph

from .base import Planner
from .context import PlanContext
from .router import ExpertClaim, Gate, Router, RuleGate
from .rules import RulePlanner

if TYPE_CHECKING:  # the LLM planner imports torch; it loads on first use
    from .llm import LLMPlanner

__all__ = [
    "ExpertClaim",
    "Gate",
    "LLMPlanner",
    "PlanContext",
    "Planner",
    "Router",
    "RuleGate",
    "RulePlanner",
    "plan",
]

_DEFAULT = RulePlanner()


def plan(
    prompt: str,
    context: PlanContext | None = None,
    planner: Planner | None = None,
    strict: bool = False,
) -> InstructionGraph:
    """The instruction graph of ``prompt`` (the rule planner unless ``planner`` is given)."""
    return (planner or _DEFAULT).plan(prompt, context=context, strict=strict)


def __getattr__(name: str):
    if name == "LLMPlanner":
        from .llm import LLMPlanner

        return LLMPlanner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
