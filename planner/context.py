"""``PlanContext``: what the planner knows before a turn (entities, last edited targets, image size).

A session threads it through turns with ``context = context.advance(graph)`` so that "make it
green" or "move them left" in a later turn resolve to what the previous turn edited.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nanoedit.graphs import EditNode, EntityRef, InstructionGraph, Op
from nanoedit.graphs.lexicon import PERSON_NOUNS, WEARABLES


class PlanContext(BaseModel):
    """Entities known so far (earlier turns, grounding), the last edited target(s) and the image size."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entities: list[EntityRef] = Field(default_factory=list)
    last_targets: list[EntityRef] = Field(default_factory=list)
    # The previous turn's edits (identity locks left out): "do the same to the chair", "also the
    # one on the left" repeat them on a new target.
    last_edits: list[EditNode] = Field(default_factory=list)
    image_size: tuple[int, int] | None = None

    @property
    def has_person(self) -> bool:
        return any(e.noun in PERSON_NOUNS for e in (*self.entities, *self.last_targets))

    def find(self, noun: str | None = None, color: str | None = None) -> list[EntityRef]:
        """Known entities that fit the words said, most recently edited first."""
        seen, found = set(), []
        for ref in (*reversed(self.last_targets), *reversed(self.entities)):
            if (noun is None or ref.noun == noun) and (color is None or ref.color == color):
                if ref.key() not in seen:
                    seen.add(ref.key())
                    found.append(ref)
        return found

    def referent(self) -> EntityRef | None:
        """What the previous turn was about ("the other one", "another one"): the last thing it edited,
        as edited, or as said when the edit left nothing (a removal)."""
        if self.last_targets:
            return self.last_targets[-1]
        said = [n.target for n in self.last_edits if n.target is not None and n.target.noun]
        return said[-1] if said else None

    def advance(self, graph: InstructionGraph) -> PlanContext:
        """The context for the next turn, after ``graph`` ran.

        Last targets become the targets as they are after this turn's object edits
        (``node.target_after()``); a turn without object edits keeps the previous ones.
        """
        entities = list(self.entities)
        edited: list[EntityRef] = []
        touched_objects = False
        for node in graph.nodes:
            if node.target is None or node.op is Op.identity_lock:
                continue
            touched_objects = True
            if node.op is not Op.add:
                entities = [e for e in entities if not _refers_to(node.target, e)]
            after = node.target_after()
            if after is not None:
                entities.append(after)
                edited.append(_worn_thing(node) or after)
        last = edited if touched_objects else list(self.last_targets)
        edits = [n for n in graph.nodes if n.op is not Op.identity_lock] or list(self.last_edits)
        return self.model_copy(update={"entities": entities, "last_targets": last, "last_edits": edits})


def _worn_thing(node: EditNode) -> EntityRef | None:
    """What a person was given to wear ("give the person a vintage dress", "give her a hat"): the next turn's
    "it" ("make it emerald green") is the dress or the hat, not the person."""
    name = getattr(node.params, "name", None)
    if node.op is not Op.attribute or node.target is None or node.target.noun not in PERSON_NOUNS or not name:
        return None
    if name not in WEARABLES and name not in ("hat", "glasses"):
        return None
    return EntityRef(noun=name, attributes={"of": node.target.noun})


def _refers_to(said: EntityRef, entity: EntityRef) -> bool:
    """Whether the words of ``said`` fit ``entity`` (every attribute said agrees with it)."""
    if said.entity_id or entity.entity_id:
        if said.entity_id and entity.entity_id:
            return said.entity_id == entity.entity_id
    fields = ("noun", "color", "size", "position")
    return all(getattr(said, f) in (None, getattr(entity, f)) for f in fields) and said.noun is not None
