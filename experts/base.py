"""What an expert is: a role, the ops and words it claims, an optional LoRA adapter, and a program.

An expert's program for a node is a short list of primitives (``experts/primitives.py``); the
generative ones run the one shared backbone with this expert's adapter active (the editor activates
it and reads back from peft which adapter really ran). ``node_prompt`` is the text the generative
primitives are conditioned on: the node's typed content in a few canonical words ("recolor red
circle to blue"), so every phrasing of one edit gives the model the same condition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from nanoedit.errors import EditorError, GroundingError
from nanoedit.graphs import POSITIONS, EditNode, Op, Role
from nanoedit.planner.router import ExpertClaim

from . import primitives
from .regions import centroid, dilate, edit_region


def node_prompt(node: EditNode) -> str:
    p = node.params
    target = node.target.describe() if node.target is not None else ""
    target = target.replace("(", "at ").replace(")", "")
    op = node.op
    if op is Op.recolor:
        words = ["recolor", target, "to", p.color]
    elif op is Op.add:
        words = ["add", target, "at", p.position or node.target.position or ""]
    elif op is Op.replace:
        words = ["replace", target, "with", p.replacement.describe()]
    elif op is Op.resize:
        amount = p.size or ("bigger" if p.scale > 1 else "smaller")
        words = ["resize", target, "to", amount]
    elif op is Op.move:
        words = ["move", target, "to", p.position or p.direction]
    elif op is Op.attribute:
        words = ["set", p.name.replace("_", " "), p.value]
    elif op is Op.pose:
        words = ["pose", (p.pose or p.description or "").replace("_", " ")]
    elif op is Op.background:
        words = ["background", p.color or "", p.pattern or "", p.description or ""]
    elif op is Op.lighting:
        words = ["lighting", p.lighting or p.description]
    elif op is Op.tone:
        words = ["tone", p.tone]
    elif op is Op.style:
        words = ["style", p.style or p.description]
    elif op is Op.text:
        words = ["write", p.text, "on", target]
    else:
        words = [op.value, target]
    return " ".join(w for w in words if w)


@dataclass
class ExpertInputs:
    """What a program sees: the node's input image (PIL and tensor), the backbone, the grounder and
    the grounding context, and the sampling settings."""

    image: object  # PIL RGB
    tensor: torch.Tensor  # (1, 3, H, W) in [-1, 1]
    backbone: primitives.Backbone
    grounder: object
    context: object = None
    seed: int = 0
    steps: int | None = None
    progress: bool = False
    source: object = None  # the turn's source image (PIL): the person is found there, once per turn


@dataclass
class ExpertOutput:
    """One node's result: its output image, the pixels it may have changed, the grounded mask that
    defined them, extra features (an identity lock keeps its pixels), and the primitives it ran."""

    image: torch.Tensor
    region: np.ndarray
    target: object | None = None  # the grounded Mask (with provenance), when the node had one
    features: dict[str, torch.Tensor] = field(default_factory=dict)
    program: list[str] = field(default_factory=list)


# A cell of the 3x3 grid, as a share of the canvas (one move "left" = one cell).
GRID = 3
STEP = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


@dataclass(frozen=True)
class Expert:
    """A role expert: ``adapter`` is the name of its peft adapter on the shared backbone (None: it
    runs the base model). ``ops``/``keywords`` are its claims for the router (a user peel claims
    the nodes it names; a built-in role expert takes the rest of its role)."""

    name: str
    role: Role
    ops: frozenset[Op] = frozenset()
    keywords: frozenset[str] = frozenset()
    adapter: str | None = None
    description: str = ""

    @property
    def claim(self) -> ExpertClaim:
        return ExpertClaim(self.name, role=self.role, ops=self.ops, keywords=self.keywords)

    def program(self, node: EditNode) -> list[str]:
        op = node.op
        if op is Op.identity_lock:
            return ["localize"]
        if op is Op.remove:
            return ["localize", "inpaint"]
        if op is Op.move:
            return ["localize", "inpaint", "composite"]
        if op is Op.extract:
            return ["localize", "composite"]
        if op.role is Role.style:
            return ["localize", "global_transform"] if op is Op.background else ["global_transform"]
        return ["localize", "regenerate"]

    def run(self, node: EditNode, inputs: ExpertInputs) -> ExpertOutput:
        """Run this expert's program for ``node`` (its adapter already active on the backbone)."""
        program = self.program(node)
        size = inputs.tensor.shape[-1]
        g, image, x = inputs.grounder, inputs.image, inputs.tensor
        run = dict(seed=inputs.seed, steps=inputs.steps, progress=inputs.progress)
        prompt = node_prompt(node)
        if node.op is Op.identity_lock:
            face = _face_or_nothing(g, image)
            return ExpertOutput(x, np.zeros_like(face.array), face, {"pixels": x.clone(), "mask": _tensor(face.array)},
                                program)  # fmt: skip
        if node.op in (Op.lighting, Op.tone, Op.style):
            region = edit_region(node, size)
            return ExpertOutput(primitives.global_transform(inputs.backbone, x, ~region, prompt, **run), region,
                                None, program=program)  # fmt: skip
        if node.op is Op.background:
            background = g.background(image)
            region = edit_region(node, size, background=background.array)
            out = primitives.global_transform(inputs.backbone, x, ~region, prompt, **run)
            return ExpertOutput(out, region, background, program=program)
        if node.op in (Op.attribute, Op.pose):
            # The subject is found on the turn's source, not on a node input another edit may have
            # redrawn: the person does not move when their hat or arm changes.
            person = g.person(inputs.source if inputs.source is not None else image)
            region = edit_region(node, size, person=person.array)
            return ExpertOutput(primitives.regenerate(inputs.backbone, x, region, prompt, **run), region, person,
                                program=program)  # fmt: skip
        target = primitives.localize(g, node, image, inputs.context)
        region = edit_region(node, size, target=target.array)
        if node.op is Op.move:
            return self._move(node, inputs, target, region, prompt, program)
        if node.op is Op.extract:
            return ExpertOutput(_extract(x, target.array, node.params.background), np.ones_like(region), target,
                                program=program)  # fmt: skip
        step = primitives.inpaint if node.op is Op.remove else primitives.regenerate
        return ExpertOutput(step(inputs.backbone, x, region, prompt, **run), region, target, program=program)

    def _move(self, node, inputs, target, hole, prompt, program) -> ExpertOutput:
        x = inputs.tensor
        size = x.shape[-1]
        cx, cy = centroid(target.array)
        p = node.params
        if p.position:
            if p.position not in POSITIONS:
                raise EditorError(f"cannot move to {p.position!r}; name one of: {', '.join(POSITIONS)}")
            index = POSITIONS.index(p.position)
            tx, ty = (index % GRID + 0.5) * size / GRID, (index // GRID + 0.5) * size / GRID
            dx, dy = round(tx - cx), round(ty - cy)
        else:
            sx, sy = STEP[p.direction]
            dx, dy = round(sx * size / GRID), round(sy * size / GRID)
        cutout = dilate(target.array, 1)  # the anti-aliased rim travels with the object
        emptied = primitives.inpaint(inputs.backbone, x, hole, _removal_prompt(node), inputs.seed, inputs.steps,
                                     inputs.progress)  # fmt: skip
        moved, pasted = primitives.composite(x, cutout, dx, dy)
        out = torch.where(torch.from_numpy(pasted)[None, None], moved, emptied)
        return ExpertOutput(out, hole | pasted, target, program=program)


def _face_or_nothing(grounder, image):
    """The face to lock; an image without one locks nothing (a landscape has no identity to keep)."""
    from .grounding import Mask

    try:
        return grounder.face(image)
    except GroundingError as err:
        size = image.size[::-1]
        return Mask(np.zeros(size, bool), "none", label=f"nothing locked: {err}")


def _removal_prompt(node: EditNode) -> str:
    return node_prompt(EditNode(id=node.id, op=Op.remove, target=node.target, params={}))


def _tensor(mask: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(mask.astype(np.uint8))


def _extract(x: torch.Tensor, mask: np.ndarray, background: str) -> torch.Tensor:
    from .grounding import palette

    colours = palette()
    if background not in colours:
        raise EditorError(f"extract onto {background!r}: name a basic colour ({', '.join(colours)})")
    fill = torch.tensor(colours[background], dtype=x.dtype)[None, :, None, None] / 127.5 - 1
    return torch.where(torch.from_numpy(mask)[None, None], x, fill.expand_as(x))
