"""The Editor: one edit end to end, every part real, on the embedded toy model or any SANA checkpoint.

    prompt -> plan (graph) -> validate, schedule -> for each node: route (one registry of experts),
    ground (user mask > session entity > proposals), run the expert's program with its adapter
    active, verify (retry with a new seed on failure), write to memory -> compose -> refine the
    seams -> exact pixel composite against the source -> TurnResult(image, graph, trace)

A node's input is the source with its graph ancestors' outputs composed on it (never the state some
unrelated node left behind), so a node's output depends only on the source and its upstream nodes:
that is what the node cache keys on (``cache=``). The trace holds, per node, the route and weights,
the adapter peft reports active, the mask and its provenance, timings, checks and retries; it is
plain JSON.

Loading: ``Editor.from_pretrained(folder)`` reads a nanoedit bundle (``model_index.json`` naming its
parts: transformer, text encoder, optional autoencoder, expert adapters) or a diffusers
``SanaPipeline`` folder (transformer, ``AutoencoderDC``, Gemma-2 + tokenizer, scheduler), which edits
zero-shot: its primitives run on the base model with blended latent diffusion.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from nanoedit.errors import EditorError, GroundingError, ModelLoadError
from nanoedit.graphs import EditNode, EntityRef, InstructionGraph, Op, Role
from nanoedit.io import write_text

INDEX_NAME = "model_index.json"
BUNDLE_CLASS = "NanoeditEditor"
SANA_CLASSES = ("SanaPipeline", "SanaSprintPipeline")
FORMAT_VERSION = 1
DEFAULT_MODEL = Path(__file__).with_name("models") / "toy_default"
MAX_SIDE = 8192  # larger images are refused: downscale them first


class EditorConfig(BaseModel):
    """Every number an edit depends on; saved in the bundle's ``model_index.json``."""

    model_config = ConfigDict(extra="forbid")

    resolution: int = Field(64, ge=8, le=4096)  # the long side the model works at
    multiple: int = Field(4, ge=1)  # working sides are multiples of this (autoencoder factor x patch)
    sampler: str = "euler"
    flow_shift: float = Field(1.0, gt=0)
    steps: int = Field(8, ge=1, le=1000)
    text_scale: float = Field(1.0, ge=0)
    prediction: Literal["velocity", "sample", "residual"] = "velocity"  # what the transformer outputs
    margin: int = Field(0, ge=0, le=64)  # the exact composite keeps pixels farther than this from an edit
    feather: int = Field(1, ge=0, le=16)
    identity_tolerance: int = Field(12, ge=0, le=255)  # locked pixels that drifted less are restored
    refine_strength: float = Field(0.25, ge=0, le=1)  # seams between overlapping edits; 0 = off
    retries: int = Field(2, ge=0, le=10)
    min_change: float = Field(2.0, ge=0)  # mean 0-255 change inside a node's region to count as done
    identity_psnr: float = Field(30.0, ge=0)
    merge_adapters: bool = True  # merged LoRA forwards measured faster (benchmarks/pipeline.py)


@dataclass
class TurnResult:
    """What one edit returns: the image, the (scheduled) graph and a JSON-serialisable trace."""

    image: Image.Image
    graph: InstructionGraph
    trace: dict[str, Any]
    region: np.ndarray  # bool HxW (source size): where pixels were allowed to change
    masks: dict[str, Any] = field(default_factory=dict)  # node id -> grounded Mask (source size)
    slots: list = field(default_factory=list)  # this turn's memory slots (fusion.Slot)
    content: Image.Image | None = None  # the image under its looks: what the next turn edits
    looks: Any = None  # experts.looks.Looks: the look presets layered over the content

    def save_trace(self, path: str | os.PathLike) -> None:
        write_text(path, json.dumps(self.trace, indent=2) + "\n")


# -- images ---------------------------------------------------------------------------------------


def prepare_image(image: Image.Image | str | os.PathLike, what: str = "the image") -> tuple[Image.Image, str | None]:
    """An RGB image from any PIL image or path; returns it and a note of any conversion made."""
    from nanoedit.io import load_image

    if not isinstance(image, Image.Image):
        if not isinstance(image, (str, os.PathLike)):
            raise EditorError(f"{what} must be a PIL image or a path, not {type(image).__name__}")
        path = Path(image)
        try:
            with Image.open(path) as opened:  # read the header only: refuse huge images before decoding
                width, height = opened.size
        except (OSError, ValueError, SyntaxError) as exc:
            raise EditorError(f"cannot read {what} {path}: {exc}; give a PNG or JPEG file") from None
        _check_size(width, height, what)
        image = load_image(path, error=EditorError, what=what)
        return image, None
    _check_size(*image.size, what)
    mode = image.mode
    if mode == "RGB":
        return image, None
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background, f"{mode} image: transparency flattened onto white"
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if mode.startswith("I;16") or array.max() > 255 else 255.0
        gray = np.clip(np.rint(array / peak * 255.0), 0, 255).astype(np.uint8)
        return Image.fromarray(gray, "L").convert("RGB"), f"{mode} image: scaled to 8 bits per channel"
    if mode in ("L", "P", "1", "CMYK", "YCbCr", "LAB", "HSV"):
        return image.convert("RGB"), f"{mode} image converted to RGB"
    raise EditorError(f"{what} has mode {mode!r}, which nanoedit cannot read; save it as an RGB PNG")


