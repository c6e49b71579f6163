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
from scipy import ndimage

from nanoedit.errors import EditorError, GroundingError
from nanoedit.graphs import ELSEWHERE, POSITIONS, EditNode, Op, Role
from nanoedit.planner.router import ExpertClaim

from . import primitives
from .grounding import SIZE_EXTENT, Mask, cell_centre, cell_of, color_of, palette, size_of
from .regions import box_centre, centroid, edit_region


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
    the nodes it names; a built-in role expert takes the rest of its role). ``computes``: whether
    it computes what a classical program does exactly (a flat colour, a look preset, which the
    editor applies as a layer: ``looks``) instead of generating it; a peel always generates, as it
    was trained to."""

    name: str
    role: Role
    ops: frozenset[Op] = frozenset()
    keywords: frozenset[str] = frozenset()
    adapter: str | None = None
    description: str = ""
    computes: bool = True

    @property
    def claim(self) -> ExpertClaim:
        return ExpertClaim(self.name, role=self.role, ops=self.ops, keywords=self.keywords)

    def program(self, node: EditNode) -> list[str]:
        op = node.op
        if op is Op.identity_lock:
            return ["localize"]
        if op is Op.remove:
            return ["localize", "inpaint"]
        if op in (Op.move, Op.resize):  # the object's own pixels, pasted moved or scaled
            return ["localize", "inpaint", "composite"]
        if op is Op.replace:  # erase the old object, then draw the new one where it stood
            return ["localize", "inpaint", "regenerate"]
        if op is Op.extract:
            return ["localize", "composite"]
        if self.computes and op is Op.recolor and node.params.color in palette():  # a named flat colour
            return ["localize", "repaint"]
        if op.role is Role.style:
            return ["localize", "global_transform"] if op is Op.background else ["global_transform"]
        return ["localize", "regenerate"]

    def generates(self, node: EditNode) -> bool:
        """Whether this expert's program for ``node`` runs the model (its adapter must be active)."""
        return bool(primitives.GENERATIVE_STEPS & set(self.program(node)))

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
            if self.computes and _flat_fill(node, np.asarray(image.convert("RGB")), background.array):
                out, _ = primitives.repaint(x, background.array, palette()[node.params.color])
                return ExpertOutput(out, region, background, program=["localize", "repaint"])
            out = primitives.global_transform(inputs.backbone, x, ~region, prompt, **run)
            if self.computes:
                out, program = _background_drawn(node, x, out, background.array, program)
            return ExpertOutput(out, region, background, program=program)
        if node.op in (Op.attribute, Op.pose):
            # The subject is found on the turn's source, not on a node input another edit may have
            # redrawn: the person does not move when their hat or arm changes.
            person = g.person(inputs.source if inputs.source is not None else image)
            region = edit_region(node, size, person=person.array)
            out = primitives.regenerate(inputs.backbone, x, region, prompt, **run)
            if self.computes and _recoloured_part(node):
                part = _part_redrawn(g.regions(image), x, out, region, palette()[node.params.value])
                if part.any():
                    out, _ = primitives.repaint(x, part, palette()[node.params.value])
                    program = [*program, "repaint"]
            return ExpertOutput(out, region, person, program=program)
        target = primitives.localize(g, node, image, inputs.context)
        region = edit_region(node, size, target=target.array)
        if node.op in (Op.move, Op.resize):
            return self._paste(node, inputs, target, program)
        if node.op is Op.replace:
            return self._replace(node, inputs, target, region, program)
        if node.op is Op.extract:
            return ExpertOutput(_extract(x, target.array, node.params.background), np.ones_like(region), target,
                                program=program)  # fmt: skip
        if program[-1] == "repaint":
            out, _ = primitives.repaint(x, target.array, palette()[node.params.color])
            return ExpertOutput(out, region, target, program=program)
        if node.op is Op.remove:
            out, steps = self._erase(node, inputs, target.array, region)
            return ExpertOutput(out, region, target, program=["localize", *steps])
        if node.op is Op.add:
            out, steps = self._draw(node, inputs, x, region)
            return ExpertOutput(out, region, target, program=["localize", *steps])
        return ExpertOutput(primitives.regenerate(inputs.backbone, x, region, prompt, **run), region, target,
                            program=program)  # fmt: skip

    def _draw(self, add: EditNode, inputs, image: torch.Tensor, region) -> tuple[torch.Tensor, list[str]]:
        """``image`` with what ``add`` names drawn by the model in ``region``, and the steps: on a
        smooth surround (one colour, a gradient), a thing of a named colour is matted, its coverage
        read from the drawing (``primitives.matte``); in other flat-colour art, the drawing is snapped
        to the art's colours and the one the add names."""
        out = primitives.regenerate(inputs.backbone, image, region, node_prompt(add), inputs.seed, inputs.steps,
                                    inputs.progress)  # fmt: skip
        named = add.target.color if add.target is not None else None
        behind = primitives.smooth_fill(image, region) if self.computes and named in palette() else None
        if behind is not None:
            return primitives.matte(out, behind, region, palette()[named]), ["regenerate", "matte"]
        colours = primitives.flat_palette(image, region) if self.computes else None
        if colours is None:
            return out, ["regenerate"]
        if named in palette():
            colours = np.vstack([colours, np.asarray(palette()[named], np.float32)])
        return primitives.snap(out, region, colours), ["regenerate", "snap"]

    def _erase(self, node, inputs, mask, hole) -> tuple[torch.Tensor, list[str]]:
        """The image with the thing under ``mask`` taken away, and the steps that did it: on a smooth
        surround, the surround continued behind it (exact, where the model leaves ghost outlines);
        elsewhere the model inpainting ``hole`` as the thing's removal."""
        x = inputs.tensor
        behind = primitives.smooth_fill(x, mask) if self.computes else None
        if behind is not None:
            return primitives.repaint(x, mask, behind)[0], ["smooth_fill", "repaint"]
        removal = _removal(node)
        out = primitives.inpaint(inputs.backbone, x, hole, node_prompt(removal), inputs.seed, inputs.steps,
                                 inputs.progress)  # fmt: skip
        return out, ["inpaint"]

    def _paste(self, node, inputs, target, program) -> ExpertOutput:
        """A move or resize: the object is erased as its removal would be, and its own pixels are
        pasted at the new place or scale, so it keeps every detail it had."""
        x = inputs.tensor
        hole = edit_region(_removal(node), x.shape[-1], target=target.array)
        if node.op is Op.move and node.params.position == ELSEWHERE:
            node = node.model_copy(update={"params": node.params.model_copy(
                update={"position": _free_cell(inputs.grounder, inputs.image, target.array, node)})})  # fmt: skip
        dx, dy = _offset(node, target.array) if node.op is Op.move else (0, 0)
        scale = _scale(node, target.array) if node.op is Op.resize else 1.0
        emptied, steps = self._erase(node, inputs, target.array, hole)
        out, pasted = primitives.composite(x, target.array, dx, dy, scale, onto=emptied)
        return ExpertOutput(out, hole | pasted, target, program=["localize", *steps, "composite"])

    def _replace(self, node, inputs, target, region, program) -> ExpertOutput:
        """Erase the old object, then draw the new one in its place as an ``add`` there: drawing on
        a cleared region is what the model does best."""
        erased, erasing = self._erase(node, inputs, target.array, region)
        add = drawn_in_place(node, np.asarray(inputs.image.convert("RGB")), target.array)
        out, drawing = self._draw(add, inputs, erased, region)
        return ExpertOutput(out, region, target, program=["localize", *erasing, *drawing])


