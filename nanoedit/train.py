"""``nanoedit train CONFIG.yaml``: train the embedded editing model on the toy world, nanoGPT-style.

- **Stage 1 (``stage: base``):** a ``LinearDiT`` in pixel space and a ``ToyTextEncoder``, trained
  together with the rectified-flow loss on toy-world node triplets: the model sees the noisy target,
  the source image and the node's edit region (channel concat, InstructPix2Pix-style) and the node's
  canonical prompt; the loss weighs the region more, since outside it the editor restores the source.
- **Stage 2 (``stage: experts``):** one peft LoRA adapter per role (identity, object, style) on that
  role's triplets, the base frozen. Each step trains one role (the same on every rank).

Training may use the scene's ground-truth masks (regions come from ``experts.regions.edit_region``
fed the toy world's masks); at inference the editor grounds the same regions from pixels.

Runs are seeded and resumable (``checkpoint/`` every ``checkpoint_every`` steps, ``--resume``), keep
an EMA of the weights (the EMA is what ships), show the loss on a progress bar, and run data
parallel under ``torchrun --nproc_per_node N`` (gloo on CPU, nccl on GPU).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import time
from pathlib import Path
from typing import Literal

import numpy as np
import torch
import torch.distributed as dist
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator
from tqdm.auto import tqdm

from nanoedit.errors import NanoeditError, SceneError
from nanoedit.graphs import Op, Role

ROLE_OPS: dict[str, tuple[Op, ...]] = {
    # The identity expert runs the edits of the subject itself, where its look must be kept.
    Role.identity.value: (Op.attribute, Op.pose),
    Role.object.value: (Op.add, Op.remove, Op.recolor, Op.replace, Op.resize),
    Role.style.value: (Op.background, Op.lighting, Op.tone, Op.style),
}
GENERATIVE_OPS = tuple(op for ops in ROLE_OPS.values() for op in ops)


class TrainError(NanoeditError):
    """A training config or checkpoint cannot be used."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelShape(_Strict):
    width: int = Field(128, ge=8, le=4096)
    heads: int = Field(4, ge=1, le=64)
    layers: int = Field(8, ge=1, le=64)
    patch_size: int = Field(4, ge=1, le=16)
    mlp_ratio: float = Field(2.5, gt=0, le=8)
    text_width: int = Field(64, ge=8, le=1024)
    text_layers: int = Field(2, ge=1, le=12)
    text_max_length: int = Field(16, ge=4, le=128)
    # "residual": the network predicts the clean image as the source plus a change, and the velocity
    # is derived from it (x-prediction with the velocity loss, as in JiT). A pixel-space model with
    # 4x4 patches cannot pass the noise through its tokens (predicting the velocity left every sample
    # noisy), and copying the source through six blocks is slow to learn; an edit is a small change.
    prediction: Literal["velocity", "sample", "residual"] = "residual"


class LoraShape(_Strict):
    rank: int = Field(8, ge=1, le=256)
    alpha: float = Field(8.0, gt=0)
    target_modules: list[str] = Field(
        default_factory=lambda: ["to_q", "to_k", "to_v", "to_out.0", "conv_inverted", "conv_point"]
    )