def _check_size(width: int, height: int, what: str) -> None:
    if width < 8 or height < 8:
        raise EditorError(f"{what} is {width}x{height}; give an image at least 8 px on a side")
    if max(width, height) > MAX_SIDE:
        raise EditorError(
            f"{what} is {width}x{height}; the editor takes at most {MAX_SIDE} px on a side and does not "
            "downscale on its own: downscale it first"
        )


def to_tensor(image: Image.Image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image, np.float32)).permute(2, 0, 1)[None] / 127.5 - 1.0


def to_pixels(tensor: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) in [-1, 1] -> uint8 HxWx3, rounded (the same bytes on every run)."""
    array = ((tensor[0].float().clamp(-1, 1) + 1.0) * 127.5).round().to(torch.uint8)
    return array.permute(1, 2, 0).numpy()


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            h.update(np.ascontiguousarray(part).tobytes())
        elif isinstance(part, torch.Tensor):
            h.update(part.detach().cpu().contiguous().numpy().tobytes())
        else:
            h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"|")
    return h.hexdigest()


# -- the verifier ---------------------------------------------------------------------------------


def verify(node: EditNode, before: np.ndarray, after: np.ndarray, region: np.ndarray,
           lock: np.ndarray | None, config: EditorConfig, clip=None, grounder=None) -> dict[str, Any]:  # fmt: skip
    """Figures from pixels for one node: did its region change, is the outside untouched, is the
    locked identity kept (PSNR/SSIM of its crop; CLIP image similarity when a scorer is given), and,
    with a grounder, does the region now hold what the edit asked for (or no longer what it removed)."""
    diff = np.abs(after.astype(np.int16) - before.astype(np.int16)).max(axis=2)
    checks: dict[str, Any] = {}
    if node.op is not Op.identity_lock:
        change = float(diff[region].mean()) if region.any() else 0.0
        checks["target_changed"] = {"mean_change": round(change, 3), "passed": bool(change >= config.min_change)}
    expected = _expected_look(node)
    if grounder is not None and expected is not None and region.any():
        ref, present = expected
        score = grounder.match(ref, Image.fromarray(after), region)
        found = score >= grounder.min_score
        checks["looks_right"] = {"expects": f"{'' if present else 'no '}{ref.describe()}", "score": round(score, 3),
                                 "passed": bool(found == present)}  # fmt: skip
    outside = ~region
    drift = int(diff[outside].max()) if outside.any() else 0
    checks["outside_unchanged"] = {"max_change": drift, "passed": drift == 0}
    if lock is not None and lock.any():
        checks["identity_preserved"] = _identity_figures(before, after, lock, config, clip)
        if node.role is Role.style:  # a global look recolours the face too; its figures are only reported
            checks["identity_preserved"]["passed"] = True
    # A node outside the region may drift (latent editors) and still pass: the exact composite
    # fixes the outside. What must hold is the change itself and the identity.
    checks["passed"] = bool(all(c["passed"] for k, c in checks.items() if k != "outside_unchanged"))
    return checks


def _expected_look(node: EditNode) -> tuple[EntityRef, bool] | None:
    """What an object edit's region must show afterwards, from its params alone: (thing, present).
    Moves and resizes paste the object's own pixels, and other ops change no one thing to look for."""
    p, target = node.params, node.target
    if target is None or not target.noun:
        return None
    if node.op is Op.add:
        return target.model_copy(update={"position": None}), True
    if node.op is Op.recolor:
        return EntityRef(noun=target.noun, color=p.color), True
    if node.op is Op.replace:
        return p.replacement.model_copy(update={"position": None}), True
    if node.op is Op.remove:
        return EntityRef(noun=target.noun, color=target.color), False
    return None


def _identity_figures(before, after, lock, config: EditorConfig, clip) -> dict[str, Any]:
    from torchmetrics.functional.image import structural_similarity_index_measure as ssim

    a, b = before[lock].astype(np.float64), after[lock].astype(np.float64)
    mse = float(np.mean((a - b) ** 2))
    psnr = 100.0 if mse == 0 else min(100.0, 10 * np.log10(255.0**2 / mse))
    ys, xs = np.nonzero(lock)
    pad = 3  # SSIM windows need some room around a small crop
    crop = (slice(max(ys.min() - pad, 0), ys.max() + 1 + pad), slice(max(xs.min() - pad, 0), xs.max() + 1 + pad))
    ca, cb = (torch.from_numpy(x[crop].astype(np.float32)).permute(2, 0, 1)[None] / 255 for x in (before, after))
    window = min(7, *ca.shape[-2:])
    window -= 1 - window % 2  # odd
    similarity = float(ssim(cb, ca, data_range=1.0, kernel_size=window, gaussian_kernel=False))
    figures = {"psnr": round(float(psnr), 2), "ssim": round(similarity, 4), "passed": bool(psnr >= config.identity_psnr)}
    if clip is not None:
        figures["clip_image"] = round(float(clip.image_similarity(Image.fromarray(after[crop]),
                                                                   Image.fromarray(before[crop]))), 4)  # fmt: skip
    return figures


# -- the editor -----------------------------------------------------------------------------------