def drawn_in_place(node: EditNode, pixels: np.ndarray, mask: np.ndarray) -> EditNode:
    """The ``add`` that draws a replace's new thing where the old one stood: the new thing keeps the
    old one's size and, unless the node says one, its colour (both read from the pixels)."""
    new = node.params.replacement
    cx, cy = centroid(mask)
    height, width = mask.shape
    thing = new.model_copy(update={"color": new.color or color_of(pixels[mask]),
                                   "size": new.size or size_of(mask, node.target.noun), "position": None})  # fmt: skip
    return EditNode(id=node.id, op=Op.add, target=thing, params={"position": cell_of(cx / width, cy / height)})


FREE_SHARE = 0.98  # of a placement box: a cell this much background is free to move a thing into


def _free_cell(grounder, image, mask: np.ndarray, node: EditNode) -> str:
    """Where a move the prompt leaves open goes: the grid cell nearest the thing whose placement box
    shows only background (the thing's own pixels count as free: it leaves them), other than its own."""
    height, width = mask.shape
    free = grounder.background(image).array | mask
    cx, cy = box_centre(mask)
    here = cell_of(cx / width, cy / height)
    cells = [p for p in POSITIONS if p != here and free[grounder.place(p, image).array].mean() >= FREE_SHARE]
    if not cells:
        raise EditorError(f"no free place to move the {node.target.describe()} to; say where: {', '.join(POSITIONS)}")
    return min(cells, key=lambda p: np.hypot(cell_centre(p)[0] * width - cx, cell_centre(p)[1] * height - cy))