class TrainConfig(_Strict):
    stage: Literal["base", "experts"]
    out: str
    seed: int = 0
    size: int = 64
    steps: int = Field(ge=0)
    batch_size: int = Field(32, ge=1)
    lr: float = Field(3e-4, gt=0)
    warmup: int = Field(200, ge=0)
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    ema_decay: float = Field(0.999, ge=0, lt=1)
    # The loss is the mean error inside each example's edit region plus this much of the mean error
    # outside it (which the editor restores from the source anyway). Normalising per region keeps a
    # 60-pixel recolour as loud as a whole-image tone change; a per-pixel mean let global edits drown
    # every local one (the model learned tone and lighting, and left objects as they were).
    outside_weight: float = Field(0.1, ge=0)
    text_drop: float = Field(0.1, ge=0, le=1)  # prompt dropout, for classifier-free guidance
    # "x0": the velocity error weighted by sigma^2, i.e. the error of the implied clean image, the same
    # at every noise level. An edit is decided at high noise, where the unweighted velocity loss of an
    # x-predicting model puts ~1/sigma^2 less weight than on the near-trivial low-noise denoising
    # (trained that way, the model learned to denoise and hardly to edit).
    loss_weighting: Literal["velocity", "x0"] = "x0"
    logit_mean: float = Field(0.0, ge=-3, le=3)  # > 0 draws more high-noise levels (SD3's logit-normal)
    history: int = Field(2, ge=0, le=4)  # up to this many earlier edits make the source scene
    # How often each op is drawn, relative to 1 for an op not listed: more of the edits a model fails.
    op_weights: dict[Op, float] = Field(default_factory=dict)
    vocab_samples: int = Field(3000, ge=1)  # training edits read to collect the prompt words
    checkpoint_every: int = Field(250, ge=1)
    time_limit_s: float | None = None  # stop (with a checkpoint) after this much wall time
    threads: int | None = None
    # bf16 autocast (fp32 master weights): ~1.8x faster steps on a CPU with avx512_bf16, as on a GPU.
    precision: Literal["fp32", "bf16"] = "bf16"
    model: ModelShape = Field(default_factory=ModelShape)
    lora: LoraShape = Field(default_factory=LoraShape)
    base: str | None = None  # stage 2: the stage-1 bundle folder
    init: str | None = None  # stage 1: start from this stage-1 bundle's weights (a longer second run)
    sampling_steps: int | None = Field(None, ge=1, le=1000)  # the bundle's default denoising steps
    checkpoint_dir: str | None = None  # default: <out>/checkpoint

    @field_validator("op_weights")
    @classmethod
    def _generative_ops(cls, weights: dict[Op, float]) -> dict[Op, float]:
        for op, weight in weights.items():
            if op not in GENERATIVE_OPS:
                raise ValueError(f"op_weights: {op.value!r} is not a trained op; use one of "
                                 f"{', '.join(o.value for o in GENERATIVE_OPS)}")
            if weight <= 0:
                raise ValueError(f"op_weights: {op.value} weighs {weight}; a weight must be > 0 (leave an op out for 1)")
        return weights

    @classmethod
    def load(cls, path: str | os.PathLike) -> TrainConfig:
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as err:
            raise TrainError(f"cannot read training config {path}: {err}") from err
        try:
            config = cls.model_validate(raw)
        except ValueError as err:
            raise TrainError(f"{path} is not a training config: {err}") from err
        out = Path(config.out)
        if not out.is_absolute():  # relative to the config file, so a recipe runs from anywhere
            config.out = str((path.parent / out).resolve())
        for field in ("base", "init", "checkpoint_dir"):
            value = getattr(config, field)
            if value and not Path(value).is_absolute():
                setattr(config, field, str((path.parent / value).resolve()))
        return config


# -- data -----------------------------------------------------------------------------------------


def _seed(*parts) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:16], 16)


def node_triplet(
    seed: int, size: int, ops: tuple[Op, ...], history: int, split: str = "train", weights: list[float] | None = None
) -> dict:
    """One training example: a source scene (after up to ``history`` random edits), one edit node of
    ``ops`` (drawn by ``weights``, uniformly without) on it, the exact target render and the region the
    editor would regenerate."""
    from nanoedit.experts.base import node_prompt
    from nanoedit.experts.regions import edit_region
    from nanoedit.toyworld import Scene, render, single_edit
    from nanoedit.toyworld.datasets import split_of, to_tensor

    rng = random.Random(seed)
    for _ in range(100):
        scene = Scene.random(rng.getrandbits(48), size=size)
        if split_of(scene) != split:
            continue
        try:
            for _ in range(rng.randint(0, history)):
                scene = single_edit(scene, rng).target
            # rng.choice without weights keeps the draws of the recipes trained before op weights existed
            op = rng.choice(ops) if weights is None else rng.choices(ops, weights)[0]
            sample = single_edit(scene, rng, ops=[op])
        except SceneError:
            continue
        break
    else:
        raise TrainError("could not draw a training edit in 100 tries; widen the config's ops")
    node = next(n for n in sample.graph.nodes if n.op is not Op.identity_lock)
    before, after = render(sample.source), render(sample.target)
    target = true_target(sample.source, node, before)
    region = edit_region(
        node, size, target=target, person=before.masks["character"], background=before.masks["background"]
    )
    return {
        "source": to_tensor(before.image),
        "target": to_tensor(after.image),
        "region": torch.from_numpy(region).float()[None],
        "prompt": node_prompt(node),
        "op": node.op.value,
    }