class Editor:
    def __init__(self, backbone, registry=None, *, grounder=None, composer=None, config: EditorConfig | None = None,
                 clip=None, planner=None, fingerprint: str | None = None, name: str = "nanoedit"):  # fmt: skip
        from nanoedit.experts.grounding import Grounder
        from nanoedit.experts.registry import ExpertRegistry
        from nanoedit.fusion import PriorityComposer
        from nanoedit.planner import Router

        self.config = config or EditorConfig()
        self.backbone = backbone
        self.registry = registry or ExpertRegistry.builtin()
        self.grounder = grounder or Grounder()
        self.composer = composer or PriorityComposer(self.config.feather)
        self.router = Router(self.registry.claims())
        self.clip = clip
        self.planner = planner
        self.name = name
        self.folder: Path | None = None  # where it was loaded from
        self._fingerprint = fingerprint
        self._mixes: dict[tuple, str] = {}

    # -- loading ----------------------------------------------------------------------------------

    @classmethod
    def default(cls, **kwargs) -> Editor:
        """The embedded toy-world model that ships in the package (CPU, offline)."""
        if not (DEFAULT_MODEL / INDEX_NAME).is_file():
            raise ModelLoadError(f"the embedded model is missing at {DEFAULT_MODEL}; reinstall nanoedit")
        return cls.from_pretrained(DEFAULT_MODEL, **kwargs)

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike, *, device=None, dtype=None, grounder=None, clip=None,
                        peels: list[str | os.PathLike] = ()) -> Editor:  # fmt: skip
        folder = Path(folder)
        if not folder.is_dir():
            raise ModelLoadError(f"{folder} is not a folder; pass a nanoedit bundle or a diffusers SANA pipeline folder")
        index = read_index(folder)
        kind = index.get("_class_name")
        if kind == BUNDLE_CLASS:
            editor = cls._from_bundle(folder, index, device, dtype, grounder, clip)
        elif kind in SANA_CLASSES:
            editor = cls._from_sana(folder, index, device, dtype, grounder, clip)
        else:
            raise ModelLoadError(f"{folder / INDEX_NAME} names {kind!r}; nanoedit reads {BUNDLE_CLASS} bundles "
                                 f"and diffusers {', '.join(SANA_CLASSES)} folders")  # fmt: skip
        editor.folder = folder
        for peel in peels:
            editor.add_expert(peel)
        return editor

    @classmethod
    def _from_bundle(cls, folder, index, device, dtype, grounder, clip) -> Editor:
        from nanoedit.experts.primitives import Backbone
        from nanoedit.experts.registry import ExpertRegistry

        if index.get("format_version", 0) > FORMAT_VERSION:
            raise ModelLoadError(f"{folder} was written by a newer nanoedit (format {index['format_version']}); "
                                 "upgrade nanoedit to load it")  # fmt: skip
        try:
            config = EditorConfig.model_validate(index.get("editor", {}))
        except ValueError as err:
            raise ModelLoadError(f"{folder / INDEX_NAME} has an invalid editor config: {err}") from None
        transformer, text_encoder = load_components(folder, device=device, dtype=dtype)
        autoencoder = None
        if index.get("autoencoder"):
            from nanoedit.backbone import load_autoencoder

            autoencoder = load_autoencoder(folder / _part(folder, index["autoencoder"]), device=device, dtype=dtype)
        experts = index.get("experts") or {}
        if experts:
            transformer = _attach_adapters(transformer, {role: folder / _part(folder, sub) for role, sub in experts.items()})
        backbone = Backbone(transformer, text_encoder, autoencoder, config.sampler, config.flow_shift, config.steps,
                            config.text_scale, prediction=config.prediction)  # fmt: skip
        registry = ExpertRegistry.builtin({role: role for role in experts})
        return cls(backbone, registry, grounder=grounder, config=config, clip=clip, name=f"nanoedit:{folder.name}")

    @classmethod
    def _from_sana(cls, folder, index, device, dtype, grounder, clip) -> Editor:
        from nanoedit.backbone import GemmaTextEncoder, LinearDiT, load_autoencoder
        from nanoedit.experts.primitives import Backbone

        missing = [p for p in ("transformer", "vae", "text_encoder", "tokenizer", "scheduler") if not (folder / p).is_dir()]
        if missing:
            raise ModelLoadError(f"{folder} is a SANA pipeline folder without {', '.join(missing)}; copy the whole folder")
        transformer = LinearDiT.from_pretrained(folder, subfolder="transformer", device=device, dtype=dtype)
        vae = load_autoencoder(folder, subfolder="vae", device=device, dtype=dtype)
        text_encoder = GemmaTextEncoder.from_pretrained(folder, subfolder="text_encoder", device=device, dtype=dtype)
        scheduler = _read_json(folder / "scheduler" / "scheduler_config.json")
        sampler = "dpm" if "DPMSolver" in scheduler.get("_class_name", "") else "euler"
        config = EditorConfig(
            resolution=transformer.config.sample_size * vae.downsample_factor,
            multiple=vae.downsample_factor * transformer.config.patch_size, sampler=sampler,
            flow_shift=float(scheduler.get("flow_shift") or scheduler.get("shift") or 1.0), steps=20, text_scale=4.5,
            min_change=0.5, refine_strength=0.0,
        )  # fmt: skip
        backbone = Backbone(transformer, text_encoder, vae, config.sampler, config.flow_shift, config.steps,
                            config.text_scale)  # fmt: skip
        return cls(backbone, grounder=grounder, config=config, clip=clip, name=f"sana:{folder.name}")

    def add_expert(self, folder: str | os.PathLike):
        """Load a user expert ("peel"): a peft adapter folder plus its ``expert.json``; returns it."""
        from nanoedit.experts.registry import check_adapter, read_expert_file
        from nanoedit.planner import Router

        folder = Path(folder)
        expert = read_expert_file(folder)
        check_adapter(folder, self.backbone.core)
        self.backbone.transformer = _attach_adapters(self.backbone.transformer, {expert.adapter: folder})
        self.registry.register(expert)
        self.router = Router(self.registry.claims())
        self._fingerprint = None
        return expert

    def save_pretrained(self, folder: str | os.PathLike) -> None:
        """Write this editor as a nanoedit bundle (atomically: a temporary folder, then a rename)."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            core = self.backbone.core
            adapters = [e.adapter for e in self.registry if e.adapter]
            core_state = _base_state(self.backbone.transformer)
            from nanoedit.backbone.checkpoint import save_weights, write_config

            save_weights(tmp / "transformer", core_state, "diffusion_pytorch_model.safetensors")
            write_config(tmp / "transformer", core.config.to_dict())
            self.backbone.text_encoder.save_pretrained(tmp / "text_encoder")
            experts = {}
            for name in adapters:
                self.backbone.transformer.save_pretrained(tmp / "experts", selected_adapters=[name])
                experts[name] = f"experts/{name}"
                expert = self.registry[next(e.name for e in self.registry if e.adapter == name)]
                if expert.role.value != name or expert.ops - _builtin_ops(expert.role):
                    write_text(tmp / "experts" / name / "expert.json", json.dumps({
                        "name": expert.name, "role": expert.role.value, "ops": sorted(o.value for o in expert.ops),
                        "keywords": sorted(expert.keywords)}, indent=2))  # fmt: skip
            autoencoder = None
            if self.backbone.autoencoder is not None:
                self.backbone.autoencoder.save_pretrained(tmp / "vae")
                autoencoder = "vae"
            write_index(tmp, experts=experts, autoencoder=autoencoder, editor=self.config.model_dump())
            if folder.exists():
                old = folder.with_name(f".{folder.name}.old")
                folder.rename(old)
                tmp.rename(folder)
                shutil.rmtree(old, ignore_errors=True)
            else:
                tmp.rename(folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    @property
    def fingerprint(self) -> str:
        """A hash of every weight and setting an output depends on (cache keys, session files)."""
        if self._fingerprint is None:
            h = hashlib.sha256()
            for module in (self.backbone.transformer, self.backbone.text_encoder, self.backbone.autoencoder):
                if module is None:
                    continue
                for key, tensor in sorted(module.state_dict().items()):
                    h.update(key.encode())
                    h.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
            h.update(self.config.model_dump_json().encode())
            h.update(json.dumps(self.registry.to_json(), sort_keys=True).encode())
            self._fingerprint = h.hexdigest()[:16]
        return self._fingerprint

    # -- one edit ---------------------------------------------------------------------------------

    def plan(self, prompt: str, image: Image.Image, context=None) -> InstructionGraph:
        """The graph for ``prompt``; the context says what the pixels show (a person, when found)."""
        from nanoedit.planner import PlanContext, plan

        if context is None:
            entities = []
            if self._find_person(image) is not None:
                entities.append(EntityRef(noun="person", entity_id="person"))
            context = PlanContext(entities=entities, image_size=image.size)
        graph = (self.planner or plan)(prompt, context=context)
        return graph

    def _find_person(self, image):
        try:
            return self.grounder.person(image)
        except GroundingError:
            return None

    def edit(self, image, prompt_or_graph: str | InstructionGraph, mask=None, seed: int = 0,
             steps: int | None = None, progress: bool = True, *, context=None, memory=None, turn: int = 0,
             cache=None, identity=None, looks=None) -> TurnResult:  # fmt: skip
        """Edit ``image`` (PIL or path) by a prompt or an explicit graph.

        ``mask``: a user mask (PIL image, path or bool array of the image's size) that grounds the
        target. ``context``/``memory``/``turn``/``cache``/``identity``/``looks`` are what a ``Session``
        passes: the planning context, the memory bank, the turn number, the node cache, the first
        turn's identity slot to restore against, and the looks (``experts.looks.Looks``) the picture
        carries over ``image``, its content. A look preset the graph sets becomes a layer over the
        content (``TurnResult.looks``); every other edit changes the content (``TurnResult.content``).
        """
        from nanoedit.experts.base import ExpertInputs
        from nanoedit.experts.grounding import GroundingContext
        from nanoedit.experts.looks import Looks
        from nanoedit.experts.primitives import GENERATIVE_STEPS
        from nanoedit.fusion import MemoryBank, Slot, keep_outside, restore_locked

        started = time.perf_counter()
        timings: dict[str, float] = {}
        source, note = prepare_image(image)
        work = self._working(source)
        user_mask = self._user_mask(mask, source.size, work.size) if mask is not None else None

        t0 = time.perf_counter()
        if isinstance(prompt_or_graph, InstructionGraph):
            graph = InstructionGraph.from_dict(prompt_or_graph.to_dict())  # a copy: versions stay immutable
        elif isinstance(prompt_or_graph, str):
            graph = self.plan(prompt_or_graph, work, context)
        else:
            raise EditorError(f"edit takes a prompt or an InstructionGraph, not {type(prompt_or_graph).__name__}")
        graph.validate()
        order = graph.schedule()
        if not any(n.op is not Op.identity_lock for n in order):
            raise EditorError(f"{prompt_or_graph!r} plans to no edit; say what to change (e.g. 'make the circle blue')")
        timings["plan_ms"] = _ms(t0)

        memory = memory if memory is not None else MemoryBank()
        source_t = to_tensor(work)
        source_px = to_pixels(source_t)
        grounding = GroundingContext(user_mask=user_mask, entities=dict(getattr(context, "masks", {}) or {}))
        ancestors = {n.id: _ancestors(graph, n.id) for n in order}
        slots: dict[str, Slot] = {}
        keys: dict[str, str] = {}
        nodes_trace, masks = [], {}
        lock_mask = None
        route_trace: list[dict] = []
        looks_before = looks if looks is not None else Looks()
        looks_after, look_records = looks_before, []
        for node in order:
            record: dict[str, Any] = {"id": node.id, "op": node.op.value, "role": node.role.value, "label": node.label()}
            t0 = time.perf_counter()
            upstream = [slots[a] for a in ancestors[node.id] if a in slots]
            input_t = self.composer.compose(source_t, upstream, graph.edges) if upstream else source_t
            input_px = to_pixels(input_t)
            input_img = Image.fromarray(input_px, "RGB")
            keys[node.id] = _digest(node.content(), [keys[a] for a in sorted(ancestors[node.id]) if a in keys],
                                    source_px, None if user_mask is None else user_mask.array, seed, steps,
                                    self.fingerprint)  # fmt: skip
            routes = self.router.route(node, route_trace)
            record["route"] = [[name, weight] for name, weight in routes]
            timings_node = {"compose_inputs_ms": _ms(t0)}
            expert = self.registry[routes[0][0]]
            preset = looks_after.after(node) if expert.computes else None
            if preset is not None:  # a layer over the content, applied once the content is done
                looks_after = preset
                record.update(expert=expert.name, adapter=None, program=["look"], looks=preset.to_dict(), retries=[],
                              timings=timings_node)  # fmt: skip
                nodes_trace.append(record)
                look_records.append((node, record))
                continue
            cached = cache.get(keys[node.id]) if cache is not None else None
            if cached is not None:
                output, record_cached = cached
                record.update(record_cached, cache="hit")
            else:
                record["expert"] = expert.name
                with self._adapters(routes, generative=expert.generates(node)) as active:
                    output, checks, attempts, timings_node = self._run(
                        node, expert, ExpertInputs(input_img, input_t, self.backbone, self.grounder, grounding, seed,
                                                   steps, progress, source=work), input_px, lock_mask, timings_node)  # fmt: skip
                # what peft had active, when the program that ran used the model at all
                record["adapter"] = active if GENERATIVE_STEPS & set(output.program) else None
                record.update(program=output.program, checks=checks, retries=attempts, cache="miss")
                if output.target is not None:
                    record["mask"] = output.target.summary()
                if cache is not None:
                    shown = {k: record[k] for k in ("expert", "adapter", "program", "checks", "retries", "mask") if k in record}
                    cache.put(keys[node.id], (output, shown), _nbytes(output))
            record["timings"] = timings_node
            record["key"] = keys[node.id][:16]
            if node.op is Op.identity_lock:
                lock_mask = output.target.array if output.target is not None else None
            if output.target is not None:
                masks[node.id] = output.target
            slot = Slot(node.id, node.role, output.region, output.image, turn=turn, priority=node.priority,
                        features=output.features)  # fmt: skip
            slots[node.id] = memory.write(slot)
            nodes_trace.append(record)

        t0 = time.perf_counter()
        edit_slots = [s for s in slots.values() if s.mask.any()]  # a lock changes nothing
        composed = self.composer.compose(source_t, edit_slots, graph.edges)
        region = np.zeros(source_px.shape[:2], bool)
        for s in edit_slots:
            region |= self._grown(s.mask)
        timings["compose_ms"] = _ms(t0)
        t0, backbone_ms = time.perf_counter(), self.backbone.spent_ms
        seams = self._seams([s.mask for s in edit_slots])
        refined = bool(seams.any() and self.config.refine_strength > 0)
        if refined:
            composed = self.backbone.regenerate(composed, seams, "", seed, steps, strength=self.config.refine_strength)
        timings["refine_ms"] = _ms(t0)
        timings["refine_backbone_ms"] = round(self.backbone.spent_ms - backbone_ms, 2)

        t0 = time.perf_counter()
        edited_px = to_pixels(composed)
        restored = 0
        reference = identity if identity is not None else slots.get(next((n.id for n in order if n.op is Op.identity_lock), ""))
        if reference is not None and "pixels" in reference.features and lock_mask is not None:
            ref_px = to_pixels(reference.features["pixels"])
            ref_lock = reference.features["mask"].numpy().astype(bool)
            if ref_px.shape == edited_px.shape:
                edited_px, restored = restore_locked(ref_px, edited_px, ref_lock & region, self.config.identity_tolerance)
        if work.size != source.size:  # back to the source's size: only the edited region is resampled
            up = Image.fromarray(edited_px, "RGB").resize(source.size, Image.BICUBIC)
            region_full = np.asarray(Image.fromarray(region).resize(source.size, Image.NEAREST))
            final = keep_outside(np.asarray(source), np.asarray(up), region_full)
        else:
            region_full = region
            final = keep_outside(source_px, edited_px, region)
        content = final
        if looks_before or looks_after:  # (a look node sets one, so it is always among these)
            shown_before = self._looked_as(np.asarray(source), looks_before)
            final, region_full = self._looked(shown_before, content, region_full, looks_before, looks_after)
        for node, record in look_records:
            record["checks"] = verify(node, shown_before, final, region_full, None, self.config)
        timings["composite_ms"] = _ms(t0)
        timings["total_ms"] = _ms(started)
        trace = {
            "editor": self.name, "model": self.fingerprint, "seed": seed, "steps": steps or self.config.steps,
            "turn": turn, "prompt": graph.prompt, "input_note": note, "working_size": list(work.size),
            "routing": route_trace, "nodes": nodes_trace, "refined_seams": refined,
            "identity_restored_pixels": restored, "changed_region_pixels": int(region_full.sum()),
            "looks": looks_after.to_dict(), "timings": timings,
        }  # fmt: skip
        return TurnResult(Image.fromarray(final, "RGB"), graph, trace, region_full, masks, list(slots.values()),
                          Image.fromarray(content, "RGB"), looks_after)  # fmt: skip

    def __call__(self, image, instruction: str, mask=None, seed: int = 0) -> Image.Image:
        """The probe-suite protocol: (image, instruction) -> image (one stateless turn; a ``Session``
        keeps the memory of earlier turns)."""
        return self.edit(image, instruction, mask=mask, seed=seed, progress=False).image

    # -- pieces of a turn -------------------------------------------------------------------------

    def _run(self, node, expert, inputs, input_px, lock_mask, timings):
        """The expert's program with retries: a failed check tries the next seed, up to ``retries``."""
        checks, attempts, seed = {}, [], inputs.seed
        for attempt in range(self.config.retries + 1):
            t0, backbone_ms = time.perf_counter(), self.backbone.spent_ms
            inputs.seed = seed + attempt
            output = expert.run(node, inputs)
            suffix = f"_{attempt}" if attempt else ""
            timings[f"expert_ms{suffix}"] = _ms(t0)
            timings[f"backbone_ms{suffix}"] = round(self.backbone.spent_ms - backbone_ms, 2)
            t0 = time.perf_counter()
            checks = verify(node, input_px, to_pixels(output.image), output.region, lock_mask, self.config, self.clip,
                            self.grounder)  # fmt: skip
            timings["verify_ms"] = _ms(t0)
            if checks["passed"] or node.op is Op.identity_lock:
                break
            attempts.append({"seed": inputs.seed, "checks": checks})
        return output, checks, attempts, timings

    def _looked_as(self, content: np.ndarray, looks) -> np.ndarray:
        regions = self.grounder.regions(Image.fromarray(content, "RGB")) if looks.needs_regions else None
        return looks.apply(content, regions)

    def _looked(self, shown_before, content, region, before, after) -> tuple[np.ndarray, np.ndarray]:
        """The edited ``content`` with the looks ``after`` on top, and where it may differ from the
        picture as it was (``shown_before``: the source with the looks ``before``): everywhere when the
        looks changed; else the content's edit, spread as far as the looks spread a change (a pixelated
        block)."""
        shown = self._looked_as(content, after)
        if before != after:
            return shown, np.ones_like(region)
        from nanoedit.fusion import keep_outside

        spread = after.spread(region)
        return keep_outside(shown_before, shown, spread), spread

    def _working(self, image: Image.Image) -> Image.Image:
        """The image at the model's working size (unchanged when it already is that size)."""
        c = self.config
        width, height = image.size
        scale = c.resolution / max(width, height)
        size = tuple(max(c.multiple, round(side * scale / c.multiple) * c.multiple) for side in (width, height))
        return image if size == image.size else image.resize(size, Image.BICUBIC)

    def _user_mask(self, mask, source_size, work_size):
        from nanoedit.experts.grounding import Mask

        user = mask if isinstance(mask, Mask) else Mask.from_image(mask, source_size, provenance="user")
        if source_size != work_size:
            small = Image.fromarray(user.array).resize(work_size, Image.NEAREST)
            user = Mask(np.asarray(small), "user", label="user")
        if not user.array.any():
            raise EditorError("the user mask is empty (all black); paint the region to edit in white")
        return user

    def _grown(self, mask: np.ndarray) -> np.ndarray:
        from nanoedit.experts.regions import dilate

        return dilate(mask, self.config.feather + self.config.margin)

    def _seams(self, masks: list[np.ndarray]) -> np.ndarray:
        """Pixels where two edited regions meet (each region's rim inside another): the refine band."""
        from nanoedit.experts.regions import dilate

        seams = np.zeros(masks[0].shape, bool) if masks else np.zeros((1, 1), bool)
        for i, a in enumerate(masks):
            rim = dilate(a, 1) & ~a
            for j, b in enumerate(masks):
                if i != j:
                    seams |= rim & b
        return dilate(seams, 1) if seams.any() else seams

    # -- adapters ---------------------------------------------------------------------------------

    def _adapters(self, routes, generative: bool = True):
        """Make the routed adapter(s) active on the backbone; yields what peft reports active.
        A program that runs no generative primitive (an identity lock, a repaint) leaves the weights alone."""
        return _ActiveAdapters(self, routes if generative else [])

    def _mix(self, routes) -> str:
        """Soft routing: peft's weighted combination of the routed adapters (made once, then reused)."""
        key = tuple((self.registry[n].adapter, round(w, 4)) for n, w in routes)
        if key not in self._mixes:
            name = "mix-" + "-".join(f"{a}{int(w * 100)}" for a, w in key)
            self.backbone.transformer.add_weighted_adapter([a for a, _ in key], [w for _, w in key], name,
                                                           combination_type="linear")  # fmt: skip
            self._mixes[key] = name
        return self._mixes[key]


class _ActiveAdapters:
    def __init__(self, editor: Editor, routes):
        self.editor, self.routes = editor, routes

    def __enter__(self):
        model = self.editor.backbone.transformer
        self.merged = False
        if not hasattr(model, "peft_config") or not self.routes:
            return None
        adapters = [self.editor.registry[n].adapter for n, _ in self.routes]
        if len(self.routes) > 1 and all(adapters):
            name = self.editor._mix(self.routes)
        else:
            name = adapters[0]
        if name is None:
            model.base_model.disable_adapter_layers()
        else:
            model.base_model.enable_adapter_layers()
            model.set_adapter(name)
            if self.editor.config.merge_adapters:
                # Unmerging subtracts what merging added, which is not exact in floating point; keep the
                # base weights and put them back, so every edit runs on the same bits.
                self.saved = {k: v.clone() for k, v in model.state_dict().items() if "base_layer" in k}
                model.merge_adapter([name])
                self.merged = True
        return active_adapters(model)

    def __exit__(self, *exc):
        model = self.editor.backbone.transformer
        if hasattr(model, "peft_config"):
            if self.merged:
                model.unmerge_adapter()
                model.load_state_dict(self.saved, strict=False)
            model.base_model.enable_adapter_layers()
        return False


def active_adapters(model) -> str | None:
    """What peft's layers report: the adapter(s) that take effect (merged or active), or None."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    found: set[str] = set()
    for module in model.modules():
        if isinstance(module, BaseTunerLayer):
            if module.merged:
                found.update(module.merged_adapters)
            elif not module.disable_adapters:
                found.update(module.active_adapters)
    return "+".join(sorted(found)) or None


# -- bundles --------------------------------------------------------------------------------------


def write_index(folder: Path, *, experts: dict, autoencoder: str | None = None, editor: dict | None = None,
                training: dict | None = None) -> None:  # fmt: skip
    index = {
        "_class_name": BUNDLE_CLASS, "format_version": FORMAT_VERSION, "transformer": "transformer",
        "text_encoder": "text_encoder", "autoencoder": autoencoder, "experts": experts,
        "editor": editor or EditorConfig().model_dump(), "training": training or {},
    }  # fmt: skip
    write_text(Path(folder) / INDEX_NAME, json.dumps(index, indent=2) + "\n")


def write_bundle(folder: Path, transformer, text_encoder, *, roles=(), base=None, training=None, steps=None) -> None:
    """The bundle a training stage writes: stage 1 the base parts, stage 2 the base plus its adapters;
    ``steps``: the editor's default denoising steps (else the base's, or the library default)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    experts = {}
    if roles:
        for part in ("transformer", "text_encoder"):  # the frozen base travels with its experts
            shutil.copytree(Path(base) / part, folder / part, dirs_exist_ok=True)
        if (Path(base) / "train_log.jsonl").is_file():  # and so does the log of how it was trained
            shutil.copyfile(Path(base) / "train_log.jsonl", folder / "base_train_log.jsonl")
        for role in roles:
            transformer.save_pretrained(folder / "experts", selected_adapters=[role])
            experts[role] = f"experts/{role}"
        (folder / "experts" / "README.md").unlink(missing_ok=True)  # peft's empty model-card template
    else:
        transformer.save_pretrained(folder / "transformer")
        text_encoder.save_pretrained(folder / "text_encoder")
    if base:
        editor = read_index(base).get("editor")
    else:
        prediction = (training or {}).get("config", {}).get("model", {}).get("prediction", "velocity")
        editor = EditorConfig(prediction=prediction).model_dump()
    if steps is not None:
        editor = {**editor, "steps": steps}
    write_index(folder, experts=experts, editor=editor, training=training)


