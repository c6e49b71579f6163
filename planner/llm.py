"""The LLM planner: any local causal LM (transformers) writes the plan as JSON under a grammar.

Decoding is constrained with xgrammar against the JSON schema of ``LLMPlan``, so whatever the
weights, the output parses (as long as ``max_new_tokens`` lets it finish; the schema bounds every
string, list and number, so a budget always exists). Why xgrammar: it works with transformers 5
through a plain ``LogitsProcessor``, compiles token masks in C++ (fast per token, even on CPU),
and is the engine vLLM/SGLang use; lm-format-enforcer's transformers integration fails to import
on transformers 5.x, and outlines works but brings a much larger dependency tree.

Then each graph is checked semantically (every node valid for its op, no graph problems). A graph
that fails gets one repair round (the model sees its output and the problems); if that fails too,
the rule planner plans the prompt and ``graph.trace`` records why.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nanoedit.errors import GraphError, ModelLoadError
from nanoedit.graphs import POSITIONS, SIZES, EditNode, EntityRef, InstructionGraph, Op, link, node_ids

from .base import Planner, check_prompt
from .context import PlanContext
from .phrases import names_person
from .rules import RulePlanner

_WORD = r"^[a-z][a-z -]{0,23}$"  # bounded and printable, so random weights still finish a plan
_TEXT = r"^[A-Za-z0-9][A-Za-z0-9 ,.!?'-]{0,39}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMRef(_Model):
    noun: str = Field(pattern=_WORD)
    color: str | None = Field(None, pattern=_WORD)
    size: Literal[SIZES] | None = None  # type: ignore[valid-type]
    position: Literal[POSITIONS] | None = None  # type: ignore[valid-type]
    count: int | None = Field(None, ge=1, le=20)


class LLMParams(_Model):
    """Every op's params in one flat object; ``EditNode`` then checks the ones the op needs."""

    color: str | None = Field(None, pattern=_WORD)
    position: Literal[POSITIONS] | None = None  # type: ignore[valid-type]
    direction: Literal["left", "right", "up", "down"] | None = None
    scale: float | None = Field(None, ge=0.1, le=8.0)
    size: Literal[SIZES] | None = None  # type: ignore[valid-type]
    name: str | None = Field(None, pattern=_WORD)
    value: str | None = Field(None, pattern=_WORD)
    pose: str | None = Field(None, pattern=_WORD)
    pattern: str | None = Field(None, pattern=_WORD)
    description: str | None = Field(None, pattern=_WORD)
    lighting: str | None = Field(None, pattern=_WORD)
    tone: str | None = Field(None, pattern=_WORD)
    style: str | None = Field(None, pattern=_WORD)
    text: str | None = Field(None, pattern=_TEXT)
    replacement: LLMRef | None = None


class LLMNode(_Model):
    op: Op
    target: LLMRef | None = None
    params: LLMParams = Field(default_factory=LLMParams)


class LLMPlan(_Model):
    nodes: list[LLMNode] = Field(min_length=1, max_length=8)


SYSTEM = """You turn an image-editing instruction into a JSON plan: {{"nodes": [...]}}, one node per edit, in the order the instruction says them.
Each node has "op" (one of: {ops}), "target" (the object edited: noun, and colour/size/position/count only when the instruction says them; null for background, lighting, style, tone) and "params":
add: position; remove: nothing; replace: replacement {{noun, color}}; recolor: color; move: position or direction (left/right/up/down); resize: size (small/medium/large) or scale (2.0 bigger, 0.5 smaller); attribute: name and value (hair_color + colour, hat/glasses + on/off, material/texture + word); pose: pose; background: color and/or pattern (solid, stripes, checker, gradient) or description; lighting: lighting; tone: tone (warm, cool, grayscale); style: style; text: text; identity_lock: nothing (first, when a person is present).
Positions: {positions}. Write only what the instruction says.
Examples:
{examples}"""

EXAMPLE_PROMPTS = (
    "remove the red circle and make the background blue",
    "make the small star on the left bigger, then give the person a hat",
    "replace the cat with a dog and convert the photo to black and white",
)


