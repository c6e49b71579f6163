"""The scene spec: a background, a global look, one character and up to seven objects on a 3x3 grid.

Scenes are frozen pydantic models: an edit returns a new scene, so a before/after pair is two specs
that render to the exact source and target images.
"""

from __future__ import annotations

import hashlib
import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nanoedit.errors import SceneError
from nanoedit.graphs import EntityRef

from . import vocab

SIZES_PX = (64, 128, 256)
MAX_RANDOM_OBJECTS = 4

Color = Literal[tuple(vocab.COLORS)]  # type: ignore[valid-type]
Shape = Literal[vocab.SHAPES]  # type: ignore[valid-type]
Size = Literal[vocab.SIZES]  # type: ignore[valid-type]
Cell = Literal[vocab.OBJECT_CELLS]  # type: ignore[valid-type]


HAIR_COLORS = ["black", "brown", "yellow", "orange", "gray", "red"]
SHIRT_COLORS = [c for c in vocab.COLORS if c not in ("white", "black")]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Background(_Frozen):
    color: Color = "white"
    pattern: Literal[vocab.BACKGROUND_PATTERNS] = "solid"  # type: ignore[valid-type]


class Character(_Frozen):
    """The subject. ``face_shape``, ``skin``, ``eyes``, ``mouth``, ``hair_style`` and ``shirt`` are
    its identity (no edit changes them); hair colour, hat, glasses and pose are editable."""

    face_shape: Literal["round", "oval", "square"] = "round"
    skin: Literal["light", "tan", "brown", "dark"] = "light"
    eyes: Literal["dots", "round", "sleepy"] = "dots"
    mouth: Literal["smile", "flat", "open"] = "smile"
    hair_style: Literal[vocab.HAIR_STYLES] = "short"  # type: ignore[valid-type]
    shirt: Color = "blue"
    hair_color: Color = "brown"
    hat: bool = False
    hat_color: Color = "red"
    glasses: bool = False
    pose: Literal[vocab.ARM_POSES] = "arms_down"  # type: ignore[valid-type]

    def identity(self) -> tuple[str, ...]:
        return (self.face_shape, self.skin, self.eyes, self.mouth, self.hair_style, self.shirt)


class SceneObject(_Frozen):
    id: str = Field(pattern=r"^obj\d+$")
    shape: Shape
    color: Color
    size: Size = "medium"
    position: Cell

    def ref(self) -> EntityRef:
        return EntityRef(
            noun=self.shape, color=self.color, size=self.size, position=self.position, entity_id=self.id
        )