def true_target(scene, node, rendering=None):
    """The ground-truth mask of ``node``'s target in ``scene`` (for ``add``: the box of its cell), or
    None for edits of the person or the whole image: what grounding finds from pixels at inference."""
    from nanoedit.experts.regions import OBJECT_BOX, centred_box
    from nanoedit.toyworld import render
    from nanoedit.toyworld.render import CELL_CENTRE

    size = scene.size
    if node.op is Op.add:
        cx, cy = CELL_CENTRE[node.params.position]
        return centred_box(size, cx * size, cy * size, OBJECT_BOX)
    if node.op.needs_target and node.op not in (Op.attribute, Op.pose):
        return (rendering or render(scene)).masks[scene.resolve(node.target).id]
    return None


def batch_of(
    seeds: list[int], size: int, ops: tuple[Op, ...], history: int, weights: dict[Op, float] | None = None
) -> dict:
    draw = [weights.get(op, 1.0) for op in ops] if weights else None
    items = [node_triplet(s, size, ops, history, weights=draw) for s in seeds]
    batch = {k: torch.stack([it[k] for it in items]) for k in ("source", "target", "region")}
    batch["prompt"] = [it["prompt"] for it in items]
    return batch


def prompt_vocabulary(size: int, n: int = 3000) -> list[str]:
    """Every word the node prompts of the toy world's edits use (drawn from ``n`` training edits)."""
    from nanoedit.backbone.text_encoder import WordTokenizer
    from nanoedit.experts.base import node_prompt
    from nanoedit.toyworld import Scene, single_edit

    words: set[str] = set()
    rng = random.Random(0)
    for index in range(n):
        sample = single_edit(Scene.random(index, size=size), rng)
        for node in sample.graph.nodes:
            words.update(WordTokenizer.split(node_prompt(node)))
    return sorted(words)


# -- model ----------------------------------------------------------------------------------------


class EditModel(torch.nn.Module):
    """The trainable pair: text encoder + DiT. ``forward`` gives the velocity (one module for DDP)."""

    def __init__(self, transformer, text_encoder):
        super().__init__()
        self.transformer, self.text_encoder = transformer, text_encoder

    def forward(self, model_in, prompts: list[str], timestep):
        text, mask = self.text_encoder.encode(prompts)
        return self.transformer(model_in, text, timestep, mask)


def build_base(config: TrainConfig):
    from nanoedit.backbone import LinearDiT, LinearDiTConfig, ToyTextEncoder, ToyTextEncoderConfig

    shape = config.model
    if shape.width % shape.heads:
        raise TrainError(f"model.width {shape.width} is not a multiple of model.heads {shape.heads}")
    text_encoder = ToyTextEncoder(ToyTextEncoderConfig(
        vocab=prompt_vocabulary(config.size, config.vocab_samples), hidden_size=shape.text_width, num_layers=shape.text_layers,
        num_heads=4, max_length=shape.text_max_length,
    ))  # fmt: skip
    head_dim = shape.width // shape.heads
    transformer = LinearDiT(LinearDiTConfig(
        in_channels=3, out_channels=3, num_attention_heads=shape.heads, attention_head_dim=head_dim,
        num_layers=shape.layers, num_cross_attention_heads=shape.heads, cross_attention_head_dim=head_dim,
        cross_attention_dim=shape.width, caption_channels=shape.text_width, mlp_ratio=shape.mlp_ratio,
        sample_size=config.size, patch_size=shape.patch_size, interpolation_scale=1.0,
    ))  # fmt: skip
    # Source image (3) + region (1), concatenated to the noisy image; zero-initialised.
    transformer.expand_input_channels(4)
    if shape.prediction == "residual":  # start as the identity edit: x0 = the source exactly
        torch.nn.init.zeros_(transformer.proj_out.weight)
        torch.nn.init.zeros_(transformer.proj_out.bias)
    return EditModel(transformer, text_encoder)