def read_index(folder: str | os.PathLike) -> dict:
    path = Path(folder) / INDEX_NAME
    if not path.is_file():
        raise ModelLoadError(f"{path} not found: pass a nanoedit bundle or a diffusers SANA pipeline folder")
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise ModelLoadError(f"{path} must hold a JSON object; re-save the model")
    return raw


def load_components(folder: str | os.PathLike, device=None, dtype=None):
    """The base transformer and text encoder of a nanoedit bundle."""
    from nanoedit.backbone import LinearDiT, ToyTextEncoder

    index = read_index(folder)
    folder = Path(folder)
    transformer = LinearDiT.from_pretrained(folder / _part(folder, index.get("transformer")), device=device, dtype=dtype)
    text_encoder = ToyTextEncoder.from_pretrained(folder / _part(folder, index.get("text_encoder")), device=device)
    return transformer, text_encoder


def _part(folder: Path, name) -> str:
    """A part named in model_index.json: a plain sub-folder inside the bundle, never a path out of it."""
    if not isinstance(name, str) or not name:
        raise ModelLoadError(f"{folder / INDEX_NAME} names a part {name!r}; parts are sub-folder names")
    resolved = (folder / name).resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise ModelLoadError(f"{folder / INDEX_NAME} names the part {name!r}, which lies outside the bundle")
    if not resolved.is_dir():
        raise ModelLoadError(f"{folder} has no part {name!r}; copy the whole bundle")
    return name


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelLoadError(f"{path} not found; copy the whole model folder") from None
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as err:
        raise ModelLoadError(f"{path} is not valid JSON ({err}); re-save the model") from None