class LLMPlanner(Planner):
    """Plans with a local causal LM under a JSON-schema grammar; falls back to the rule planner."""

    name = "llm"

    def __init__(
        self,
        model,
        tokenizer,
        max_new_tokens: int = 768,
        max_nodes: int = 8,
        fallback: Planner | None = None,
        source: str = "model",
    ):
        import xgrammar as xgr

        self.model, self.tokenizer = model.eval(), tokenizer
        self.max_new_tokens, self.source = max_new_tokens, source
        self.fallback = fallback or RulePlanner()
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.tokenizer.padding_side = "left"  # batched generation continues every prompt at its end
        schema = LLMPlan.model_json_schema()
        schema["properties"]["nodes"]["maxItems"] = max_nodes
        vocab_size = max(model.config.vocab_size, len(tokenizer))
        info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size)
        self._grammar = xgr.GrammarCompiler(info).compile_json_schema(
            json.dumps(schema), any_whitespace=False
        )
        self._system = SYSTEM.format(
            ops=", ".join(o.value for o in Op),
            positions=", ".join(POSITIONS),
            examples="\n".join(f"{p}\n{_to_json(self.fallback.plan(p))}" for p in EXAMPLE_PROMPTS),
        )

    @classmethod
    def from_pretrained(
        cls, path: str | Path, device: str = "cpu", dtype: str = "float32", **kwargs
    ) -> LLMPlanner:
        """Load ``AutoModelForCausalLM`` and its tokenizer from a local folder (no hub access)."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path = Path(path)
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"{path} is not a transformers model folder (no config.json); give the folder save_pretrained wrote"
            )
        from nanoedit.backbone.checkpoint import check_weights_folder

        check_weights_folder(path)  # shards inside the folder, no pickle files, no truncated safetensors
        try:
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(
                path, local_files_only=True, dtype=getattr(torch, dtype)
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(f"cannot load a causal LM and tokenizer from {path}: {exc}") from None
        return cls(model.to(device), tokenizer, source=str(path), **kwargs)

    # -- planning ---------------------------------------------------------------------------------

    def _plan(self, prompt: str, context: PlanContext) -> InstructionGraph:
        return self._plan_batch([prompt], context)[0]

    def plan_many(
        self, prompts: Sequence[str], context: PlanContext | None = None, strict: bool = False
    ) -> list[InstructionGraph]:
        """Plan several prompts with batched generation (one ``generate`` call per round)."""
        context = context or PlanContext()
        for prompt in prompts:
            check_prompt(prompt)  # every path refuses what ``plan`` refuses, before any generation
        todo = [p for p in prompts if p.strip()]
        planned = dict(zip(todo, self._plan_batch(todo, context))) if todo else {}
        return [
            self.plan(p, context, strict) if p not in planned else self._strict(planned[p], strict)
            for p in prompts
        ]

    def _strict(self, graph: InstructionGraph, strict: bool) -> InstructionGraph:
        if strict and graph.warnings:
            from nanoedit.errors import PlanError, Problem

            raise PlanError([Problem("prompt", w) for w in graph.warnings])
        return graph

    def raw(self, prompts: Sequence[str], context: PlanContext | None = None) -> list[str]:
        """The model's JSON plans, as generated under the grammar (before any checking)."""
        return self._generate([self._messages(p, context or PlanContext()) for p in prompts])

    def _plan_batch(self, prompts: list[str], context: PlanContext) -> list[InstructionGraph]:
        outputs = self.raw(prompts, context)
        results: list[InstructionGraph | None] = []
        problems: list[list[str]] = []
        for prompt, text in zip(prompts, outputs):
            graph, found = self._check(prompt, text, context)
            results.append(graph)
            problems.append(found)
        retry = [i for i, g in enumerate(results) if g is None]
        if retry:  # one repair round: the model sees its plan and what is wrong with it
            repairs = [self._messages(prompts[i], context, outputs[i], problems[i]) for i in retry]
            for i, text in zip(retry, self._generate(repairs)):
                graph, found = self._check(prompts[i], text, context)
                if graph is not None:
                    graph.trace.insert(0, {"event": "llm_repair", "problems": problems[i]})
                results[i] = graph
                problems[i] = problems[i] + found
        graphs = []
        for prompt, graph, found in zip(prompts, results, problems):
            if graph is None:
                graph = self.fallback.plan(prompt, context)
                graph.trace.insert(
                    0,
                    {
                        "event": "llm_fallback",
                        "planner": self.fallback.name,
                        "model": self.source,
                        "problems": found,
                    },
                )
            else:
                graph.trace.insert(0, {"event": "llm_plan", "model": self.source})
            graphs.append(graph)
        return graphs

    def _messages(
        self,
        prompt: str,
        context: PlanContext,
        previous: str | None = None,
        problems: list[str] | None = None,
    ) -> str:
        known = ""
        if context.last_targets:
            known += "'it'/'them' mean: " + "; ".join(t.describe() for t in context.last_targets) + "\n"
        if context.entities:
            known += "In the image: " + "; ".join(e.describe() for e in context.entities) + "\n"
        user = f"{known}Instruction: {prompt}"
        if previous is not None:
            user += f"\nYour plan was: {previous}\nIt has these problems: {'; '.join(problems or [])}\nWrite a corrected plan."
        if getattr(self.tokenizer, "chat_template", None):
            messages = [{"role": "system", "content": self._system}, {"role": "user", "content": user}]
            return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return f"{self._system}\n\n{user}\nPlan: "

    def _generate(self, texts: list[str]) -> list[str]:
        import torch
        import xgrammar as xgr

        batch = self.tokenizer(texts, return_tensors="pt", padding=True).to(self.model.device)
        with torch.no_grad():
            out = self.model.generate(
                **batch,
                logits_processor=[
                    xgr.contrib.hf.LogitsProcessor(self._grammar)
                ],  # one per call: it is stateful
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        return self.tokenizer.batch_decode(out[:, batch["input_ids"].shape[1] :], skip_special_tokens=True)

    def _check(
        self, prompt: str, text: str, context: PlanContext
    ) -> tuple[InstructionGraph | None, list[str]]:
        """The graph of a model output, or None and the problems that make it unusable."""
        try:
            parsed = LLMPlan.model_validate_json(text)
        except ValidationError as exc:
            return None, [f"not a complete plan ({exc.errors()[0]['msg']}); it may have run out of tokens"]
        nodes, problems = [], []
        person = context.has_person or names_person(prompt)
        if person and not any(n.op is Op.identity_lock and n.target is None for n in parsed.nodes):
            nodes.append(EditNode(id="identity_lock", op=Op.identity_lock, params={}))
        ordered = sorted(parsed.nodes, key=lambda n: n.op is not Op.identity_lock)
        ids = node_ids([*(n.op for n in nodes), *(n.op for n in ordered)])[len(nodes) :]
        for index, (raw, node_id) in enumerate(zip(ordered, ids)):
            params = raw.params.model_dump(exclude_none=True)
            if "replacement" in params:
                params["replacement"] = {k: v for k, v in params["replacement"].items() if v is not None}
            target = EntityRef(**raw.target.model_dump(exclude_none=True)) if raw.target else None
            try:
                nodes.append(EditNode(id=node_id, op=raw.op, target=target, params=params, text=prompt))
            except ValidationError as exc:
                problems += [f"node {index + 1} ({raw.op.value}): {e['msg']}" for e in exc.errors()]
        if problems:
            return None, problems
        graph = link(nodes, prompt=prompt)
        found = [str(p) for p in graph.problems()]
        try:
            graph.validate()
        except GraphError:
            return None, found
        return graph, []


def _to_json(graph: InstructionGraph) -> str:
    """A graph as the LLM writes it (no ids, no edges, no defaults)."""
    nodes = []
    for node in graph.nodes:
        entry: dict = {"op": node.op.value}
        if node.target is not None:
            entry["target"] = node.target.model_dump(exclude_none=True, exclude_defaults=True)
        params = node.params.model_dump(exclude_none=True, exclude_defaults=True)
        if params:
            entry["params"] = params
        nodes.append(entry)
    return json.dumps({"nodes": nodes})
