"""Natural-language edit instructions with their gold instruction graphs.

Every sample is checked before it is returned: its gold graph validates, and applying it to the
source scene (``apply_graph``) gives exactly the target scene. Candidate edits that are impossible
in the scene (``SceneError``) or that make an invalid graph are simply drawn again.

- ``single_edit``: one edit ("paint the star in the top left blue");
- ``compound_edit``: 2-3 edits on different entities joined naturally ("remove the heart, then make
  the background striped");
- ``multi_turn``: up to 6 turns; a later turn may say "it"/"them" for the previous turn's targets.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from nanoedit.errors import GraphError, SceneError
from nanoedit.graphs import EditNode, EntityRef, InstructionGraph, Op, link, node_ids

from . import vocab
from .edits import apply_edit, apply_graph
from .scene import Scene, SceneObject

MAX_TURNS = 6
_TRIES = 200


@dataclass
class EditSample:
    """One instruction: the scene before, its gold graph, and the scene after."""

    instruction: str
    graph: InstructionGraph
    source: Scene
    target: Scene


@dataclass
class MultiTurnSample:
    """A session: ``turns[i].source`` is ``turns[i - 1].target``."""

    turns: list[EditSample] = field(default_factory=list)

    @property
    def scenes(self) -> list[Scene]:
        return [self.turns[0].source, *(t.target for t in self.turns)]


@dataclass
class _Edit:
    """A clause of an instruction and the node it means (without an id yet)."""

    text: str
    op: Op
    target: EntityRef | None
    params: dict
    object_id: str | None = None  # the object it edits, known after it is applied

    def node(self, node_id: str) -> EditNode:
        return EditNode(id=node_id, op=self.op, target=self.target, params=self.params, text=self.text)


def _rng(seed: int | random.Random) -> random.Random:
    return seed if isinstance(seed, random.Random) else random.Random(seed)


# -- public generators ----------------------------------------------------------------------------


def single_edit(scene: Scene, seed: int | random.Random, ops: list[Op] | None = None) -> EditSample:
    """One edit of ``scene`` phrased in English, with its gold graph."""
    rng = _rng(seed)
    for _ in range(_TRIES):
        edit = _draw_edit(scene, rng, ops)
        if edit is not None:
            return _sample(scene, [edit], edit.text)
    raise SceneError(f"found no edit of {ops or 'any op'} that fits this scene; allow more ops")


def compound_edit(scene: Scene, seed: int | random.Random, n_edits: int | None = None) -> EditSample:
    """2-3 edits of different entities in one prompt ("recolor the heart and make it night")."""
    rng = _rng(seed)
    n_edits = n_edits or rng.choice((2, 2, 3))
    for _ in range(_TRIES):
        edits = _draw_distinct_edits(scene, rng, n_edits)
        if edits is None:
            continue
        sample = _checked_sample(scene, edits, _join([e.text for e in edits], rng))
        if sample is not None:
            return sample
    raise SceneError(f"found no {n_edits} compatible edits for this scene; ask for fewer")


def multi_turn(scene: Scene, seed: int | random.Random, n_turns: int | None = None) -> MultiTurnSample:
    """A session of ``n_turns`` (default 2-6) instructions; later turns may use "it" / "them"."""
    rng = _rng(seed)
    n_turns = n_turns or rng.randint(2, MAX_TURNS)
    if not 1 <= n_turns <= MAX_TURNS:
        raise SceneError(f"n_turns={n_turns} is out of range; use 1 to {MAX_TURNS}")
    session = MultiTurnSample()
    previous: list[_Edit] = []
    for index in range(n_turns):
        turn = None
        if previous and rng.random() < 0.5:
            turn = _pronoun_turn(scene, previous, rng)
        if turn is None:
            edits = _draw_distinct_edits(scene, rng, 2) if rng.random() < 0.25 else None
            if edits is not None:
                turn = _checked_sample(scene, edits, _join([e.text for e in edits], rng)), edits
            if turn is None or turn[0] is None:
                sample = single_edit(scene, rng)
                turn = sample, [_edit_of(sample)]
        sample, edits = turn
        if index > 0 and rng.random() < 0.5:
            sample.instruction = rng.choice(("now ", "then ", "next, ")) + sample.instruction
            sample.graph.prompt = sample.instruction
        session.turns.append(sample)
        scene, previous = sample.target, edits
    return session


# -- assembling samples ---------------------------------------------------------------------------


def _sample(scene: Scene, edits: list[_Edit], instruction: str) -> EditSample:
    # Explicit (default) params: a node built without params would hold the base Params, whose
    # canonical form differs from the same node read back from JSON.
    ids = node_ids([Op.identity_lock, *(e.op for e in edits)])
    nodes = [EditNode(id=ids[0], op=Op.identity_lock, params={})]
    nodes += [e.node(node_id) for e, node_id in zip(edits, ids[1:])]
    graph = link(nodes, prompt=instruction)
    return EditSample(instruction=instruction, graph=graph, source=scene, target=apply_graph(scene, graph))


def _checked_sample(scene: Scene, edits: list[_Edit], instruction: str) -> EditSample | None:
    """The sample, or None when the joined edits do not make a valid graph that gives the scene
    the edits gave one after another (e.g. a later reference that meant another object)."""
    try:
        expected = scene
        for e in edits:
            expected = apply_edit(expected, e.node("check"))
        sample = _sample(scene, edits, instruction)
    except (GraphError, SceneError):
        return None
    return sample if sample.target == expected else None


def _edit_of(sample: EditSample) -> _Edit:
    """The single edit of a one-edit sample, with the object it changed."""
    node = sample.graph.nodes[-1]
    edit = _Edit(node.text, node.op, node.target, node.params.model_dump(exclude_defaults=True))
    edit.object_id = _edited_object(sample.source, sample.target, edit)
    return edit


def _edited_object(before: Scene, after: Scene, edit: _Edit) -> str | None:
    if edit.op is Op.add:
        return after.objects[-1].id
    if edit.target is None or edit.target.noun == vocab.PERSON:
        return None
    return before.resolve(edit.target).id


def _draw_edit(scene: Scene, rng: random.Random, ops: list[Op] | None = None, avoid=()) -> _Edit | None:
    """One applicable edit, or None when the drawn one does not fit the scene."""
    op = rng.choice(ops or list(_PHRASERS))
    edit = _PHRASERS[op](scene, rng, [o for o in scene.objects if o.id not in avoid])
    if edit is None:
        return None
    try:
        after = apply_edit(scene, edit.node("check"))
    except SceneError:
        return None
    edit.object_id = _edited_object(scene, after, edit)
    return edit


def _draw_distinct_edits(scene: Scene, rng: random.Random, n_edits: int) -> list[_Edit] | None:
    """``n_edits`` edits, applied in turn, each on an entity (or a global aspect) none of the others
    touches."""
    edits: list[_Edit] = []
    touched: set[str] = set()
    current = scene
    for _ in range(n_edits):
        for _ in range(20):
            edit = _draw_edit(current, rng, avoid=touched)
            if edit is not None and _aspect(edit) not in touched:
                break
        else:
            return None
        touched |= {_aspect(edit), edit.object_id or ""}
        edits.append(edit)
        current = apply_edit(current, edit.node("check"))
    return edits


def _aspect(edit: _Edit) -> str:
    """What an edit changes, so a compound never edits one thing twice."""
    if edit.object_id is not None:
        return edit.object_id
    if edit.op is Op.attribute:
        return f"attribute:{edit.params['name']}"
    return edit.op.value


def _pronoun_turn(
    scene: Scene, previous: list[_Edit], rng: random.Random
) -> tuple[EditSample, list[_Edit]] | None:
    """A turn that says "it" (one previous target) or "them" (two), or None if it would be unclear."""
    targets = []
    for edit in previous:
        after = edit.node("previous").target_after()
        if after is None:  # removed, or a global edit: nothing to refer to
            continue
        # Only objects, and only when the target as edited still names exactly that object.
        if edit.object_id is None or [o.id for o in scene.matches(after)] != [edit.object_id]:
            return None
        targets.append((after, edit.object_id))
    if not 1 <= len(targets) <= 2:
        return None
    word = "it" if len(targets) == 1 else "them"
    kinds = ["recolor", "resize", "remove"] + (["move", "replace"] if word == "it" else [])
    for _ in range(10):
        kind = rng.choice(kinds)
        text, op, params = _PRONOUN_PHRASES[kind](scene, rng, word, targets[0][1])
        edits = [_Edit(text, op, ref, params, object_id) for ref, object_id in targets]
        sample = _checked_sample(scene, edits, text)
        if sample is not None:
            return sample, edits
    return None


def _pronoun_recolor(scene, rng, word, object_id):
    color = rng.choice([c for c in vocab.COLORS if c != scene.background.color])
    text = rng.choice(("make {w} {c}", "paint {w} {c}", "color {w} {c}", "turn {w} {c}"))
    return text.format(w=word, c=color), Op.recolor, {"color": color}


def _pronoun_resize(scene, rng, word, object_id):
    bigger = rng.random() < 0.5
    words = (
        ("make {w} bigger", "make {w} larger", "enlarge {w}")
        if bigger
        else ("make {w} smaller", "shrink {w}")
    )
    return (
        rng.choice(words).format(w=word),
        Op.resize,
        {"scale": vocab.BIGGER_SCALE if bigger else vocab.SMALLER_SCALE},
    )


def _pronoun_remove(scene, rng, word, object_id):
    return rng.choice(("remove {w}", "delete {w}", "get rid of {w}")).format(w=word), Op.remove, {}


def _pronoun_move(scene, rng, word, object_id):
    where, params = _destination(scene, rng)
    return f"{_move_verb(params, rng)} {word} {where}", Op.move, params


def _pronoun_replace(scene, rng, word, object_id):
    obj = scene.object(object_id)
    shape = rng.choice([s for s in vocab.SHAPES if s != obj.shape])
    return (
        f"{rng.choice(('turn it into', 'replace it with'))} {_a(shape)}",
        Op.replace,
        {"replacement": {"noun": shape}},
    )


_PRONOUN_PHRASES: dict[str, Callable] = {
    "recolor": _pronoun_recolor,
    "resize": _pronoun_resize,
    "remove": _pronoun_remove,
    "move": _pronoun_move,
    "replace": _pronoun_replace,
}


# -- referring expressions ------------------------------------------------------------------------

_REFERENCE_ATTRIBUTES = ((), ("color",), ("size",), ("position",), ("color", "size"), ("color", "position"),
                         ("size", "position"))  # fmt: skip


def refer(scene: Scene, obj: SceneObject, rng: random.Random) -> tuple[str, EntityRef]:
    """A phrase that names ``obj`` and only it ("the small red star on the left") and its EntityRef.

    Short references are preferred; a colour is often said even when not needed, as people do.
    """
    choices, weights = [], []
    for attributes in _REFERENCE_ATTRIBUTES:
        ref = EntityRef(noun=obj.shape, **{a: getattr(obj, a) for a in attributes})
        if scene.matches(ref) == [obj]:
            choices.append(ref)
            weights.append(4 if len(attributes) <= 1 else 1)
    if not choices:  # every object has its own cell, so shape + position is always unique
        choices.append(EntityRef(noun=obj.shape, color=obj.color, size=obj.size, position=obj.position))
        weights.append(1)
    ref = rng.choices(choices, weights)[0]
    words = ["the", ref.size, ref.color, _noun_word(ref.noun, rng)]
    phrase = " ".join(w for w in words if w)
    if ref.position:
        phrase += " " + rng.choice(vocab.AT_PLACE[ref.position])
    return phrase, ref


def _noun_word(noun: str, rng: random.Random) -> str:
    synonyms = [w for w, n in vocab.SHAPE_WORDS.items() if n == noun and w != noun]
    return rng.choice(synonyms) if synonyms and rng.random() < 0.2 else noun


def _person(rng: random.Random) -> str:
    return "the " + rng.choice(list(vocab.PERSON_WORDS))


PERSON = EntityRef(noun=vocab.PERSON)


def _destination(scene: Scene, rng: random.Random) -> tuple[str, dict]:
    """Where a move goes: a named free place, or one step in a direction."""
    if rng.random() < 0.6 and scene.free_cells():
        place = rng.choice(scene.free_cells())
        return rng.choice(vocab.TO_PLACE[place]), {"position": place}
    word = rng.choice(list(vocab.DIRECTION_PHRASES))
    return word, {"direction": vocab.DIRECTION_PHRASES[word]}


# -- phrasing each op -----------------------------------------------------------------------------


def _add(scene, rng, objects):
    if not scene.free_cells():
        return None
    shape, color = (
        rng.choice(vocab.SHAPES),
        rng.choice([c for c in vocab.COLORS if c != scene.background.color]),
    )
    size = rng.choice(vocab.SIZES) if rng.random() < 0.4 else None
    place = rng.choice(scene.free_cells())
    thing = " ".join(w for w in (size, color, _noun_word(shape, rng)) if w)
    where = rng.choice(vocab.AT_PLACE[place])
    verb = rng.choice(("add", "put", "draw", "place"))
    text = rng.choice((f"{verb} {_a(thing)} {where}", f"{where}, {verb} {_a(thing)}"))
    target = EntityRef(noun=shape, color=color, size=size)
    return _Edit(text, Op.add, target, {"position": place})


def _remove(scene, rng, objects):
    if not objects:
        return None
    phrase, ref = refer(scene, rng.choice(objects), rng)
    verb = rng.choice(("remove", "delete", "erase", "get rid of", "take away"))
    return _Edit(f"{verb} {phrase}", Op.remove, ref, {})


def _replace(scene, rng, objects):
    if not objects:
        return None
    obj = rng.choice(objects)
    phrase, ref = refer(scene, obj, rng)
    shape = rng.choice([s for s in vocab.SHAPES if s != obj.shape])
    color = (
        rng.choice([c for c in vocab.COLORS if c != scene.background.color]) if rng.random() < 0.5 else None
    )
    new = " ".join(w for w in (color, _noun_word(shape, rng)) if w)
    text = rng.choice(
        (f"replace {phrase} with {_a(new)}", f"turn {phrase} into {_a(new)}", f"swap {phrase} for {_a(new)}")
    )
    return _Edit(text, Op.replace, ref, {"replacement": EntityRef(noun=shape, color=color)})


def _recolor(scene, rng, objects):
    if not objects:
        return None
    obj = rng.choice(objects)
    phrase, ref = refer(scene, obj, rng)
    color = rng.choice([c for c in vocab.COLORS if c not in (obj.color, scene.background.color)])
    text = rng.choice(
        (f"make {phrase} {color}", f"paint {phrase} {color}", f"color {phrase} {color}",
         f"change the color of {phrase} to {color}", f"turn {phrase} {color}")
    )  # fmt: skip
    return _Edit(text, Op.recolor, ref, {"color": color})


def _move(scene, rng, objects):
    if not objects:
        return None
    phrase, ref = refer(scene, rng.choice(objects), rng)
    where, params = _destination(scene, rng)
    return _Edit(f"{_move_verb(params, rng)} {phrase} {where}", Op.move, ref, params)


def _move_verb(params: dict, rng: random.Random) -> str:
    return rng.choice(("move", "shift", "slide") if "direction" in params else ("move", "drag"))


def _resize(scene, rng, objects):
    if not objects:
        return None
    obj = rng.choice(objects)
    phrase, ref = refer(scene, obj, rng)
    if rng.random() < 0.4:
        size = rng.choice([s for s in vocab.SIZES if s != obj.size])
        text = rng.choice((f"make {phrase} {size}", f"resize {phrase} to {size}"))
        return _Edit(text, Op.resize, ref, {"size": size})
    if rng.random() < 0.5:
        text = rng.choice((f"make {phrase} bigger", f"make {phrase} larger", f"enlarge {phrase}"))
        return _Edit(text, Op.resize, ref, {"scale": vocab.BIGGER_SCALE})
    text = rng.choice((f"make {phrase} smaller", f"shrink {phrase}"))
    return _Edit(text, Op.resize, ref, {"scale": vocab.SMALLER_SCALE})


def _attribute(scene, rng, objects):
    person, c = _person(rng), scene.character
    name = rng.choice(list(vocab.ATTRIBUTES))
    if name == "hair_color":
        color = rng.choice([x for x in vocab.COLORS if x != c.hair_color])
        text = rng.choice(
            (f"make {person}'s hair {color}", f"dye {person}'s hair {color}", f"give {person} {color} hair",
             f"change the hair color of {person} to {color}")
        )  # fmt: skip
        return _Edit(text, Op.attribute, PERSON, {"name": name, "value": color})
    wearing = getattr(c, name)
    thing = "a hat" if name == "hat" else "glasses"
    if wearing:
        text = rng.choice(
            (f"take off {person}'s {name}", f"remove {person}'s {name}", f"take {person}'s {name} off")
        )
    else:
        text = rng.choice(
            (f"give {person} {thing}", f"put {thing} on {person}", f"make {person} wear {thing}")
        )
    return _Edit(text, Op.attribute, PERSON, {"name": name, "value": "off" if wearing else "on"})


def _pose(scene, rng, objects):
    person = _person(rng)
    pose = rng.choice([p for p in vocab.ARM_POSES if p != scene.character.pose])
    phrases = {
        "raise_left_arm": (f"raise {person}'s left arm", f"make {person} raise the left arm"),
        "raise_right_arm": (f"raise {person}'s right arm", f"make {person} raise the right arm"),
        "raise_both_arms": (f"make {person} raise both arms", f"raise both of {person}'s arms"),
        "arms_down": (f"put {person}'s arms down", f"lower {person}'s arms", f"make {person} lower the arms"),
    }
    return _Edit(rng.choice(phrases[pose]), Op.pose, PERSON, {"pose": pose})


def _background(scene, rng, objects):
    bg = scene.background
    color = rng.choice([c for c in vocab.COLORS if c != bg.color]) if rng.random() < 0.7 else None
    pattern = (
        rng.choice([p for p in vocab.BACKGROUND_PATTERNS if p != bg.pattern]) if rng.random() < 0.5 else None
    )
    if color is None and pattern is None:
        color = rng.choice([c for c in vocab.COLORS if c != bg.color])
    if pattern is None:
        text = rng.choice((f"make the background {color}", f"change the background to {color}",
                           f"paint the background {color}"))  # fmt: skip
    else:
        adjective = rng.choice([w for w, p in vocab.PATTERN_WORDS.items() if p == pattern and w != "stripes"])
        noun = {"solid": "plain", "stripes": "striped", "checker": "checkerboard", "gradient": "gradient"}[
            pattern
        ]
        if color is None:
            text = rng.choice((f"make the background {adjective}", f"use a {noun} background"))
        else:
            text = rng.choice(
                (f"make the background {adjective} {color}", f"use a {color} {noun} background")
            )
    params = {k: v for k, v in (("color", color), ("pattern", pattern)) if v}
    return _Edit(text, Op.background, None, params)


def _lighting(scene, rng, objects):
    lighting = rng.choice([x for x in vocab.LIGHTINGS if x != scene.lighting])
    word = {"day": "daylight", "night": "night", "sunset": "sunset"}[lighting]
    text = rng.choice(
        (f"make the scene look like {word}", f"set the lighting to {lighting}", f"change the lighting to {word}",
         f"give the scene {lighting} lighting")
    )  # fmt: skip
    return _Edit(text, Op.lighting, None, {"lighting": lighting})


def _tone(scene, rng, objects):
    tone = rng.choice([x for x in vocab.TONES if x != scene.tone])
    phrases = {
        "warm": ("give the image a warm tone", "make the colors warmer", "make the picture warm"),
        "cool": ("give the image a cool tone", "make the colors cooler", "make the picture cool"),
        "grayscale": ("make the picture black and white", "convert the image to grayscale"),
    }
    return _Edit(rng.choice(phrases[tone]), Op.tone, None, {"tone": tone})


def _style(scene, rng, objects):
    style = rng.choice([x for x in vocab.STYLES if x != scene.style])
    phrases = {
        "outline": ("add outlines to everything", "draw dark outlines around everything",
                    "give the image cartoon outlines"),
        "posterize": ("posterize the image", "apply a posterize effect", "make the picture posterized"),
        "pixelate": ("pixelate the image", "make the image pixelated", "give the picture a pixel art look"),
    }  # fmt: skip
    return _Edit(rng.choice(phrases[style]), Op.style, None, {"style": style})


_PHRASERS: dict[Op, Callable] = {
    Op.add: _add,
    Op.remove: _remove,
    Op.replace: _replace,
    Op.recolor: _recolor,
    Op.move: _move,
    Op.resize: _resize,
    Op.attribute: _attribute,
    Op.pose: _pose,
    Op.background: _background,
    Op.lighting: _lighting,
    Op.tone: _tone,
    Op.style: _style,
}
EDIT_OPS = tuple(_PHRASERS)


# -- English --------------------------------------------------------------------------------------


def _a(phrase: str) -> str:
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def _join(clauses: list[str], rng: random.Random) -> str:
    # No "first A, then B": wording that orders the edits explicitly would call for dependency edges
    # beyond ``link``'s, and gold graphs are exactly ``link``'s.
    if len(clauses) == 2:
        a, b = clauses
        return rng.choice((f"{a} and {b}", f"{a}, then {b}", f"{a}, and {b}", f"{a}; also {b}"))
    a, b, c = clauses
    return rng.choice((f"{a}, {b} and {c}", f"{a}, {b}, and then {c}", f"{a}, {b}, and also {c}"))