def _attach_adapters(transformer, adapters: dict[str, Path]):
    """Load peft adapters onto the transformer (wrapping it in a PeftModel on the first one)."""
    from peft import PeftModel

    for name, path in adapters.items():
        try:
            if hasattr(transformer, "peft_config"):
                transformer.load_adapter(str(path), adapter_name=name)
            else:
                transformer = PeftModel.from_pretrained(transformer, str(path), adapter_name=name)
        except (OSError, ValueError, KeyError, RuntimeError) as err:
            raise ModelLoadError(f"cannot load the adapter {name!r} from {path}: {err}") from None
    transformer.eval()
    return transformer


def _base_state(transformer) -> dict[str, torch.Tensor]:
    """The base weights, without peft's wrappers (what a diffusers transformer folder holds)."""
    if not hasattr(transformer, "peft_config"):
        return transformer.state_dict()
    state = {}
    for key, value in transformer.get_base_model().state_dict().items():
        if "lora_" in key:
            continue
        state[key.replace(".base_layer.", ".")] = value
    return state


def _builtin_ops(role: Role):
    from nanoedit.experts.registry import ROLE_CLAIMS

    return ROLE_CLAIMS[role]


def _ancestors(graph: InstructionGraph, node_id: str) -> list[str]:
    import networkx as nx

    return sorted(nx.ancestors(graph.graph, node_id))