class Scene(_Frozen):
    size: int = 64
    background: Background = Field(default_factory=Background)
    lighting: Literal[vocab.LIGHTINGS] = "day"  # type: ignore[valid-type]
    tone: Literal[vocab.TONES] | None = None  # type: ignore[valid-type]
    style: Literal[vocab.STYLES] | None = None  # type: ignore[valid-type]
    character: Character = Field(default_factory=Character)
    objects: tuple[SceneObject, ...] = ()

    @field_validator("size")
    @classmethod
    def _known_size(cls, value: int) -> int:
        if value not in SIZES_PX:
            raise ValueError(f"canvas size {value} is not supported; use one of {SIZES_PX}")
        return value

    @model_validator(mode="after")
    def _one_object_per_cell(self) -> Scene:
        cells = [o.position for o in self.objects]
        ids = [o.id for o in self.objects]
        if len(set(cells)) != len(cells):
            raise ValueError("two objects share a grid cell; every object needs its own cell")
        if len(set(ids)) != len(ids):
            raise ValueError("two objects share an id")
        return self

    # -- sampling ---------------------------------------------------------------------------------

    @classmethod
    def random(cls, seed: int, size: int = 64, n_objects: int | None = None) -> Scene:
        """A valid scene drawn from ``seed`` (same seed, same scene); objects never overlap."""
        rng = random.Random(seed)
        if n_objects is None:
            n_objects = rng.randint(0, MAX_RANDOM_OBJECTS)
        if not 0 <= n_objects <= len(vocab.OBJECT_CELLS):
            raise SceneError(f"n_objects={n_objects} does not fit; use 0 to {len(vocab.OBJECT_CELLS)}")
        colors = list(vocab.COLORS)
        hair = rng.choice(HAIR_COLORS)
        character = Character(
            face_shape=rng.choice(["round", "oval", "square"]),
            skin=rng.choice(["light", "tan", "brown", "dark"]),
            eyes=rng.choice(["dots", "round", "sleepy"]),
            mouth=rng.choice(["smile", "flat", "open"]),
            hair_style=rng.choice(vocab.HAIR_STYLES),
            shirt=rng.choice(SHIRT_COLORS),
            hair_color=hair,
            hat=rng.random() < 0.25,
            hat_color=rng.choice([c for c in colors if c != hair]),
            glasses=rng.random() < 0.25,
            pose=rng.choice(vocab.ARM_POSES) if rng.random() < 0.3 else "arms_down",
        )
        background = Background(
            color=rng.choice(["white", "blue", "green", "yellow", "pink", "gray", "orange", "purple"]),
            pattern=rng.choice(vocab.BACKGROUND_PATTERNS) if rng.random() < 0.5 else "solid",
        )
        character = _visible_on(character, background.color)
        cells = rng.sample(vocab.OBJECT_CELLS, n_objects)
        objects = []
        for index, cell in enumerate(cells):
            # Objects never take the background's colour, so each one is visible.
            color = rng.choice([c for c in colors if c != background.color])
            objects.append(
                SceneObject(id=f"obj{index}", shape=rng.choice(vocab.SHAPES), color=color,
                            size=rng.choice(vocab.SIZES), position=cell)
            )  # fmt: skip
        return cls(size=size, background=background, character=character, objects=tuple(objects))

    # -- entities ---------------------------------------------------------------------------------

    def entity_refs(self) -> list[EntityRef]:
        """Every entity a target can name: the character, then each object with all its attributes."""
        return [EntityRef(noun=vocab.PERSON, entity_id=vocab.PERSON), *(o.ref() for o in self.objects)]

    def object(self, object_id: str) -> SceneObject:
        for obj in self.objects:
            if obj.id == object_id:
                return obj
        raise SceneError(f"no object {object_id!r} in the scene; it has {self.describe_objects()}")

    def matches(self, ref: EntityRef) -> list[SceneObject]:
        """The objects that fit every attribute ``ref`` states (an entity id matches only itself)."""
        if ref.entity_id:
            return [o for o in self.objects if o.id == ref.entity_id]
        found = []
        for obj in self.objects:
            stated = {"shape": ref.noun, "color": ref.color, "size": ref.size, "position": ref.position}
            if all(want is None or getattr(obj, key) == want for key, want in stated.items()):
                found.append(obj)
        return found

    def resolve(self, ref: EntityRef) -> SceneObject | None:
        """The one object ``ref`` names, or None for the character; raise when none or several fit."""
        if ref.entity_id == vocab.PERSON or ref.noun == vocab.PERSON:
            return None
        if ref.mask:
            raise SceneError(f"toy-world targets are named by words, not masks ({ref.mask!r}); give a noun")
        if ref.noun is not None and ref.noun not in vocab.SHAPES:
            raise SceneError(
                f"{ref.noun!r} is not a toy-world shape; use one of {', '.join(vocab.SHAPES)} or person"
            )
        found = self.matches(ref)
        if not found:
            raise SceneError(f"there is no {ref.describe()} in the scene; it has {self.describe_objects()}")
        if len(found) > 1:
            names = ", ".join(_describe(o) for o in found)
            raise SceneError(
                f"'{ref.describe()}' is ambiguous ({names}); add a colour, size or position to pick one"
            )
        return found[0]

    def free_cells(self) -> list[str]:
        taken = {o.position for o in self.objects}
        return [c for c in vocab.OBJECT_CELLS if c not in taken]

    def next_object_id(self) -> str:
        used = {int(o.id[3:]) for o in self.objects}
        return f"obj{max(used, default=-1) + 1}"

    def describe_objects(self) -> str:
        return ", ".join(_describe(o) for o in self.objects) or "no objects"

    def content_hash(self) -> str:
        """A hash of the scene at any canvas size (used to keep dataset splits disjoint)."""
        return hashlib.sha256(self.model_dump_json(exclude={"size"}).encode()).hexdigest()


def _visible_on(character: Character, background: str) -> Character:
    """``character`` with no part in the background's colour: a shirt, hair or hat of that colour
    would be invisible in the pixels (as an object of it would be), so no editor could see what it
    edits. Such a part takes the first other colour of its list; the random stream is not touched,
    so every other scene stays as it was."""

    def visible(color: str, allowed: list[str]) -> str:
        allowed = [c for c in allowed if c != background]
        return color if color in allowed else allowed[0]

    hair = visible(character.hair_color, HAIR_COLORS)
    hat = visible(character.hat_color, [c for c in vocab.COLORS if c != hair]) if character.hat else character.hat_color
    return character.model_copy(update={"hair_color": hair, "shirt": visible(character.shirt, SHIRT_COLORS),
                                        "hat_color": hat})  # fmt: skip


def _describe(obj: SceneObject) -> str:
    return f"a {obj.size} {obj.color} {obj.shape} at {obj.position}"