def condition(source: torch.Tensor, region: torch.Tensor) -> torch.Tensor:
    """The image condition every generative primitive passes: the source and the region as +-1."""
    return torch.cat([source, region * 2 - 1], dim=1)


def to_velocity(
    output: torch.Tensor, noisy: torch.Tensor, sigma: torch.Tensor, prediction: str,
    source: torch.Tensor | None = None, floor: float = 1e-4,
) -> torch.Tensor:
    """The network's output as a velocity ``noise - x0``.

    ``velocity``: the output itself; ``sample``: the output is x0; ``residual``: x0 is ``source`` plus
    the output. Then ``v = (x - x0) / sigma``; training floors sigma at ``TRAIN_SIGMA_FLOOR`` (the loss
    weight of the x-error grows as 1/sigma^2), sampling needs the exact ratio or its last steps would
    stop short of the prediction."""
    if prediction == "velocity":
        return output
    x0 = output if prediction == "sample" else source + output
    return (noisy - x0) / sigma.clamp(min=floor)


TRAIN_SIGMA_FLOOR = 0.05


def flow_loss(model, batch: dict, generator: torch.Generator, config: TrainConfig) -> torch.Tensor:
    from nanoedit.backbone.training import sample_logit_normal

    x0, region = batch["target"], batch["region"]
    prompts = [
        "" if torch.rand((), generator=generator) < config.text_drop else p for p in batch["prompt"]
    ]
    noise = torch.randn(x0.shape, generator=generator)
    sigma = sample_logit_normal(x0.shape[0], mean=config.logit_mean, generator=generator)[:, None, None, None]
    noisy = torch.lerp(x0, noise, sigma)
    model_in = torch.cat([noisy, condition(batch["source"], region)], dim=1)
    output = model(model_in, prompts, sigma.flatten() * 1000)
    velocity = to_velocity(output, noisy, sigma, config.model.prediction, batch["source"], floor=TRAIN_SIGMA_FLOOR)
    error = velocity - (noise - x0)
    if config.loss_weighting == "x0":
        error = error * sigma
    squared = error.pow(2).mean(dim=1, keepdim=True)  # per pixel
    return (_mean_over(squared, region) + config.outside_weight * _mean_over(squared, 1 - region)).mean()