def _nbytes(output) -> int:
    tensors = [output.image, *output.features.values()]
    return output.region.nbytes + sum(t.numel() * t.element_size() for t in tensors)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


# -- CLI ------------------------------------------------------------------------------------------


def add_commands(commands) -> None:
    edit = commands.add_parser("edit", help="edit an image by an instruction (embedded model or --model DIR)")
    edit.add_argument("image", help="IMG: the image to edit (PNG, JPEG, ...)")
    edit.add_argument("prompt", help="the instruction, e.g. \"make the circle blue\"")
    edit.add_argument("-o", "--out", required=True, help="OUT: where to write the edited PNG")
    edit.add_argument("--mask", help="a mask image (white = the region to edit) of the image's size")
    edit.add_argument("--model", help="a nanoedit bundle or diffusers SANA pipeline folder (default: embedded)")
    edit.add_argument("--seed", type=int, default=0)
    edit.add_argument("--steps", type=_positive_int, help="denoising steps (default: the model's)")
    edit.add_argument("--save-trace", metavar="T.json", help="write the trace (routes, masks, checks) as JSON")
    edit.set_defaults(handler=_edit_command)


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"{value} is out of range; use 1 to 1000")
    return value


def _output_file(path: str, what: str) -> Path:
    from nanoedit.io import prepare_output_dir

    target = Path(path)
    if target.is_dir():
        raise EditorError(f"{what} {path} is a folder; give a file name such as {Path(path) / 'out.png'}")
    prepare_output_dir(target.parent if str(target.parent) else ".", what=f"folder of {what}")
    return target


def _edit_command(args) -> int:
    from nanoedit.io import save_image

    out = _output_file(args.out, "the output")
    trace_path = _output_file(args.save_trace, "the trace file") if args.save_trace else None
    editor = Editor.from_pretrained(args.model) if args.model else Editor.default()
    result = editor.edit(args.image, args.prompt, mask=args.mask, seed=args.seed, steps=args.steps,
                         progress=not args.quiet)  # fmt: skip
    save_image(out, result.image)
    if trace_path is not None:
        result.save_trace(trace_path)
    for record in result.trace["nodes"]:
        route = ", ".join(f"{name} {weight:.2f}" for name, weight in record["route"])
        verdict = "ok" if record.get("checks", {}).get("passed", True) else "CHECK FAILED"
        print(f"  {record['id']:<14} {record['label']:<40} -> {route} (adapter {record.get('adapter')}) {verdict}")
    print(f"wrote {out}")
    return 0


__all__ = ["Editor", "EditorConfig", "TurnResult"]
