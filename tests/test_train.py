"""The training recipe: seeded, resumable, EMA, both stages, and data parallel on 2 CPU processes (gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from safetensors.torch import load_file

from nanoedit.train import TrainConfig, TrainError, node_triplet, train

pytestmark = pytest.mark.usefixtures("single_thread")
TINY = {"width": 16, "heads": 2, "layers": 1, "patch_size": 4, "text_width": 16, "text_layers": 1}


def config(out: Path, **overrides) -> TrainConfig:
    fields = dict(stage="base", out=str(out), steps=4, batch_size=2, warmup=1, checkpoint_every=2, threads=1,
                  vocab_samples=30, history=0, model=TINY)  # fmt: skip
    return TrainConfig(**{**fields, **overrides})


def weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_file(folder / "checkpoint" / "weights.safetensors")


def test_a_resumed_run_ends_where_an_uninterrupted_one_does(tmp_path):
    (tmp_path / "straight").mkdir()
    (tmp_path / "straight" / "train_log.jsonl").write_text('{"step": 99}\n')  # an older run's log
    train(config(tmp_path / "straight"), progress=False)
    assert [json.loads(line)["step"] for line in (tmp_path / "straight" / "train_log.jsonl").read_text().splitlines()] == [2, 4]
    train(config(tmp_path / "resumed", steps=2), progress=False)
    train(config(tmp_path / "resumed"), resume=True, progress=False)
    a, b = weights(tmp_path / "straight"), weights(tmp_path / "resumed")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    log = [json.loads(line) for line in (tmp_path / "resumed" / "train_log.jsonl").read_text().splitlines()]
    assert [entry["step"] for entry in log] == [2, 4]


def test_the_bundle_holds_the_ema_not_the_last_weights(tmp_path):
    from nanoedit.editor import load_components

    out = train(config(tmp_path / "run", ema_decay=0.9), progress=False)
    transformer, _ = load_components(out)
    last = weights(tmp_path / "run")
    ema = load_file(tmp_path / "run" / "checkpoint" / "ema.safetensors")
    key = "transformer.proj_out.weight"
    shipped = transformer.state_dict()["proj_out.weight"]
    assert torch.equal(shipped, ema[key].to(shipped.dtype)) and not torch.equal(shipped, last[key])


def test_a_continued_run_starts_from_its_init_bundle(tmp_path):
    from nanoedit.editor import load_components

    first = train(config(tmp_path / "first"), progress=False)
    # zero steps: the exported weights are the init bundle's, unchanged (and not a fresh initialisation)
    again = train(config(tmp_path / "again", init=str(first), steps=0), progress=False)
    shipped, carried = load_components(first)[0].state_dict(), load_components(again)[0].state_dict()
    assert shipped.keys() == carried.keys() and all(torch.equal(shipped[k], carried[k]) for k in shipped)
    assert shipped["proj_out.weight"].abs().sum() > 0  # a fresh residual model starts with a zero head
    moved = train(config(tmp_path / "moved", init=str(first), steps=2), progress=False)
    assert not torch.equal(load_components(moved)[0].state_dict()["proj_out.weight"], shipped["proj_out.weight"])
    with pytest.raises(TrainError, match="prediction"):
        train(config(tmp_path / "other", init=str(first), model={**TINY, "prediction": "velocity"}), progress=False)


def test_stage_two_trains_only_the_adapters_one_role_per_step(tmp_path):
    base = train(config(tmp_path / "base"), progress=False)
    out = train(config(tmp_path / "experts", stage="experts", base=str(base), steps=3, lora={"rank": 2, "alpha": 2},
                       sampling_steps=3), progress=False)  # fmt: skip
    index = json.loads((out / "model_index.json").read_text())
    assert sorted(index["experts"]) == ["identity", "object", "style"]
    assert index["editor"]["steps"] == 3 and json.loads((base / "model_index.json").read_text())["editor"]["steps"] == 8
    # The bundle carries both stages' logs, each from its own run only, and no peft template card.
    assert (out / "base_train_log.jsonl").read_text() == (base / "train_log.jsonl").read_text()
    assert [json.loads(line)["step"] for line in (out / "train_log.jsonl").read_text().splitlines()] == [2, 3]
    assert not (out / "experts" / "README.md").exists()
    state = weights(tmp_path / "experts")
    assert state and all("lora_" in k for k in state)
    initial_b = {k: v for k, v in state.items() if "lora_B" in k}
    # lora_B starts at zero; after one step per role every role's B has moved.
    for role in ("identity", "object", "style"):
        assert any(v.abs().sum() > 0 for k, v in initial_b.items() if f".{role}." in k), role
    assert load_file(base / "transformer" / "diffusion_pytorch_model.safetensors").keys() == load_file(
        out / "transformer" / "diffusion_pytorch_model.safetensors").keys()  # fmt: skip


def test_training_regions_cover_every_changed_pixel():
    """The region the editor regenerates holds the whole change, for every op the model learns.

    A background shows through a few pinholes the renderer leaves inside shapes (a star's centre):
    those few pixels may lie outside its region."""
    from nanoedit.train import GENERATIVE_OPS

    seen = set()
    for seed in range(60):
        item = node_triplet(seed, 64, GENERATIVE_OPS, history=1)
        change = (item["source"] - item["target"]).abs().amax(dim=0) > 0
        missed = int((change & ~(item["region"][0] > 0)).sum())
        if item["op"] == "background":
            assert missed <= 0.01 * int(change.sum()), item["prompt"]
        else:
            assert missed == 0, item["prompt"]
        seen.add(item["op"])
    assert len(seen) >= 8  # most ops were drawn


def test_op_weights_draw_more_of_the_weighted_ops():
    from collections import Counter

    from nanoedit.graphs import Op

    ops, n = (Op.recolor, Op.tone), 160
    weighted = Counter(node_triplet(seed, 64, ops, history=0, weights=[9.0, 1.0])["op"] for seed in range(n))
    uniform = Counter(node_triplet(seed, 64, ops, history=0)["op"] for seed in range(n))
    # A recolor needs an object (a scene may have none, and the op is drawn again), so its share sits
    # under 9/10 and 1/2 (about 0.8 and 0.5); the bounds are over 3 standard deviations away at n = 160,
    # and unweighted draws (about 0.5) fail the first.
    assert weighted["recolor"] >= 0.7 * n and 0.25 * n <= uniform["recolor"] <= 0.65 * n, (weighted, uniform)


def test_bad_configs_are_typed_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("stage: base\nout: x\nsteps: -1\n")
    with pytest.raises(TrainError, match="not a training config"):
        TrainConfig.load(bad)
    bad.write_text("stage: experts\nout: x\nsteps: 1\nmodel: {width: 16, heads: 2, layers: 1}\n")
    with pytest.raises(TrainError, match="base"):
        train(TrainConfig.load(bad), progress=False)
    for weights, message in (("{move: 2}", "not a trained op"), ("{tone: 0}", "must be > 0")):
        bad.write_text(f"stage: base\nout: x\nsteps: 1\nop_weights: {weights}\n")
        with pytest.raises(TrainError, match=message):
            TrainConfig.load(bad)
    with pytest.raises(TrainError, match="multiple"):
        train(config(tmp_path / "odd", model={**TINY, "width": 15}), progress=False)


def test_data_parallel_on_two_cpu_processes(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(config(tmp_path / "ddp", steps=2).model_dump()))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         "-m", "nanoedit.train", str(recipe), "-q"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "world size 2" in done.stdout
    index = json.loads((tmp_path / "ddp" / "model_index.json").read_text())
    assert index["training"]["steps"] == 2