def _mean_over(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per example, the mean of (B, 1, H, W) ``values`` where ``mask`` is 1 (0 for an empty mask)."""
    return (values * mask).sum(dim=(1, 2, 3)) / mask.sum(dim=(1, 2, 3)).clamp(min=1)


# -- the loop -------------------------------------------------------------------------------------


class Ema:
    def __init__(self, params: dict[str, torch.Tensor], decay: float):
        self.decay = decay
        self.shadow = {k: v.detach().clone().float() for k, v in params.items()}

    @torch.no_grad()
    def update(self, params: dict[str, torch.Tensor], step: int) -> None:
        decay = min(self.decay, (1 + step) / (10 + step))  # warm start: early EMA follows the weights
        for k, v in params.items():
            self.shadow[k].lerp_(v.detach().float(), 1 - decay)


def _lr(config: TrainConfig, step: int) -> float:
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    progress = (step - config.warmup) / max(1, config.steps - config.warmup)
    return config.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def _trainable(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: p for k, p in module.named_parameters() if p.requires_grad}


def train(config: TrainConfig, resume: bool = False, progress: bool = True) -> Path:
    """Run one stage; returns the bundle folder it wrote (``config.out``)."""
    from safetensors.torch import load_file, save_file

    from nanoedit.io import atomic_path, write_text

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu")
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)

    out = Path(config.out)
    ckpt = Path(config.checkpoint_dir) if config.checkpoint_dir else out / "checkpoint"
    model, roles = _build_stage(config)
    model.to(device)
    if rank == 0:
        n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
        print(f"stage {config.stage}: {n_train / 1e6:.2f}M trainable parameters, world size {world}")
    params = _trainable(model)
    optimizer = torch.optim.AdamW(params.values(), lr=config.lr, weight_decay=config.weight_decay)
    ema = Ema(params, config.ema_decay)
    step = 0
    if resume and (ckpt / "state.json").is_file():
        state = json.loads((ckpt / "state.json").read_text())
        weights = load_file(ckpt / "weights.safetensors")
        shadow = load_file(ckpt / "ema.safetensors")
        if set(weights) != set(params):
            raise TrainError(f"{ckpt} holds another model's weights; start a new run without --resume")
        with torch.no_grad():
            for k, p in params.items():
                p.copy_(weights[k])
        ema.shadow = {k: v.float() for k, v in shadow.items()}
        optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
        step = state["step"]
        if rank == 0:
            print(f"resumed from {ckpt} at step {step}")
    if step == 0 and rank == 0:  # a new run starts a new log (a resumed one appends to its own)
        (out / "train_log.jsonl").unlink(missing_ok=True)
    ddp = torch.nn.parallel.DistributedDataParallel(
        model, find_unused_parameters=config.stage == "experts"  # inactive adapters get no gradient
    ) if distributed else model  # fmt: skip

    def save_checkpoint():
        if rank != 0:
            return
        ckpt.mkdir(parents=True, exist_ok=True)
        for name, tensors in (("weights", params), ("ema", ema.shadow)):
            with atomic_path(ckpt / f"{name}.safetensors") as tmp:
                save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, tmp)
        with atomic_path(ckpt / "optimizer.pt") as tmp:
            torch.save(optimizer.state_dict(), tmp)
        write_text(ckpt / "state.json", json.dumps({"step": step, "config": config.model_dump()}, indent=2))

    started = time.time()
    bar = tqdm(total=config.steps, initial=step, disable=not progress or rank != 0, desc=config.stage)
    losses: list[float] = []
    while step < config.steps:
        role = roles[step % len(roles)] if roles else None
        if role is not None:
            _activate(model, role)
        ops = ROLE_OPS[role] if role else GENERATIVE_OPS
        seeds = [_seed(config.seed, step, rank, i) for i in range(config.batch_size)]
        batch = batch_of(seeds, config.size, ops, config.history, config.op_weights)
        batch = {k: v.to(device) if torch.is_tensor(v) else v for k, v in batch.items()}
        generator = torch.Generator().manual_seed(_seed(config.seed, "noise", step, rank) % 2**63)
        for group in optimizer.param_groups:
            group["lr"] = _lr(config, step)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=config.precision == "bf16"):
            loss = flow_loss(ddp, batch, generator, config)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params.values(), config.grad_clip)
        optimizer.step()
        ema.update(params, step)
        step += 1
        losses.append(loss.item())
        bar.update(1)
        bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}", role=role or "base")
        out_of_time = config.time_limit_s is not None and time.time() - started > config.time_limit_s
        if step % config.checkpoint_every == 0 or step == config.steps or out_of_time:
            save_checkpoint()
            if rank == 0:
                _log(out, step, float(np.mean(losses[-config.checkpoint_every :])), time.time() - started)
        if out_of_time:
            break
    bar.close()
    if rank == 0:
        _export(config, model, ema, roles, step, time.time() - started)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()
    return out


def _log(out: Path, step: int, loss: float, elapsed: float) -> None:
    out.mkdir(parents=True, exist_ok=True)  # the checkpoint may live elsewhere (checkpoint_dir)
    with open(out / "train_log.jsonl", "a") as log:
        log.write(json.dumps({"step": step, "loss": round(loss, 6), "elapsed_s": round(elapsed, 1)}) + "\n")


def _build_stage(config: TrainConfig):
    """The model to train and the roles stepped through (none in stage 1)."""
    from nanoedit.editor import load_components, read_index

    if config.stage == "base":
        if config.init is None:
            return build_base(config), []
        trained_as = read_index(config.init).get("editor", {}).get("prediction")
        if trained_as != config.model.prediction:
            raise TrainError(f"{config.init} predicts {trained_as!r}, the config {config.model.prediction!r}; "
                             "set model.prediction to match")
        return EditModel(*load_components(config.init)), []
    if not config.base:
        raise TrainError("stage 'experts' trains adapters on a base model: set `base:` to the stage-1 bundle")
    from peft import LoraConfig, get_peft_model

    transformer, text_encoder = load_components(config.base)
    for p in (*transformer.parameters(), *text_encoder.parameters()):
        p.requires_grad_(False)
    roles = list(ROLE_OPS)
    lora = LoraConfig(r=config.lora.rank, lora_alpha=config.lora.alpha, target_modules=config.lora.target_modules)
    peft_model = get_peft_model(transformer, lora, adapter_name=roles[0])
    for role in roles[1:]:
        peft_model.add_adapter(role, lora)
    model = EditModel(peft_model, text_encoder)
    for name, p in model.named_parameters():
        p.requires_grad_("lora_" in name)
    return model, roles


def _activate(model: EditModel, role: str) -> None:
    model.transformer.set_adapter(role)
    # peft freezes the inactive adapters; DDP needs one fixed set of trainable parameters, so keep all
    # adapters trainable (only the active one receives gradients).
    for name, p in model.named_parameters():
        if "lora_" in name:
            p.requires_grad_(True)


def _export(config: TrainConfig, model: EditModel, ema: Ema, roles: list[str], step: int, elapsed: float) -> None:
    """Write the bundle (EMA weights) that ``Editor.from_pretrained`` reads."""
    from nanoedit.editor import write_bundle

    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in ema.shadow:
                p.copy_(ema.shadow[name].to(p.dtype))
    summary = {"stage": config.stage, "steps": step, "wall_time_s": round(elapsed, 1), "config": config.model_dump()}
    write_bundle(Path(config.out), model.transformer, model.text_encoder, roles=roles, base=config.base,
                 training=summary, steps=config.sampling_steps)  # fmt: skip


# -- CLI ------------------------------------------------------------------------------------------


def add_commands(commands) -> None:
    command = commands.add_parser("train", help="train the embedded model from a recipe (configs/*.yaml)")
    command.add_argument("config", type=Path, help="CONFIG.yaml (stage: base | experts), or `planner` for the op gate")
    command.add_argument("--resume", action="store_true", help="continue from the run's checkpoint/")
    command.add_argument("--steps", type=int, help="override the config's steps")
    command.add_argument("--time-limit", type=float, help="stop after this many seconds (checkpointed)")
    command.add_argument("--export", type=Path, metavar="DIR",
                         help="write the run's checkpoint (EMA weights) as a bundle to DIR, without training")
    command.add_argument("--labelled", type=Path, metavar="DIR",
                         help="planner only: the hand-labelled dev* sets (default: the repo's benchmarks/data)")
    command.add_argument("--corpora", type=Path, metavar="DIR",
                         help="planner only: the public corpora (default: ../shared/benchmarks)")
    command.add_argument("--out", type=Path, metavar="DIR", help="planner only: where the gate goes (default: planner/)")
    command.set_defaults(handler=_train)


def _train(args: argparse.Namespace) -> int:
    if str(args.config) == "planner":  # the planner's op gate: a small text classifier, seconds on a CPU
        from nanoedit.planner.gate import CONFIG, DEFAULT_CORPORA, DEFAULT_LABELLED, HERE, WEIGHTS, train_gate

        out = train_gate(args.out or HERE, args.corpora or DEFAULT_CORPORA, args.labelled or DEFAULT_LABELLED)
        print(f"wrote {out / WEIGHTS} and {out / CONFIG}")
        return 0
    config = TrainConfig.load(args.config)
    if args.steps is not None:
        config.steps = args.steps
    if args.time_limit is not None:
        config.time_limit_s = args.time_limit
    if args.export is not None:
        config.checkpoint_dir = config.checkpoint_dir or str(Path(config.out) / "checkpoint")
        if not (Path(config.checkpoint_dir) / "state.json").is_file():
            raise TrainError(f"no checkpoint in {config.checkpoint_dir} to export; train first")
        config.out = str(args.export)
        config.steps = 0
        out = train(config, resume=True, progress=False)
    else:
        out = train(config, resume=args.resume, progress=not args.quiet)
    if int(os.environ.get("RANK", "0")) == 0:
        print(f"wrote {out}")
    return 0


def _main() -> None:  # ``torchrun -m nanoedit.train CONFIG``: the same command, one process per rank
    parser = argparse.ArgumentParser(prog="nanoedit.train")
    parser.add_argument("config", type=Path)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--time-limit", type=float)
    parser.add_argument("--export", type=Path)
    parser.add_argument("-q", "--quiet", action="store_true")
    raise SystemExit(_train(parser.parse_args()))


if __name__ == "__main__":
    _main()
