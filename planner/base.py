"""The planner interface: ``Planner.plan(prompt, context) -> InstructionGraph``.

Every planner reports what it could not read in ``graph.warnings`` (``strict=True`` turns that into
a ``PlanError``) and never drops a span of the prompt silently.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from nanoedit.errors import PlanError, Problem
from nanoedit.graphs import InstructionGraph

from .context import PlanContext

MAX_PROMPT_CHARS = 20_000


def check_prompt(prompt: object) -> None:
    """Refuse what no planner plans: a prompt that is not text, or longer than ``MAX_PROMPT_CHARS``."""
    if not isinstance(prompt, str):
        raise PlanError(Problem("prompt", f"a prompt is text, got {type(prompt).__name__}"))
    if len(prompt) > MAX_PROMPT_CHARS:
        raise PlanError(
            Problem("prompt", f"{len(prompt)} characters; split it into turns of at most {MAX_PROMPT_CHARS}")
        )


class Planner(ABC):
    """Turns an edit prompt (plus what earlier turns left in ``context``) into an instruction graph."""

    name = "planner"

    def plan(self, prompt: str, context: PlanContext | None = None, strict: bool = False) -> InstructionGraph:
        check_prompt(prompt)
        context = context or PlanContext()
        if not prompt.strip():
            graph = InstructionGraph(prompt=prompt)
            graph.warnings.append("empty prompt: nothing to plan")
        else:
            graph = self._plan(prompt, context)
        if strict and graph.warnings:
            raise PlanError(
                [Problem("prompt", f"{w}; rephrase it or plan with strict=False") for w in graph.warnings]
            )
        return graph

    def plan_many(
        self, prompts: Sequence[str], context: PlanContext | None = None, strict: bool = False
    ) -> list[InstructionGraph]:
        """Plan independent prompts (each against the same ``context``)."""
        return [self.plan(p, context, strict) for p in prompts]

    @abstractmethod
    def _plan(self, prompt: str, context: PlanContext) -> InstructionGraph: ...
