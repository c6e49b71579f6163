"""Exact edits: an ``EditNode`` applied to a scene spec gives the edited spec (the ground truth).

An edit that cannot happen in the scene (remove an object that is not there, move onto an occupied
cell, make a large star larger) or that would change nothing raises ``SceneError`` saying what to do.
The ``strength`` param is ignored: toy-world edits are all-or-nothing.
"""

from __future__ import annotations

from nanoedit.errors import SceneError
from nanoedit.graphs import EditNode, EntityRef, InstructionGraph, Op

from . import vocab
from .scene import Scene, SceneObject

STEP = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


def apply_graph(scene: Scene, graph: InstructionGraph) -> Scene:
    """Apply every node of ``graph`` in its scheduled order."""
    for node in graph.schedule():
        scene = apply_edit(scene, node)
    return scene


def apply_edit(scene: Scene, node: EditNode) -> Scene:
    """The scene after ``node``. Object targets are resolved by ``Scene.resolve`` (must be unique)."""
    handler = _HANDLERS.get(node.op)
    if handler is None:
        supported = ", ".join(op.value for op in _HANDLERS)
        raise SceneError(f"op {node.op.value!r} has no meaning in the toy world; use one of {supported}")
    return handler(scene, node)


# -- object edits ---------------------------------------------------------------------------------


def _add(scene: Scene, node: EditNode) -> Scene:
    t = node.target
    if t.noun not in vocab.SHAPES:
        raise SceneError(f"cannot add {t.noun!r}: the toy world draws {', '.join(vocab.SHAPES)}")
    position = node.params.position or t.position or (scene.free_cells() or [None])[0]
    if position is None:
        raise SceneError("the scene is full (seven objects); remove one before adding another")
    _check_free(scene, position)
    new = SceneObject(
        id=scene.next_object_id(),
        shape=t.noun,
        color=_color(t.color or vocab.DEFAULT_ADD_COLOR),
        size=t.size or vocab.DEFAULT_ADD_SIZE,
        position=position,
    )
    return scene.model_copy(update={"objects": (*scene.objects, new)})


def _remove(scene: Scene, node: EditNode) -> Scene:
    obj = _object(scene, node)
    return scene.model_copy(update={"objects": tuple(o for o in scene.objects if o.id != obj.id)})


def _replace(scene: Scene, node: EditNode) -> Scene:
    obj = _object(scene, node)
    new: EntityRef = node.params.replacement
    if new.noun not in vocab.SHAPES:
        raise SceneError(f"cannot replace with {new.noun!r}: the toy world draws {', '.join(vocab.SHAPES)}")
    changes = {"shape": new.noun, "color": _color(new.color or obj.color), "size": new.size or obj.size}
    return _update(scene, obj, changes, f"the {obj.shape} already is a {new.describe()}")


def _recolor(scene: Scene, node: EditNode) -> Scene:
    obj = _object(scene, node, hint="to change the hair colour use an attribute edit (hair_color)")
    color = _color(node.params.color)
    return _update(scene, obj, {"color": color}, f"the {obj.shape} is already {color}")


def _move(scene: Scene, node: EditNode) -> Scene:
    obj = _object(scene, node)
    p = node.params
    if p.position:
        position = p.position
    else:
        index = vocab.POSITIONS.index(obj.position)
        dx, dy = STEP[p.direction]
        col, row = index % 3 + dx, index // 3 + dy
        if not (0 <= col < 3 and 0 <= row < 3):
            raise SceneError(
                f"the {obj.shape} at {obj.position} cannot move {p.direction}: it is at the edge"
            )
        position = vocab.POSITIONS[row * 3 + col]
    if position == obj.position:
        raise SceneError(f"the {obj.shape} is already at {position}; name another place")
    _check_free(scene, position)
    return _update(scene, obj, {"position": position}, "")


def _resize(scene: Scene, node: EditNode) -> Scene:
    obj = _object(scene, node)
    p = node.params
    if p.size:
        size = p.size
    else:
        if p.scale == 1.0:
            raise SceneError("a resize by scale 1 changes nothing; use a scale above or below 1")
        step = 1 if p.scale > 1.0 else -1
        index = vocab.SIZES.index(obj.size) + step
        if not 0 <= index < len(vocab.SIZES):
            raise SceneError(
                f"the {obj.shape} is already {obj.size}; it cannot get {'bigger' if step > 0 else 'smaller'}"
            )
        size = vocab.SIZES[index]
    return _update(scene, obj, {"size": size}, f"the {obj.shape} is already {size}")


# -- character edits ------------------------------------------------------------------------------