def _offset(node: EditNode, mask: np.ndarray) -> tuple[float, float]:
    """The (dx, dy) pixels a move shifts its object: its box's centre to a named cell's centre, or
    one cell over."""
    size = mask.shape[-1]
    p = node.params
    if p.position:
        if p.position not in POSITIONS:
            raise EditorError(f"cannot move to {p.position!r}; name one of: {', '.join(POSITIONS)}")
        (tx, ty), (cx, cy) = cell_centre(p.position), box_centre(mask)
        return tx * size - cx, ty * size - cy
    sx, sy = STEP[p.direction]
    return sx * size / GRID, sy * size / GRID


def _scale(node: EditNode, mask: np.ndarray) -> float:
    """How much a resize scales its object. Sizes are the grounder's size words: a named size is
    reached from the one the object has; "bigger"/"smaller" is one size step (as the lexicon reads
    them), or the node's own scale past the largest or smallest size."""
    sizes = list(SIZE_EXTENT)
    now = size_of(mask, node.target.noun if node.target is not None else None)
    p = node.params
    if p.size:
        goal = p.size
    else:
        step = sizes.index(now) + (1 if p.scale > 1 else -1)
        if not 0 <= step < len(sizes):
            return p.scale
        goal = sizes[step]
    if goal == now:
        raise EditorError(f"the {node.target.describe()} already looks {now}; name another size")
    return SIZE_EXTENT[goal] / SIZE_EXTENT[now]


FLAT_SPREAD = 4  # levels: a background whose inner pixels stay this close to their median is one colour


def _flat_fill(node: EditNode, pixels: np.ndarray, background: np.ndarray) -> bool:
    """Whether a background edit is a new flat colour: a named colour, and no pattern but a solid one,
    on a background that is one colour now (a pattern keeps its form in a new colour, which is the
    model's to draw)."""
    p = node.params
    if p.color not in palette() or p.description or p.pattern not in (None, "solid"):
        return False
    inner = pixels[ndimage.binary_erosion(background, iterations=2)]
    return p.pattern == "solid" or (
        len(inner) > 0 and bool((np.abs(inner.astype(int) - np.median(inner, axis=0)) <= FLAT_SPREAD).all())
    )


# How a named pattern is cleaned: stripes and a checkerboard are two flat tones, a gradient a plane.
PATTERN_FAMILY = {"stripes": "two_tone", "checker": "two_tone", "gradient": "plane_fit"}


