"""The toy world: procedural flat scenes whose every edit has an exact ground truth.

A ``Scene`` (pydantic) holds a background (colour, pattern), a global look (lighting, tone, style),
one character (a fixed identity plus editable hair colour, hat, glasses, arm pose) and up to seven
objects (shape, colour, size) on the cells of a 3x3 grid; the character stands in the middle
column's two lower cells ("center", "bottom"). ``render`` draws it with a mask per entity;
``apply_edit`` / ``apply_graph`` turn an instruction graph into the edited scene, and ``judge``
measures, from pixels only, what an editor's output really did.

Gold-graph contract (the rule planner follows the same conventions; plans are compared with
``InstructionGraph.equivalent``, which ignores node ids and ``text``):

- every gold graph is ``nanoedit.graphs.link(nodes, prompt=instruction)`` over nodes in prompt
  order, starting with an ``identity_lock`` node built as
  ``EditNode(id=..., op="identity_lock", params={})`` (target None, IdentityLockParams defaults:
  ``parts=["face"]``; leaving ``params`` out stores the base ``Params``, whose canonical form
  differs); each node's ``text`` is the span of the instruction it came from ("" for the lock);
- targets are ``EntityRef``s holding only what the instruction says: ``noun`` is a shape
  (``vocab.SHAPES``) or ``"person"``; ``color`` / ``size`` / ``position`` only when the phrase says
  them (never an ``entity_id``); a reference is always unambiguous in the scene it is applied to;
- add: target = the new object (noun, colour, size if said), ``params.position`` = the named place;
  remove: the target; replace: ``params.replacement`` = EntityRef(noun, colour if said);
  recolor: ``params.color``; move: ``params.position`` or ``params.direction`` (one grid cell);
  resize: ``params.size`` when named, "bigger/larger" -> ``scale=2.0``, "smaller" -> ``scale=0.5``
  (one size step); attribute (target person): ``name`` in hair_color / hat / glasses, ``value`` a
  colour or on/off; pose (target person): ``vocab.ARM_POSES``; background: ``color`` and/or
  ``pattern`` (``vocab.BACKGROUND_PATTERNS``); lighting: ``vocab.LIGHTINGS``; tone:
  ``vocab.TONES``; style: ``vocab.STYLES``;
- multi-turn: "it" / "them" in a later turn refers to the previous turn's edited target(s); the
  gold target is exactly ``previous_node.target_after()``, one node per target for "them";
- colours, shapes, places and every other canonical word live in ``nanoedit.toyworld.vocab``.
"""

from .edits import apply_edit, apply_graph
from .instructions import EDIT_OPS, EditSample, MultiTurnSample, compound_edit, multi_turn, refer, single_edit
from .oracle import JudgeReport, Thresholds, judge
from .render import Rendering, change_mask, render
from .scene import Background, Character, Scene, SceneObject

__all__ = [
    "EDIT_OPS",
    "EditTripletDataset",
    "JudgeReport",
    "MultiTurnDataset",
    "Thresholds",
    "judge",
    "EditSample",
    "MultiTurnSample",
    "compound_edit",
    "multi_turn",
    "refer",
    "single_edit",
    "Background",
    "Character",
    "Rendering",
    "Scene",
    "SceneObject",
    "apply_edit",
    "apply_graph",
    "change_mask",
    "render",
]

_TORCH_NAMES = {"EditTripletDataset", "MultiTurnDataset"}


def __getattr__(name: str):
    # The datasets import torch; load them only when asked for, so the toy world itself stays light.
    if name in _TORCH_NAMES:
        from . import datasets

        return getattr(datasets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