def _attribute(scene: Scene, node: EditNode) -> Scene:
    _person(scene, node)
    name, value = node.params.name, node.params.value
    allowed = vocab.ATTRIBUTES.get(name)
    if allowed is None:
        raise SceneError(f"the character has no attribute {name!r}; use one of {', '.join(vocab.ATTRIBUTES)}")
    if value not in allowed:
        raise SceneError(f"{name} cannot be {value!r}; use one of {', '.join(allowed)}")
    field = {"hair_color": "hair_color", "hat": "hat", "glasses": "glasses"}[name]
    new = value if name == "hair_color" else value == "on"
    changes = {field: new}
    if name == "hat" and new and not scene.character.hat:
        # A hat put on without a colour gets a fixed one (visible against the hair): the colour of a
        # hat that is not drawn is hidden state no editor could see, so it must not decide the target.
        hair = scene.character.hair_color
        changes["hat_color"] = vocab.DEFAULT_HAT_COLOR if hair != vocab.DEFAULT_HAT_COLOR else vocab.SPARE_HAT_COLOR
    return _update_character(scene, changes, f"{name} is already {value}")


def _pose(scene: Scene, node: EditNode) -> Scene:
    _person(scene, node)
    pose = node.params.pose
    if pose not in vocab.ARM_POSES:
        raise SceneError(f"unknown pose {pose!r}; use one of {', '.join(vocab.ARM_POSES)}")
    return _update_character(scene, {"pose": pose}, f"the character already has pose {pose}")


# -- global edits ---------------------------------------------------------------------------------


def _background(scene: Scene, node: EditNode) -> Scene:
    p = node.params
    changes = {}
    if p.color:
        changes["color"] = _color(p.color)
    if p.pattern:
        if p.pattern not in vocab.BACKGROUND_PATTERNS:
            raise SceneError(
                f"unknown pattern {p.pattern!r}; use one of {', '.join(vocab.BACKGROUND_PATTERNS)}"
            )
        changes["pattern"] = p.pattern
    if not changes:
        raise SceneError("the toy world cannot draw a described background; give a colour or a pattern")
    background = scene.background.model_copy(update=changes)
    if background == scene.background:
        raise SceneError("the background already looks like that; choose another colour or pattern")
    return scene.model_copy(update={"background": background})


def _global(field: str, allowed: tuple[str, ...], param: str):
    def handler(scene: Scene, node: EditNode) -> Scene:
        value = getattr(node.params, param)
        if value not in allowed:
            raise SceneError(f"unknown {field} {value!r}; the toy world renders {', '.join(allowed)}")
        if getattr(scene, field) == value:
            raise SceneError(f"the {field} is already {value}")
        return scene.model_copy(update={field: value})

    return handler


def _identity_lock(scene: Scene, node: EditNode) -> Scene:
    return scene  # a constraint on the other edits, not a change


_HANDLERS = {
    Op.identity_lock: _identity_lock,
    Op.add: _add,
    Op.remove: _remove,
    Op.replace: _replace,
    Op.recolor: _recolor,
    Op.move: _move,
    Op.resize: _resize,
    Op.attribute: _attribute,
    Op.pose: _pose,
    Op.background: _background,
    Op.lighting: _global("lighting", vocab.LIGHTINGS, "lighting"),
    Op.tone: _global("tone", vocab.TONES, "tone"),
    Op.style: _global("style", vocab.STYLES, "style"),
}


# -- helpers --------------------------------------------------------------------------------------


def _object(scene: Scene, node: EditNode, hint: str = "") -> SceneObject:
    obj = scene.resolve(node.target)
    if obj is None:
        extra = f"; {hint}" if hint else ""
        raise SceneError(f"{node.op.value} acts on objects, not on the character{extra}")
    return obj


def _person(scene: Scene, node: EditNode) -> None:
    if scene.resolve(node.target) is not None:
        raise SceneError(f"{node.op.value} acts on the character; target the person (noun 'person')")


def _color(name: str) -> str:
    if name not in vocab.COLORS:
        raise SceneError(f"unknown colour {name!r}; use one of {', '.join(vocab.COLORS)}")
    return name


def _check_free(scene: Scene, position: str) -> None:
    if position not in vocab.POSITIONS:
        raise SceneError(f"unknown place {position!r}; use one of {', '.join(vocab.POSITIONS)}")
    if position in vocab.OCCUPIED_BY_CHARACTER:
        raise SceneError(f"the character stands at {position}; choose one of {', '.join(scene.free_cells())}")
    if position not in scene.free_cells():
        raise SceneError(
            f"{position} is taken; choose a free place ({', '.join(scene.free_cells()) or 'none'})"
        )


def _update(scene: Scene, obj: SceneObject, changes: dict, unchanged: str) -> Scene:
    new = obj.model_copy(update=changes)
    if new == obj:
        raise SceneError(f"{unchanged}; this edit would change nothing")
    objects = tuple(new if o.id == obj.id else o for o in scene.objects)
    return scene.model_copy(update={"objects": objects})


def _update_character(scene: Scene, changes: dict, unchanged: str) -> Scene:
    character = scene.character.model_copy(update=changes)
    if character == scene.character:
        raise SceneError(f"{unchanged}; this edit would change nothing")
    return scene.model_copy(update={"character": character})
