"""``Session``: multi-turn editing over a tree of immutable versions, with memory, a node cache and saves.

    session = Session(editor, image)
    session.edit("make the circle blue")          # v1
    session.edit("move it to the top left")       # v2: "it" is the circle edited in v1
    session.undo()                                # back to v1 (v2 is kept)
    session.edit("make it green")                 # v3: a branch from v1; v2 is still there
    session.checkout("v2"); session.diff("v2", "v3"); session.save("my_session/")

Every turn goes through one path, shared with ``run_plan``, ``nanoedit demo`` and
``nanoedit graph show``: ``initial_context`` (what the pixels show: a person, when the grounder
finds one, so the planner locks the identity), ``plan_turn`` (the planner with that context; an
explicit graph is copied as it is), the editor's ``edit``, then ``next_context`` (the edited
targets become named session entities, ``e1``, ``e2``..., with their grounded masks, so "it",
"them", "also" and "now" in a later turn resolve to them and grounding uses their masks).

Session memory, per version: the planning context (entities with their names and attributes, the
last edited targets), the entities' masks, and the memory-bank slots of its turn; the first turn's
identity slot is what every later turn restores the identity against. A version is immutable: its
image, graph and trace are copies, handed out as copies.

``save(folder)`` writes PNG images, JSON graphs and traces, and the memory (slots, masks) as
safetensors into a temporary folder that then replaces ``folder`` in one rename, so a crash
mid-save leaves the previous save intact. ``Session.load(folder, editor)`` checks the format
version, every file's checksum and the model's fingerprint before it restores anything.
"""

from __future__ import annotations

import copy
import ctypes
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from pydantic import ConfigDict, Field

from nanoedit.errors import (
    EditorError,
    GroundingError,
    OutputError,
    SessionCorruptError,
    SessionError,
    SessionFormatError,
    SessionModelError,
)
from nanoedit.graphs import EntityRef, InstructionGraph, Op
from nanoedit.planner import PlanContext

FORMAT = "nanoedit-session"
FORMAT_VERSION = 1
INDEX = "session.json"
MEMORY = "memory.safetensors"
PERSON = "person"
# Edits after which the grounded mask still covers the entity (the others move or reshape it).
_SAME_PLACE = (Op.recolor, Op.attribute, Op.text)


# -- the one planning path --------------------------------------------------------------------------


