"""The typed nodes of an instruction graph: edit ops, their roles, their targets and their params.

Each op has its own params model, so a recolor without a colour or a strength of 2 fails at parse
time with a message that names the field. The role of a node is derived from its op and never stored
separately (a node cannot claim to be "style" while doing a "remove").
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    computed_field,
    field_validator,
    model_serializer,
    model_validator,
)


class Role(str, Enum):
    """Which expert family runs a node; also the scheduling importance: identity > object > style."""

    identity = "identity"
    object = "object"
    style = "style"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]


_ROLE_RANK = {Role.identity: 0, Role.object: 1, Role.style: 2}


class Op(str, Enum):
    identity_lock = "identity_lock"
    add = "add"
    remove = "remove"
    replace = "replace"
    recolor = "recolor"
    move = "move"
    resize = "resize"
    attribute = "attribute"
    pose = "pose"
    extract = "extract"
    text = "text"
    background = "background"
    lighting = "lighting"
    style = "style"
    tone = "tone"

    @property
    def role(self) -> Role:
        if self is Op.identity_lock:
            return Role.identity
        if self in _STYLE_OPS:
            return Role.style
        return Role.object

    @property
    def needs_target(self) -> bool:
        """Object ops act on one grounded entity; global style ops act on the whole image."""
        return self.role is Role.object


_STYLE_OPS = {Op.background, Op.lighting, Op.style, Op.tone}

DIRECTIONS = ("left", "right", "up", "down")
POSITIONS = (
    "top left", "top", "top right",
    "left", "center", "right",
    "bottom left", "bottom", "bottom right",
)  # fmt: skip
SIZES = ("small", "medium", "large")
# A move's position when the prompt leaves where to open ("move the logo"): the editor picks a free place.
ELSEWHERE = "elsewhere"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntityRef(_Strict):
    """What a node acts on: a noun with attributes, or an already known entity / mask.

    ``entity_id`` is filled by the planner from session context (an entity seen in an earlier turn);
    ``mask`` names a user mask or a session entity whose mask grounds the target directly.
    ``pick``: when several regions match equally well, ``"unique"`` (the default) refuses to guess and
    ``"best"`` takes the best; it is a grounding choice, not part of what the target names (left out of
    ``describe()`` and ``key()``, and of dumps while it is the default, so existing hashes stay).
    """

    noun: str | None = None
    color: str | None = None
    size: str | None = None
    position: str | None = None
    count: int | None = Field(None, ge=1)
    attributes: dict[str, str] = Field(default_factory=dict)
    entity_id: str | None = None
    mask: str | None = None
    pick: Literal["unique", "best"] = "unique"

    @model_serializer(mode="wrap")
    def _drop_default_pick(self, handler) -> dict[str, Any]:
        data = handler(self)
        if isinstance(data, dict) and data.get("pick") == "unique":
            data.pop("pick")
        return data

    @model_validator(mode="after")
    def _names_something(self) -> EntityRef:
        if not (self.noun or self.entity_id or self.mask):
            raise ValueError("a target needs a noun, an entity_id or a mask")
        return self

    def describe(self) -> str:
        if self.entity_id and not self.noun:
            return f"@{self.entity_id}"
        words = [str(self.count)] if self.count and self.count > 1 else []
        words += [w for w in (self.size, self.color, *self.attributes.values(), self.noun) if w]
        text = " ".join(words) or f"mask:{self.mask}"
        return f"{text} ({self.position})" if self.position else text

    def key(self) -> tuple:
        """Identity of the referenced thing, for conflict detection between nodes."""
        if self.entity_id:
            return ("entity", self.entity_id)
        if self.mask:
            return ("mask", self.mask)
        return ("noun", self.noun, self.color, self.size, self.position, self.count)


class Params(_Strict):
    """Params every op shares. ``strength`` scales how strongly the expert applies the edit."""

    strength: float = Field(1.0, ge=0.0, le=1.0)


class IdentityLockParams(Params):
    parts: list[Literal["face", "hair", "pose", "body"]] = Field(default_factory=lambda: ["face"])


class AddParams(Params):
    position: str | None = None
    relation: str | None = None  # e.g. "on the left of the dog"


class RemoveParams(Params):
    pass


class ReplaceParams(Params):
    replacement: EntityRef


class RecolorParams(Params):
    color: str = Field(min_length=1)


class MoveParams(Params):
    direction: Literal["left", "right", "up", "down"] | None = None
    position: str | None = None

    @model_validator(mode="after")
    def _has_destination(self) -> MoveParams:
        if self.direction is None and not self.position:
            raise ValueError(f"a move needs a direction (left/right/up/down) or a position ({ELSEWHERE!r}: any free one)")
        return self


class ResizeParams(Params):
    scale: float | None = Field(None, gt=0.0, le=16.0)
    size: Literal["small", "medium", "large"] | None = None

    @model_validator(mode="after")
    def _has_amount(self) -> ResizeParams:
        if self.scale is None and self.size is None:
            raise ValueError("a resize needs a scale (e.g. 1.5) or a size (small/medium/large)")
        return self


class AttributeParams(Params):
    name: str = Field(min_length=1)  # e.g. "hair_color", "glasses", "hat", "material"
    value: str = Field(min_length=1)  # e.g. "red", "on", "off", "wood"


class PoseParams(Params):
    """``pose`` is a closed name (``lexicon.POSES``: "raise_left_arm", "sit", "other"); what else the
    prompt says about the pose ("wave at the camera") is free text in ``description``."""

    pose: str = Field(min_length=1)
    description: str | None = None


class ExtractParams(Params):
    background: str = "white"


class TextParams(Params):
    text: str
    old: str | None = None


class BackgroundParams(Params):
    color: str | None = None
    pattern: str | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _says_what(self) -> BackgroundParams:
        if not (self.color or self.pattern or self.description):
            raise ValueError("a background edit needs a color, a pattern or a description")
        return self


class LightingParams(Params):
    """``lighting`` is a closed name (``lexicon.LIGHTING_VALUES``: "night", "sunset", "bright");
    free text ("soft studio light") goes in ``description``."""

    lighting: str | None = Field(None, min_length=1)
    description: str | None = None

    @model_validator(mode="after")
    def _says_what(self) -> LightingParams:
        if not (self.lighting or self.description):
            raise ValueError("a lighting edit needs a lighting (e.g. night) or a description")
        return self


class StyleParams(Params):
    """``style`` is a style name ("watercolor", "pixelate"); free text about it ("a loose
    watercolor-wash look") goes in ``description``."""

    style: str | None = Field(None, min_length=1)
    description: str | None = None

    @model_validator(mode="after")
    def _says_what(self) -> StyleParams:
        if not (self.style or self.description):
            raise ValueError("a style edit needs a style (e.g. watercolor) or a description")
        return self


class ToneParams(Params):
    tone: str = Field(min_length=1)  # e.g. "warm", "cool", "black and white"


PARAMS_BY_OP: dict[Op, type[Params]] = {
    Op.identity_lock: IdentityLockParams,
    Op.add: AddParams,
    Op.remove: RemoveParams,
    Op.replace: ReplaceParams,
    Op.recolor: RecolorParams,
    Op.move: MoveParams,
    Op.resize: ResizeParams,
    Op.attribute: AttributeParams,
    Op.pose: PoseParams,
    Op.extract: ExtractParams,
    Op.text: TextParams,
    Op.background: BackgroundParams,
    Op.lighting: LightingParams,
    Op.style: StyleParams,
    Op.tone: ToneParams,
}


class EditNode(_Strict):
    """One edit of the plan. ``text`` is the span of the prompt it came from (provenance)."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=64)
    op: Op
    target: EntityRef | None = None
    params: SerializeAsAny[Params] = Field(default_factory=dict, validate_default=True)
    priority: int = 0
    text: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role(self) -> Role:
        return self.op.role

    @model_validator(mode="before")
    @classmethod
    def _drop_derived_role(cls, data: Any) -> Any:
        # ``role`` appears in dumps for readers; on the way back in it must agree with the op.
        if isinstance(data, dict) and "role" in data:
            data = dict(data)
            role, op = data.pop("role"), data.get("op")
            try:
                expected = Op(op).role.value
            except ValueError:
                return data  # the op error itself is reported by field validation
            if role != expected:
                raise ValueError(f"role {role!r} does not match op {op!r} (its role is {expected!r})")
        return data

    @field_validator("params", mode="before")
    @classmethod
    def _params_for_op(cls, value: Any, info) -> Params:
        op = info.data.get("op")
        if op is None:
            raise ValueError("params cannot be checked because the op is invalid")
        model = PARAMS_BY_OP[op]
        if isinstance(value, model):
            return value
        if isinstance(value, Params):
            value = value.model_dump()
        return model.model_validate(value or {})

    @model_validator(mode="after")
    def _target_when_needed(self) -> EditNode:
        if self.op.needs_target and self.target is None:
            raise ValueError(f"op {self.op.value!r} acts on one target; give a target")
        return self

    def content(self) -> dict:
        """What the node does, without its id and provenance text (used for hashing and diffs)."""
        return self.model_dump(mode="json", exclude={"id", "text"})

    def target_after(self) -> EntityRef | None:
        """The target as it is after this edit, so later turns can refer to it ("make it green").

        None when the edit leaves nothing to refer to (a removal, or a global style edit).
        """
        t, p = self.target, self.params
        if t is None or self.op is Op.remove:
            return None
        if self.op is Op.replace:
            return p.replacement  # type: ignore[attr-defined]
        updates: dict[str, Any] = {}
        if self.op is Op.recolor:
            updates["color"] = p.color  # type: ignore[attr-defined]
        elif self.op is Op.move:
            updates["position"] = p.position  # type: ignore[attr-defined]  # a relative move: unknown
        elif self.op is Op.resize:
            updates["size"] = p.size  # type: ignore[attr-defined]
        elif self.op is Op.add and p.position:  # type: ignore[attr-defined]
            updates["position"] = p.position  # type: ignore[attr-defined]
        return t.model_copy(update=updates)

    def label(self) -> str:
        target = f" {self.target.describe()}" if self.target else ""
        shown = {k: v for k, v in self.params.model_dump(mode="json").items() if k != "strength" or v != 1.0}
        detail = " ".join(f"{k}={_short(v)}" for k, v in shown.items() if v not in (None, [], {}))
        return f"{self.op.value}{target}" + (f" [{detail}]" if detail else "")


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return EntityRef.model_validate(value).describe() if "noun" in value else str(value)
    return str(value)
