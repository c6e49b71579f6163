"""YAML edit plans: an input image, a list of turns, options, expectations, retries and outputs.

A plan file looks like::

    input:
      image: photos/cat.png          # relative to this file; or `scene: {seed: 3}` for the toy world
    options: {seed: 0, steps: 20, model: default}
    turns:
      - instruction: make the red circle blue
        expect: {identity: ">= 0.9"}
        retry: {max: 3, until: checks_pass}
      - graph:                        # or an explicit instruction graph
          nodes:
            - {id: bg, op: background, params: {color: blue}}
    outputs: {dir: out, save: [final, turns, graphs]}

``load_plan`` reports every problem at once, each as ``file:line:col: message``; unknown keys are
errors. Every path in a plan (the input image, masks and ``outputs.dir``) is resolved with symlinks
followed and must lie inside the plan's folder unless ``allow_outside=True``; images are checked
cheaply (header and structure, no decoding) so a truncated file or a decompression bomb is reported
by ``graph validate``, not halfway through a run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nanoedit.errors import GraphError, NanoeditError, PlanError, Problem
from nanoedit.graphs import GraphSpec, InstructionGraph
from nanoedit.graphs.yamlio import LocatedYaml, load_yaml
from nanoedit.io import check_image, check_path, read_text
from nanoedit.planner.base import MAX_PROMPT_CHARS

MAX_TURNS = 100
MAX_PLAN_BYTES = 1_000_000

# What a turn's `expect` may check; each is measured by the editor's verifier after the turn.
EXPECTATION_METRICS = ("identity", "preservation", "edit", "psnr", "ssim", "clip_text", "clip_direction")
_COMPARISON = re.compile(r"^\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SceneInput(_Strict):
    """A toy-world scene sampled from a seed, instead of an image file."""

    seed: int = 0
    size: Literal[64, 128, 256] = 64
    objects: int | None = Field(None, ge=0, le=4)


class PlanInput(_Strict):
    image: str | None = None
    scene: SceneInput | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PlanInput:
        if (self.image is None) == (self.scene is None):
            raise ValueError("give exactly one of `image` (a file) or `scene` (a toy-world scene)")
        return self


class Expectation(_Strict):
    """A parsed ``metric: ">= 0.9"`` check."""

    metric: str
    comparison: Literal[">=", "<=", ">", "<", "=="]
    value: float

    def holds(self, measured: float) -> bool:
        ops = {">=": measured >= self.value, "<=": measured <= self.value, ">": measured > self.value,
               "<": measured < self.value, "==": measured == self.value}  # fmt: skip
        return ops[self.comparison]


class RetryPolicy(_Strict):
    max: int = Field(1, ge=1, le=10)
    until: Literal["checks_pass", "expectations_met"] = "checks_pass"


class Turn(_Strict):
    instruction: str | None = Field(None, max_length=MAX_PROMPT_CHARS)
    graph: GraphSpec | None = None
    mask: str | None = None
    expect: dict[str, str] = Field(default_factory=dict)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)

    @model_validator(mode="after")
    def _exactly_one(self) -> Turn:
        if (self.instruction is None) == (self.graph is None):
            raise ValueError("a turn gives exactly one of `instruction` (text) or `graph` (nodes/edges)")
        if self.instruction is not None and not self.instruction.strip():
            raise ValueError("the instruction is empty")
        return self

    @field_validator("expect")
    @classmethod
    def _expectations_parse(cls, expect: dict[str, str]) -> dict[str, str]:
        for metric, rule in expect.items():
            if metric not in EXPECTATION_METRICS:
                raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(EXPECTATION_METRICS)}")
            if not _COMPARISON.match(str(rule)):
                raise ValueError(f"{metric}: {rule!r} is not a comparison like '>= 0.9'")
        return expect

    def expectations(self) -> list[Expectation]:
        out = []
        for metric, rule in self.expect.items():
            comparison, value = _COMPARISON.match(str(rule)).groups()  # type: ignore[union-attr]
            out.append(Expectation(metric=metric, comparison=comparison, value=float(value)))
        return out


class PlanOptions(_Strict):
    seed: int = 0
    steps: int = Field(20, ge=1, le=1000)
    model: str = "default"


class PlanOutputs(_Strict):
    dir: str = "out"
    save: list[Literal["final", "turns", "graphs", "trace"]] = Field(default_factory=lambda: ["final"])


class Plan(_Strict):
    version: int = 1
    input: PlanInput
    turns: list[Turn] = Field(min_length=1, max_length=MAX_TURNS)
    options: PlanOptions = Field(default_factory=PlanOptions)
    outputs: PlanOutputs = Field(default_factory=PlanOutputs)

    # Set by load_plan: where the plan came from, to resolve relative paths.
    _folder: Path = Path(".")

    @property
    def folder(self) -> Path:
        return self._folder

    def resolve(self, relative: str) -> Path:
        """``relative`` (to the plan's file) as an absolute path, symlinks followed."""
        return (self._folder / relative).resolve()

    @property
    def output_dir(self) -> Path:
        """Where the plan's outputs go (``outputs.dir``, checked by ``load_plan`` to be inside the folder)."""
        return self.resolve(self.outputs.dir)

    def graphs(self) -> list[InstructionGraph | None]:
        """The explicit graph of each turn (None where the turn is an instruction to plan)."""
        return [InstructionGraph.from_dict(t.graph.model_dump()) if t.graph else None for t in self.turns]


def load_plan(path: str | Path, allow_outside: bool = False) -> Plan:
    """Read and check a plan file. Raises ``PlanError`` listing every problem with file:line:col."""
    try:
        path = check_path(path, PlanError, "the plan file")
        text = read_text(path, PlanError, "the plan file", max_bytes=MAX_PLAN_BYTES)
    except PlanError as exc:
        message = exc.problems[0].message if exc.problems else str(exc)
        raise PlanError(Problem("", message)) from None
    return parse_plan(text, source=str(path), folder=path.parent, allow_outside=allow_outside)


def parse_plan(text: str, source: str = "<plan>", folder: str | Path = ".", allow_outside: bool = False) -> Plan:
    doc = load_yaml(text, source=source)
    if not isinstance(doc.data, dict):
        raise PlanError(doc.problem((), "a plan is a mapping with `input` and `turns`; see examples/plans/"))
    try:
        plan = Plan.model_validate(doc.data)
    except ValidationError as exc:
        raise PlanError([_pydantic_problem(doc, err) for err in exc.errors()]) from None
    plan._folder = Path(folder).resolve()
    problems = _graph_problems(plan, doc) + _path_problems(plan, doc, allow_outside)
    if problems:
        raise PlanError(problems)
    return plan


def _pydantic_problem(doc: LocatedYaml, err: dict[str, Any]) -> Problem:
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        return doc.problem(loc, f"unknown key {loc[-1]!r} (a typo?)", at_key=True)
    # Errors raised by a model validator point at the model itself; their message says which field.
    field = ".".join(str(p) for p in loc) or "plan"
    return doc.problem(loc, f"{field}: {err['msg'].removeprefix('Value error, ')}")


def _graph_problems(plan: Plan, doc: LocatedYaml) -> list[Problem]:
    problems = []
    for index, turn in enumerate(plan.turns):
        if turn.graph is None:
            continue
        try:
            InstructionGraph.from_dict(turn.graph.model_dump()).validate()
        except GraphError as exc:
            where = ("turns", index, "graph")
            problems += [doc.problem(where, f"node {p.where}: {p.message}") for p in exc.problems]
    return problems


def _path_problems(plan: Plan, doc: LocatedYaml, allow_outside: bool) -> list[Problem]:
    paths = [(("input", "image"), plan.input.image, "image")]
    paths += [(("turns", i, "mask"), t.mask, "mask") for i, t in enumerate(plan.turns)]
    paths.append((("outputs", "dir"), plan.outputs.dir, "output folder"))
    problems = []
    for where, relative, kind in paths:
        if relative is None:
            continue
        try:
            check_path(relative, PlanError, f"the {kind}")
            resolved = plan.resolve(relative)
        except (PlanError, OSError, RuntimeError, ValueError) as exc:  # NUL, too long, a symlink loop
            reason = exc.problems[0].message if isinstance(exc, PlanError) else f"cannot be resolved ({exc})"
            problems.append(doc.problem(where, f"{relative[:80]!r}: {reason}"))
            continue
        if not allow_outside and not resolved.is_relative_to(plan.folder):
            literal = Path(relative).is_absolute() or ".." in Path(relative).parts
            how = "is" if literal else "leads through a symlink"
            problems.append(
                doc.problem(
                    where,
                    f"{relative!r} {how} outside the plan's folder ({resolved}); "
                    "move it in or pass --allow-outside",
                )
            )
        elif kind == "output folder":
            if resolved.exists() and not resolved.is_dir():
                problems.append(doc.problem(where, f"{relative!r} is a file; outputs.dir names a folder"))
        elif not resolved.exists():
            problems.append(doc.problem(where, f"{relative!r} does not exist (paths are relative to the plan file)"))
        else:
            try:
                check_image(resolved, PlanError, f"the {kind}")
            except NanoeditError as exc:
                message = exc.problems[0].message if isinstance(exc, PlanError) else str(exc)
                problems.append(doc.problem(where, message))
    return problems