class SessionContext(PlanContext):
    """The planner's context plus the session entities' masks (``masks``: entity id -> grounding Mask,
    at the editor's working size), which the editor hands to grounding."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    masks: dict[str, Any] = Field(default_factory=dict)


def initial_context(image: Image.Image, grounder=None) -> SessionContext:
    """What the planner knows before the first turn: a person when the grounder finds one in the
    pixels (then every turn's plan locks the identity first), and the image size."""
    if grounder is None:
        from nanoedit.experts.grounding import Grounder

        grounder = Grounder()
    entities = []
    try:
        grounder.person(image)
        entities.append(EntityRef(noun=PERSON, entity_id=PERSON))
    except GroundingError:
        pass
    return SessionContext(entities=entities, image_size=tuple(image.size))


def plan_turn(prompt_or_graph: str | InstructionGraph, context: PlanContext, planner=None, *,
              masked: bool = False) -> InstructionGraph:  # fmt: skip
    """The validated graph of one turn: an explicit graph is copied; a prompt is planned in ``context``,
    and a target that names exactly one known entity by its words is bound to that entity. With a
    user mask (``masked``), "it"/"this" is the masked region."""
    if isinstance(prompt_or_graph, InstructionGraph):
        return InstructionGraph.from_dict(prompt_or_graph.to_dict()).validate()
    if not isinstance(prompt_or_graph, str):
        raise EditorError(f"a turn is a prompt or an InstructionGraph, not {type(prompt_or_graph).__name__}")
    if planner is None:
        from nanoedit.planner import plan as planner
    if masked:
        context = context.model_copy(update={"last_targets": [*context.last_targets, EntityRef(mask="user")]})
    graph = planner(prompt_or_graph, context=context)
    return _bind_entities(graph, context).validate()


def next_context(context: PlanContext, graph: InstructionGraph, masks: dict[str, Any] | None = None) -> SessionContext:
    """The context after ``graph`` ran: its edited targets are session entities (new ones get ids
    ``e1``, ``e2``...), the last targets for "it"/"them"; ``masks`` (entity id -> Mask) replace
    the masks of the entities they name, and removed entities lose theirs."""
    advanced = context.advance(graph)
    used = {e.entity_id for e in (*context.entities, *context.last_targets) if e.entity_id}
    counter = max((int(i[1:]) for i in used if i[:1] == "e" and i[1:].isdigit()), default=0)
    named: dict[int, EntityRef] = {}  # id(after ref) -> the same ref with an entity id

    def name(ref: EntityRef) -> EntityRef:
        nonlocal counter
        if ref.entity_id:
            return ref
        if ref.noun == PERSON:
            return ref.model_copy(update={"entity_id": PERSON})
        counter += 1
        return ref.model_copy(update={"entity_id": f"e{counter}"})

    def named_like(ref: EntityRef) -> EntityRef:
        for key, value in named.items():
            if key == _ref_key(ref):
                return value
        value = name(ref)
        named[_ref_key(ref)] = value
        return value

    entities = [named_like(e) if not e.entity_id else e for e in advanced.entities]
    last = [named_like(e) if not e.entity_id else e for e in advanced.last_targets]
    known = {e.entity_id for e in entities}
    kept = {k: v for k, v in (getattr(context, "masks", None) or {}).items() if k in known}
    for key, mask in (masks or {}).items():
        if key in known and mask is not None:
            kept[key] = mask
    return SessionContext(entities=entities, last_targets=last, image_size=context.image_size, masks=kept)


def plan_turns(plan, grounder=None) -> list[InstructionGraph]:
    """Every turn's graph of a loaded plan (``nanoedit.plans.Plan``), planned as a session would plan
    them: the context starts from the plan's input pixels (a toy scene is rendered) and advances."""
    image = plan_image(plan)
    context = initial_context(image, grounder)
    graphs = []
    for turn, explicit in zip(plan.turns, plan.graphs()):
        graph = plan_turn(explicit if explicit is not None else turn.instruction, context, masked=turn.mask is not None)
        graphs.append(graph)
        context = next_context(context, graph)
    return graphs


def plan_image(plan) -> Image.Image:
    """A plan's input as the editor sees it: the image file, or a toy-world scene rendered to pixels
    (the scene's spec never reaches the editor)."""
    if plan.input.scene is not None:
        from nanoedit.toyworld import Scene, render

        spec = plan.input.scene
        return render(Scene.random(spec.seed, size=spec.size, n_objects=spec.objects)).image
    from nanoedit.editor import prepare_image

    return prepare_image(plan.resolve(plan.input.image), "the plan's input image")[0]


def _ref_key(ref: EntityRef) -> str:
    return ref.model_dump_json()


def _bind_entities(graph: InstructionGraph, context: PlanContext) -> InstructionGraph:
    """A node target said in words ("the blue circle") that fits exactly one known entity gets its id."""
    known = [e for e in context.entities if e.entity_id and e.noun != PERSON]
    if not known:
        return graph
    fields = ("noun", "color", "size", "position")
    changed = False
    data = graph.to_dict()
    for node in data["nodes"]:
        target = node.get("target")
        if not target or target.get("entity_id") or target.get("mask") or node["op"] in (Op.add.value,):
            continue
        if not target.get("noun") or target.get("noun") == PERSON:
            continue
        fits = [e for e in known if all(target.get(f) in (None, getattr(e, f)) for f in fields)]
        if len(fits) == 1:
            node["target"] = {**target, "entity_id": fits[0].entity_id}
            changed = True
    return InstructionGraph.from_dict(data) if changed else graph


# -- versions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """A session entity: its id, what it is called (``ref``: noun, colour, size, position...), and
    its mask (at the editor's working size) when one is known."""

    id: str
    ref: EntityRef
    mask: Any = None  # experts.grounding.Mask | None

    @property
    def name(self) -> str:
        return self.ref.describe()


class Version:
    """One immutable snapshot: the image after a turn (the root: the source), the turn's graph and
    trace, the memory slots it wrote and the session context after it, and the image's content
    under its look presets (``looks``; the content is the image itself when there are none), which
    the next turn edits. Accessors return copies."""

    __slots__ = ("id", "parent", "depth", "prompt", "seed", "steps", "created", "_image", "_graph", "_trace",
                 "_slots", "_context", "_mask", "_content", "_looks")  # fmt: skip

    def __init__(self, id, parent, depth, prompt, seed, steps, image, graph, trace, slots, context, mask=None,
                 created=None, content=None, looks=None):  # fmt: skip
        from nanoedit.experts.looks import Looks

        looks = looks if looks is not None else Looks()
        values = dict(id=id, parent=parent, depth=depth, prompt=prompt, seed=seed, steps=steps,
                      created=created if created is not None else time.time(), _image=image.copy(),
                      _graph=copy.deepcopy(graph), _trace=_jsonable(trace), _slots=tuple(slots), _context=context,
                      _mask=None if mask is None else _readonly(np.array(mask, bool)),
                      _content=(content if looks else image).copy(), _looks=looks)  # fmt: skip
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"a Version is immutable; {name!r} cannot be set")

    @property
    def image(self) -> Image.Image:
        return self._image.copy()

    @property
    def content(self) -> Image.Image:
        return self._content.copy()

    @property
    def looks(self):
        return self._looks

    @property
    def graph(self) -> InstructionGraph | None:
        return None if self._graph is None else InstructionGraph.from_dict(self._graph)

    @property
    def trace(self) -> dict[str, Any]:
        return copy.deepcopy(self._trace)

    @property
    def context(self) -> SessionContext:
        return self._context

    @property
    def mask(self) -> np.ndarray | None:
        return self._mask

    @property
    def slots(self) -> tuple:
        return self._slots

    @property
    def entities(self) -> dict[str, Entity]:
        masks = self._context.masks
        return {e.entity_id: Entity(e.entity_id, e, masks.get(e.entity_id)) for e in self._context.entities
                if e.entity_id}  # fmt: skip

    def __repr__(self) -> str:
        what = "source" if self.parent is None else repr(self.prompt)
        return f"Version({self.id}, parent={self.parent}, {what})"


class History:
    """The version tree, read-only: ``history[vid]``, ``children(vid)``, ``path(vid)``, iteration in
    creation order; ``str(history)`` draws the tree."""

    def __init__(self, session: Session):
        self._s = session

    @property
    def root(self) -> Version:
        return self._s._versions[self._s._root]

    def __getitem__(self, version_id: str) -> Version:
        return self._s._get(version_id)

    def __contains__(self, version_id: str) -> bool:
        return version_id in self._s._versions

    def __iter__(self):
        return iter(list(self._s._versions.values()))

    def __len__(self) -> int:
        return len(self._s._versions)

    def children(self, version_id: str) -> list[Version]:
        self._s._get(version_id)
        return [v for v in self._s._versions.values() if v.parent == version_id]

    def path(self, version_id: str) -> list[Version]:
        return self._s._path(version_id)

    def __str__(self) -> str:
        lines: list[str] = []

        def draw(v: Version, prefix: str, last: bool, top: bool) -> None:
            mark = " *" if v.id == self._s._current else ""
            what = "(source)" if v.parent is None else (v.prompt or "(graph)")
            lines.append(("" if top else prefix + ("└─ " if last else "├─ ")) + f"{v.id} {what}{mark}")
            kids = self.children(v.id)
            for i, kid in enumerate(kids):
                draw(kid, "" if top else prefix + ("   " if last else "│  "), i == len(kids) - 1, False)

        draw(self.root, "", True, True)
        return "\n".join(lines)


@dataclass
class SessionDiff:
    """From version ``a`` to ``b``: the turns on each side since their common ancestor, the graph diff
    of their last turns, and the pixels that differ (``changed``, bool HxW)."""

    a: str
    b: str
    ancestor: str
    turns_a: list[str]
    turns_b: list[str]
    graph: Any  # graphs.GraphDiff
    changed: np.ndarray = field(repr=False)

    @property
    def changed_pixels(self) -> int:
        return int(self.changed.sum())


# -- the session ------------------------------------------------------------------------------------


class Session:
    def __init__(self, editor, image, *, seed: int = 0, steps: int | None = None, cache=None,
                 progress: bool = False):  # fmt: skip
        """``cache``: a node cache (``nanoedit.cache.NodeCache``; None makes one, False uses none)."""
        from nanoedit.cache import NodeCache
        from nanoedit.editor import prepare_image

        self.editor = editor
        self.seed, self.steps, self.progress = seed, steps, progress
        self.cache = NodeCache() if cache is None else (None if cache is False else cache)
        self._versions: dict[str, Version] = {}
        self._next = 0
        self._last_child: dict[str, str] = {}
        if image is None:  # Session.load fills it in
            return
        source, _ = prepare_image(image, "the session's image")
        root = Version(self._new_id(), None, 0, None, seed, steps, source, None, {},
                       (), initial_context(source, editor.grounder))  # fmt: skip
        self._versions[root.id] = root
        self._root = self._current = root.id

    # -- state ------------------------------------------------------------------------------------

    @property
    def history(self) -> History:
        return History(self)

    @property
    def version(self) -> Version:
        return self._versions[self._current]

    @property
    def current(self) -> Image.Image:
        """The current version's image (a copy)."""
        return self.version.image

    @property
    def entities(self) -> dict[str, Entity]:
        return self.version.entities

    @property
    def context(self) -> SessionContext:
        return self.version.context

    def branches(self) -> list[list[str]]:
        """Every branch as the version ids from the root to its tip, in the order the tips were made."""
        parents = {v.parent for v in self._versions.values()}
        return [[v.id for v in self._path(tip.id)] for tip in self._versions.values() if tip.id not in parents]

    # -- turns ------------------------------------------------------------------------------------

    def edit(self, prompt: str | InstructionGraph, mask=None, *, seed: int | None = None, steps: int | None = None):
        """One turn on the current version: plan (in the session's context), edit, remember. The new
        version becomes current; after an undo it starts a branch (nothing is lost). -> TurnResult."""
        return self._turn(self.version, prompt, mask, seed, steps)

    def rerun(self, prompt: str | InstructionGraph | None = None, *, seed: int | None = None, mask=None):
        """The current turn again from its parent, with a new prompt (or seed): a sibling version.
        The nodes whose inputs did not change come from the cache."""
        v = self.version
        if v.parent is None:
            raise SessionError("the source has no turn to re-run; edit first")
        prompt = prompt if prompt is not None else (v.prompt if v.prompt is not None else v.graph)
        return self._turn(self._versions[v.parent], prompt, v.mask if mask is None else mask,
                          v.seed if seed is None else seed, v.steps)  # fmt: skip

    def undo(self) -> Version:
        v = self.version
        if v.parent is None:
            raise SessionError("nothing to undo: the session is at its source")
        self._last_child[v.parent] = v.id
        self._current = v.parent
        return self.version

    def redo(self) -> Version:
        child = self._last_child.get(self._current)
        if child is None:
            kids = self.history.children(self._current)
            if not kids:
                raise SessionError("nothing to redo: this version has no later turn")
            child = kids[-1].id
        self._current = child
        return self.version

    def checkout(self, version_id: str) -> Version:
        v = self._get(version_id)
        self._current = v.id
        if v.parent is not None:
            self._last_child[v.parent] = v.id
        return v

    def diff(self, a: str, b: str) -> SessionDiff:
        va, vb = self._get(a), self._get(b)
        pa, pb = self._path(a), self._path(b)
        common = [x.id for x, y in zip(pa, pb) if x.id == y.id]
        ancestor = common[-1]
        empty = InstructionGraph()
        ga, gb = va.graph or empty, vb.graph or empty
        diff = np.asarray(va._image, np.int16) - np.asarray(vb._image, np.int16)
        return SessionDiff(a, b, ancestor, [v.id for v in pa[len(common):]], [v.id for v in pb[len(common):]],
                           ga.diff(gb), np.abs(diff).max(axis=2) > 0)  # fmt: skip

    def _turn(self, parent: Version, prompt, mask, seed, steps):
        from nanoedit.fusion import MemoryBank

        seed = self.seed if seed is None else seed
        steps = self.steps if steps is None else steps
        context = parent.context
        t0 = time.perf_counter()
        graph = plan_turn(prompt, context, self.editor.planner, masked=mask is not None)
        plan_ms = round((time.perf_counter() - t0) * 1000, 2)
        memory = MemoryBank()
        for v in self._path(parent.id):
            memory.slots.extend(v.slots)
        user_mask = None
        if mask is not None:
            from nanoedit.experts.grounding import Mask

            user_mask = mask.array if isinstance(mask, Mask) else Mask.from_image(mask, parent._image.size).array
        result = self.editor.edit(parent._content, graph, mask=user_mask, seed=seed, steps=steps,
                                  progress=self.progress, context=context, memory=memory, turn=parent.depth,
                                  cache=self.cache, identity=memory.identity(), looks=parent._looks)  # fmt: skip
        vid = self._new_id()
        result.trace["session"] = {"version": vid, "parent": parent.id, "plan_ms": plan_ms}
        after = next_context(context, result.graph, self._entity_masks(context, result))
        version = Version(vid, parent.id, parent.depth + 1, prompt if isinstance(prompt, str) else None, seed, steps,
                          result.image, result.graph.to_dict(), result.trace, result.slots, after, user_mask,
                          content=result.content, looks=result.looks)  # fmt: skip
        self._versions[vid] = version
        self._last_child[parent.id] = vid
        self._current = vid
        return result

    def _entity_masks(self, context: PlanContext, result) -> dict[str, Any]:
        """Each edited entity's mask after the turn (working size): the grounded mask where the edit
        keeps the entity in place, else the entity found again by its words in the output (falling
        back to the node's region, less the old place for a move). Keyed like ``next_context`` names."""
        from nanoedit.experts.grounding import Mask

        provisional = next_context(context, result.graph)  # gives the new entities their ids
        slots = {s.node_id: s for s in result.slots}
        work = None
        masks: dict[str, Any] = {}
        for node in result.graph.nodes:
            after = node.target_after()
            if after is None or node.op is Op.identity_lock or node.id not in slots or after.noun == PERSON:
                continue
            eid = after.entity_id or next((e.entity_id for e in provisional.last_targets
                                           if e.model_copy(update={"entity_id": None}) == after), None)  # fmt: skip
            if eid is None:
                continue
            grounded = result.masks.get(node.id)
            if node.op in _SAME_PLACE and grounded is not None:
                masks[eid] = Mask(_readonly(grounded.array.copy()), f"session:{eid}", grounded.score, after.describe())
                continue
            region = slots[node.id].mask
            if work is None:
                h, w = region.shape
                # the content: an entity is found by its own colours, not as a look shows them
                content = result.content
                work = content if content.size == (w, h) else content.resize((w, h), Image.BICUBIC)
            try:
                found = self.editor.grounder.ground(after.model_copy(update={"entity_id": None}), work)
                array = found.array
            except GroundingError:
                array = region & ~grounded.array if (node.op is Op.move and grounded is not None) else region
                array = array if array.any() else region
            masks[eid] = Mask(_readonly(np.asarray(array, bool).copy()), f"session:{eid}", None, after.describe())
        return masks

    def _new_id(self) -> str:
        vid = f"v{self._next}"
        self._next += 1
        return vid

    def _get(self, version_id: str) -> Version:
        try:
            return self._versions[version_id]
        except (KeyError, TypeError):
            known = ", ".join(list(self._versions)[:20])
            raise SessionError(f"no version {version_id!r} in this session (it has {known})") from None

    def _path(self, version_id: str) -> list[Version]:
        path = [self._get(version_id)]
        while path[-1].parent is not None:
            path.append(self._versions[path[-1].parent])
        return path[::-1]

    # -- save / load ------------------------------------------------------------------------------

    def save(self, folder: str | os.PathLike) -> Path:
        """Write the whole version tree into ``folder`` atomically (a temporary folder, then a rename)."""
        from safetensors.torch import save as save_tensors

        from nanoedit.fusion import MemoryBank

        folder = Path(folder).absolute()
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{folder} is a file; save a session into a folder")
        if folder.is_dir() and any(folder.iterdir()) and not (folder / INDEX).is_file():
            raise OutputError(f"{folder} holds files that are not a saved session; choose another folder")
        folder.parent.mkdir(parents=True, exist_ok=True)
        _remove_dead_temporaries(folder)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.saving-{os.getpid()}-", dir=folder.parent))
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)  # a folder like any other, not mkdtemp's private one
            files: dict[str, str] = {}

            def put(relative: str, data: bytes) -> None:
                files[relative] = _write_file(tmp / relative, data)

            bank, owners, tensors = MemoryBank(), [], {}
            records = []
            for v in self._versions.values():
                put(f"images/{v.id}.png", _png(v._image))
                if v._looks:
                    put(f"content/{v.id}.png", _png(v._content))
                if v._graph is not None:
                    put(f"graphs/{v.id}.json", _json_bytes(v._graph))
                    put(f"traces/{v.id}.json", _json_bytes(v._trace))
                for slot in v.slots:
                    bank.slots.append(slot)
                    owners.append(v.id)
                masks = {}
                for eid, mask in v.context.masks.items():
                    tensors[f"entity.{v.id}.{eid}"] = _mask_tensor(mask.array)
                    masks[eid] = {"provenance": mask.provenance, "score": mask.score, "label": mask.label}
                if v.mask is not None:
                    tensors[f"user.{v.id}"] = _mask_tensor(v.mask)
                context = v.context.model_dump(mode="json", exclude={"masks"})
                records.append({"id": v.id, "parent": v.parent, "depth": v.depth, "prompt": v.prompt, "seed": v.seed,
                                "steps": v.steps, "created": v.created, "context": context, "masks": masks,
                                "user_mask": v.mask is not None, "looks": v._looks.to_dict()})  # fmt: skip
            slot_tensors, meta = bank.state_dict()
            tensors.update({f"slot.{k}": v for k, v in slot_tensors.items()})
            metadata = {"slots": meta, "owners": json.dumps(owners)}
            put(MEMORY, save_tensors({k: v.detach().clone().contiguous() for k, v in tensors.items()}, metadata=metadata))
            index = {"format": FORMAT, "format_version": FORMAT_VERSION, "model": self.editor.fingerprint,
                     "editor": getattr(self.editor, "name", None), "seed": self.seed, "steps": self.steps,
                     "root": self._root, "current": self._current, "next": self._next,
                     "last_child": self._last_child, "versions": records, "files": files}  # fmt: skip
            _write_file(tmp / INDEX, _json_bytes(index))
            _fsync_dir(tmp)
            _replace_folder(tmp, folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike, editor, *, cache=None, progress: bool = False) -> Session:
        """A saved session, version tree and memory included. Refuses a folder of a newer format
        (``SessionFormatError``), a damaged one (``SessionCorruptError``) or one saved with another
        model (``SessionModelError``)."""
        folder = _recover(Path(folder).absolute())
        index = _read_index(folder)
        if index.get("model") != editor.fingerprint:
            raise SessionModelError(
                f"{folder} was saved with the model {index.get('model')!r} ({index.get('editor')}), but this "
                f"editor is {editor.fingerprint!r}; load it with the model that made it"
            )
        files = index.get("files")
        if not isinstance(files, dict):
            raise SessionCorruptError(f"{folder / INDEX} lists no files; the save is damaged")
        blobs: dict[str, bytes] = {}
        for relative, digest in files.items():
            path = folder / relative
            if not _inside(path, folder):
                raise SessionCorruptError(f"{folder / INDEX} names {relative!r}, outside the folder")
            try:
                data = path.read_bytes()
            except OSError:
                raise SessionCorruptError(f"{path} is missing or unreadable; the save is damaged") from None
            if hashlib.sha256(data).hexdigest() != digest:
                raise SessionCorruptError(f"{path} does not match its checksum; the save is damaged")
            blobs[relative] = data
        try:
            return cls._restore(folder, editor, index, blobs, cache, progress)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OSError, EditorError) as err:
            raise SessionCorruptError(f"{folder} cannot be restored ({type(err).__name__}: {err}); "
                                      "the save is damaged") from None  # fmt: skip

    @classmethod
    def _restore(cls, folder, editor, index, blobs, cache, progress) -> Session:
        from safetensors.torch import load as load_tensors

        from nanoedit.experts.grounding import Mask
        from nanoedit.experts.looks import Looks
        from nanoedit.fusion import MemoryBank

        session = cls(editor, None, seed=index["seed"], steps=index["steps"], cache=cache, progress=progress)
        raw = blobs[MEMORY]
        tensors = load_tensors(raw)
        metadata = _safetensors_metadata(raw)
        slot_tensors = {k[5:]: v for k, v in tensors.items() if k.startswith("slot.")}
        bank = MemoryBank.from_state_dict(slot_tensors, metadata["slots"])
        owners = json.loads(metadata["owners"])
        if len(owners) != len(bank.slots):
            raise ValueError("the memory's slots and owners differ in number")
        slots: dict[str, list] = {}
        for owner, slot in zip(owners, bank.slots):
            slots.setdefault(owner, []).append(slot)
        for record in index["versions"]:
            vid = record["id"]
            image = _read_png(blobs[f"images/{vid}.png"])
            looks = Looks.from_dict(record.get("looks"))  # saves from before looks have none
            content = _read_png(blobs[f"content/{vid}.png"]) if looks else None
            graph = trace = None
            if record["parent"] is not None:
                graph = InstructionGraph.from_dict(json.loads(blobs[f"graphs/{vid}.json"])).to_dict()
                trace = json.loads(blobs[f"traces/{vid}.json"])
            masks = {eid: Mask(_readonly(tensors[f"entity.{vid}.{eid}"].numpy().astype(bool)), m["provenance"],
                               m["score"], m["label"]) for eid, m in record["masks"].items()}  # fmt: skip
            context = SessionContext.model_validate({**record["context"], "masks": masks})
            user = tensors[f"user.{vid}"].numpy().astype(bool) if record["user_mask"] else None
            session._versions[vid] = Version(vid, record["parent"], record["depth"], record["prompt"], record["seed"],
                                             record["steps"], image, graph, trace or {}, slots.get(vid, ()), context,
                                             user, record["created"], content, looks)  # fmt: skip
        for v in session._versions.values():
            if v.parent is not None and v.parent not in session._versions:
                raise ValueError(f"version {v.id} has an unknown parent {v.parent}")
        session._root, session._current, session._next = index["root"], index["current"], int(index["next"])
        session._last_child = dict(index["last_child"])
        session._get(session._root), session._get(session._current)
        return session