def _background_drawn(node: EditNode, before: torch.Tensor, drawn: torch.Tensor, background: np.ndarray,
                      program: list[str]) -> tuple[torch.Tensor, list[str]]:  # fmt: skip
    """The model's drawing of a new background, cleaned to what its pattern is where the model put
    it, and put behind the foreground as a repaint, so each anti-aliased rim pixel keeps its share of
    the thing in front and only the background's share takes the new colour. The pattern is the one
    named or, unsaid, the one the background has: stripes and a checkerboard in two flat tones (the
    named colour, or the commonest one there, and the other the drawing makes), a gradient a plane."""
    p = node.params
    family = PATTERN_FAMILY.get(p.pattern) if p.pattern else None if p.description else _family(before, background)
    if family == "plane_fit":
        drawn, program = primitives.plane_fit(drawn, background)[0], [*program, "plane_fit"]
    elif family == "two_tone":
        named = palette().get(p.color)
        if named is None:  # the colour the background has most of
            colours, counts = primitives.colour_counts(before, background)
            named = tuple(colours[np.argmax(counts)])
        drawn, program = primitives.two_tone(drawn, background, named), [*program, "two_tone"]
    core = ndimage.binary_erosion(background, border_value=1)  # the rim's colours come from inside
    return primitives.repaint(before, background, primitives.bleed(drawn, core))[0], [*program, "repaint"]


def _family(image: torch.Tensor, background: np.ndarray) -> str | None:
    """The family of pattern a background shows, from its pixels (``PATTERN_FAMILY``'s values):
    "plane_fit" when a plane fits it (one colour included), "two_tone" when two flat tones make it
    up, None for anything else (a photo)."""
    if primitives.plane_fit(image, background)[1] <= primitives.SMOOTH_RESIDUAL:
        return "plane_fit"
    counts = primitives.colour_counts(image, background)[1]
    return "two_tone" if np.sort(counts)[-2:].sum() >= primitives.SNAP_FLAT_SHARE * background.sum() else None


def _recoloured_part(node: EditNode) -> bool:
    """Whether an attribute edit gives a part of the person a named colour ("hair_color": "green")."""
    return node.op is Op.attribute and node.params.name.endswith("_color") and node.params.value in palette()


def _part_redrawn(regions: np.ndarray, before: torch.Tensor, after: torch.Tensor, region: np.ndarray,
                  color: tuple[int, int, int]) -> np.ndarray:  # fmt: skip
    """The pixel regions the model recoloured: those inside ``region`` whose mean colour became
    nearer ``color`` than what it was. The model knows which part the words mean; the regions give
    its exact outline, which the model's own redraw blurs (a blur mixes colours: a neighbour moves
    a little towards any colour, but does not become it)."""
    goal = np.asarray(color, np.float32)
    old, new = primitives.rgb(before), primitives.rgb(after)
    part = np.zeros_like(region)
    for owner in np.unique(regions[region]):
        inside = (regions == owner) & region
        was, now = old[inside].mean(axis=0), new[inside].mean(axis=0)
        if owner != 0 and np.linalg.norm(now - goal) < np.linalg.norm(now - was):  # never the background
            part |= regions == owner
    return part


def _face_or_nothing(grounder, image):
    """The face to lock; an image without one locks nothing (a landscape has no identity to keep)."""
    try:
        return grounder.face(image)
    except GroundingError as err:
        size = image.size[::-1]
        return Mask(np.zeros(size, bool), "none", label=f"nothing locked: {err}")


def _removal(node: EditNode) -> EditNode:
    """The removal of ``node``'s target: what clears the place an object leaves."""
    return EditNode(id=node.id, op=Op.remove, target=node.target, params={})


def _tensor(mask: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(mask.astype(np.uint8))


def _extract(x: torch.Tensor, mask: np.ndarray, background: str) -> torch.Tensor:
    colours = palette()
    if background not in colours:
        raise EditorError(f"extract onto {background!r}: name a basic colour ({', '.join(colours)})")
    fill = primitives.solid(colours[background]).to(x.dtype)
    return torch.where(torch.from_numpy(mask)[None, None], x, fill.expand_as(x))