# -- files ------------------------------------------------------------------------------------------


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _read_png(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as opened:
        return opened.convert("RGB")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _jsonable(value) -> dict:
    """A JSON copy of a trace (numpy scalars become plain numbers)."""
    return json.loads(json.dumps(value, default=_plain))


def _json_bytes(value) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True) + "\n").encode()


def _mask_tensor(array: np.ndarray):
    import torch

    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.uint8))


def _write_file(path: Path, data: bytes) -> str:
    """Write ``data`` (flushed to disk) and return its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    for folder in [path, *(p for p in path.rglob("*") if p.is_dir())]:
        _fsync_one(folder)


def _fsync_one(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _replace_folder(new: Path, folder: Path) -> None:
    """``new`` takes ``folder``'s place: a rename, or an atomic swap when ``folder`` exists (then the
    old save is deleted). Without the swap: the old save is renamed aside first, and ``load``
    recovers it should the process die between the two renames."""
    if not folder.exists():
        os.rename(new, folder)
    elif _exchange(new, folder):
        shutil.rmtree(new, ignore_errors=True)  # now holds the previous save
    else:
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        os.rmdir(old)
        os.rename(folder, old)
        os.rename(new, folder)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_one(folder.parent)


def _remove_dead_temporaries(folder: Path) -> None:
    """Temporary folders of saves whose process died (``.NAME.saving-PID-*``) are removed."""
    for path in folder.parent.glob(f".{folder.name}.saving-*"):
        try:
            pid = int(path.name.split(".saving-", 1)[1].split("-", 1)[0])
            os.kill(pid, 0)
            alive = pid != os.getpid()
        except (ValueError, IndexError):
            continue
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            shutil.rmtree(path, ignore_errors=True)


def _recover(folder: Path) -> Path:
    """``folder``, or the previous save renamed aside by an interrupted non-atomic replace."""
    if (folder / INDEX).is_file() or folder.exists():
        return folder
    aside = sorted(folder.parent.glob(f".{folder.name}.old-*"), key=lambda p: p.stat().st_mtime)
    return aside[-1] if aside and (aside[-1] / INDEX).is_file() else folder


def _inside(path: Path, folder: Path) -> bool:
    return ".." not in Path(path).relative_to(folder).parts and not Path(path).is_symlink()


def _read_index(folder: Path) -> dict:
    path = folder / INDEX
    if not folder.is_dir():
        raise SessionCorruptError(f"{folder} is not a folder; pass a folder written by Session.save")
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SessionCorruptError(f"{folder} has no {INDEX}; it is not a saved session (or the save is damaged)") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise SessionCorruptError(f"{path} cannot be read ({err}); the save is damaged") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise SessionCorruptError(f"{path} is not a nanoedit session index; the save is damaged")
    version = index.get("format_version")
    if not isinstance(version, int):
        raise SessionCorruptError(f"{path} has no format version; the save is damaged")
    if version > FORMAT_VERSION:
        raise SessionFormatError(f"{folder} was saved by a newer nanoedit (session format {version}, this one "
                                 f"reads up to {FORMAT_VERSION}); upgrade nanoedit to load it")  # fmt: skip
    return index


def _safetensors_metadata(raw: bytes) -> dict[str, str]:
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + size])
    return header.get("__metadata__") or {}


__all__ = ["Entity", "History", "Session", "SessionContext", "SessionDiff", "Version", "initial_context",
           "next_context", "plan_turn", "plan_turns"]  # fmt: skip
