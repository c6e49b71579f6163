"""Pipeline-level figures: LinearDiT inside diffusers' SanaPipeline, and the cost of a LoRA.

    nice -n 10 python benchmarks/pipeline.py               # CPU, ~3-5 min
    nice -n 10 python benchmarks/pipeline.py --only lora   # one group of rows

Rows (goals from issue 9):
  LinearDiT inside diffusers' SanaPipeline / diffusers' own transformer, same weights, one run  (<= 0.8 CPU)
  LoRA active: forward time / without LoRA, unmerged and merged                               (report both)
  planner + grounding + routing + fusion + verifier, as a share of a whole edit              (<= 5%)

Each row group is a function in ``ROWS``: it takes the parsed args and returns ``Row``s plus a JSON
fragment; add a group by appending a function. Timings interleave the compared variants and report
medians, so background load (this machine is shared with a training job) hits them alike. Prints a
table and writes JSON (``--out``, default benchmarks/results/pipeline.json).
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from table import finish  # benchmarks/, beside this script

from nanoedit.backbone import LinearDiT, LinearDiTConfig

ROOT = Path(__file__).resolve().parent.parent

# The transformer of the pipeline row: the backbone benchmark's small config (8 heads x 32, 4 layers),
# big enough that it dominates a run next to the tiny random DC-AE and one-layer Gemma-2.
PIPELINE_TRANSFORMER = dict(
    in_channels=4, out_channels=4, num_attention_heads=8, attention_head_dim=32, num_layers=4,
    num_cross_attention_heads=8, cross_attention_head_dim=32, cross_attention_dim=256, caption_channels=256,
    sample_size=32, mlp_ratio=2.5, patch_size=1,
)
PIPELINE_IMAGE = 64  # the tiny DC-AE compresses 2x: 32x32 latents, 1,024 tokens
PIPELINE_STEPS = 10
PROMPT = "make the circle blue and the background green"

# The LoRA rows: the same small config, batch 2 (CFG), 32x32 latents, 300 text tokens (40 real).
LORA_CONFIG = dict(PIPELINE_TRANSFORMER, in_channels=32, out_channels=32)
LORA_TARGETS = ["to_q", "to_k", "to_v", "to_out.0", "conv_inverted", "conv_point"]  # diffusers' SANA LoRA set
LORA_RANK = 16


@dataclass
class Row:
    figure: str
    value: str
    goal: str = ""


def time_interleaved(fns: dict, repeats: int, warmup: int = 1) -> dict[str, float]:
    """Median seconds per call of each fn, alternating between them every repeat."""
    times = {name: [] for name in fns}
    with torch.inference_mode():
        for fn in fns.values():
            for _ in range(warmup):
                fn()
        for _ in range(repeats):
            for name, fn in fns.items():
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


class CallTimer:
    """Seconds spent inside a module's forward (pre/post hooks on the top-level module only)."""

    def __init__(self, module: torch.nn.Module):
        self.total, self._start = 0.0, 0.0
        self.handles = [
            module.register_forward_pre_hook(self._pre),
            module.register_forward_hook(self._post),
        ]

    def _pre(self, *_):
        self._start = time.perf_counter()

    def _post(self, *_):
        self.total += time.perf_counter() - self._start

    def remove(self):
        for handle in self.handles:
            handle.remove()


def diffusers_pipeline_rows(args) -> tuple[list[Row], dict]:
    """One SanaPipeline run with diffusers' own transformer vs the same pipeline with LinearDiT swapped in."""
    import diffusers

    sys.path.insert(0, str(ROOT / "tests"))
    from sana_fixtures import build_tiny_sana

    with tempfile.TemporaryDirectory() as tmp:
        folder = build_tiny_sana(Path(tmp) / "sana", transformer=PIPELINE_TRANSFORMER)
        pipe = diffusers.SanaPipeline.from_pretrained(folder)
        pipe.set_progress_bar_config(disable=True)
        theirs = pipe.transformer
        ours = LinearDiT.from_pretrained(folder, subfolder="transformer")

    def run(transformer):
        def call():
            pipe.transformer = transformer
            generator = torch.Generator().manual_seed(0)
            return pipe(
                PROMPT, negative_prompt="", height=PIPELINE_IMAGE, width=PIPELINE_IMAGE,
                num_inference_steps=PIPELINE_STEPS, guidance_scale=4.5, generator=generator, output_type="pt",
                use_resolution_binning=False, clean_caption=False,
            ).images
        return call

    fns = {"ours": run(ours), "diffusers": run(theirs)}
    with torch.inference_mode():
        diff = (fns["ours"]() - fns["diffusers"]()).abs().max().item()
        timer = CallTimer(theirs)
        start = time.perf_counter()
        fns["diffusers"]()
        share = timer.total / (time.perf_counter() - start)
        timer.remove()
    times = time_interleaved(fns, args.pipeline_repeats)
    ratio = times["ours"] / times["diffusers"]
    data = {
        "transformer_config": PIPELINE_TRANSFORMER, "image": PIPELINE_IMAGE, "latent": PIPELINE_IMAGE // 2,
        "steps": PIPELINE_STEPS, "cfg": True, "text": "SANA default complex human instruction + prompt, 300 max",
        "seconds": times, "ratio": ratio, "max_abs_image_diff": diff, "transformer_share_of_run": share,
    }
    rows = [
        Row("LinearDiT in SanaPipeline / diffusers' transformer, one run",
            f"{ratio:.3f} ({times['ours']:.2f} / {times['diffusers']:.2f} s)", "<= 0.8 on CPU"),
        Row("  max |image ours - image diffusers|", f"{diff:.1e}", "same weights, same seed"),
        Row("  diffusers' transformer share of its run", f"{share:.0%}",
            f"{PIPELINE_STEPS} steps, CFG, {PIPELINE_IMAGE}px, 8x32 heads, 4 layers"),
    ]
    return rows, {"diffusers_pipeline": data}


def lora_rows(args) -> tuple[list[Row], dict]:
    """Forward time with a LoRA on diffusers' SANA LoRA targets, unmerged and merged, over no LoRA."""
    import peft

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from backbone import make_inputs

    torch.manual_seed(0)
    base = LinearDiT(LinearDiTConfig(**LORA_CONFIG)).eval()
    lora_config = peft.LoraConfig(r=LORA_RANK, lora_alpha=LORA_RANK, target_modules=LORA_TARGETS)
    unmerged = peft.get_peft_model(copy.deepcopy(base), lora_config).eval()
    with torch.no_grad():
        for name, param in unmerged.named_parameters():
            if "lora_B" in name:
                param.normal_(std=0.02)
    merged = copy.deepcopy(unmerged)
    merged.merge_adapter()
    inputs = make_inputs(LORA_CONFIG, 2, 32, "cpu", torch.float32)
    latents, text, timestep, mask = inputs
    control = copy.deepcopy(base)  # an identical model: its ratio to base is the timing noise
    fns = {name: (lambda m=m: m(latents, text, timestep, mask))
           for name, m in (("base", base), ("unmerged", unmerged), ("merged", merged), ("control", control))}
    with torch.inference_mode():
        diff = (fns["merged"]() - fns["unmerged"]()).abs().max().item()
    times = time_interleaved(fns, args.repeats, warmup=2)
    ratios = {k: times[k] / times["base"] for k in ("unmerged", "merged", "control")}
    faster = min(("unmerged", "merged"), key=ratios.get)
    data = {
        "config": LORA_CONFIG, "batch": 2, "latent": [32, 32], "rank": LORA_RANK, "targets": LORA_TARGETS,
        "seconds": times, "ratio": ratios, "faster": faster, "max_abs_diff_merged_unmerged": diff,
    }
    rows = [
        Row("LoRA unmerged: forward / without LoRA",
            f"{ratios['unmerged']:.3f} ({times['unmerged'] * 1e3:.0f} / {times['base'] * 1e3:.0f} ms)", "report"),
        Row("LoRA merged: forward / without LoRA",
            f"{ratios['merged']:.3f} ({times['merged'] * 1e3:.0f} / {times['base'] * 1e3:.0f} ms)", "report"),
        Row("  noise: identical copy / without LoRA", f"{ratios['control']:.3f}", "(control, ideally 1)"),
        Row("  faster", f"{faster} (|merged - unmerged| {diff:.1e})",
            f"r={LORA_RANK} on {', '.join(LORA_TARGETS)}"),
    ]
    return rows, {"lora": data}


def overhead_rows(args) -> tuple[list[Row], dict]:
    """Planner + grounding + routing + fusion + verifier as a share of a whole edit, default steps.

    The embedded model edits toy scenes at 64 px; everything outside the backbone's denoising loop
    (``trace`` backbone_ms) is overhead. The first edit of each prompt warms caches and is not counted.
    """
    from nanoedit.editor import Editor
    from nanoedit.toyworld import Scene, render

    editor = Editor.default() if args.model is None else Editor.from_pretrained(args.model)
    prompts = ["make the red circle blue", "remove the square and make the background yellow",
               "put glasses on him, then make it sunset"]  # fmt: skip
    image = render(Scene.random(7, n_objects=3)).image
    scene = Scene.random(7, n_objects=3)
    refs = {o.shape: o for o in scene.objects}
    if refs:  # name objects that are really there, so grounding does its real work
        first = next(iter(refs.values()))
        prompts[0] = f"make the {first.color} {first.shape} blue"
        prompts[1] = f"remove the {first.color} {first.shape} and make the background yellow"
    totals, backbone, per_prompt = [], [], {}
    for prompt in prompts:
        editor.edit(image, prompt, progress=False)  # warm-up
        for seed in range(args.repeats):
            trace = editor.edit(image, prompt, seed=seed, progress=False).trace
            total = trace["timings"]["total_ms"]
            spent = sum(v for n in trace["nodes"] for k, v in n["timings"].items() if k.startswith("backbone_ms"))
            spent += trace["timings"]["refine_backbone_ms"]
            totals.append(total)
            backbone.append(spent)
            per_prompt.setdefault(prompt, []).append(1 - spent / total)
    share = 1 - sum(backbone) / sum(totals)
    rows = [
        Row("overhead share of a whole edit (planner, grounding, routing, fusion, verifier)", f"{share:.1%}", "<= 5%"),
        Row("whole edit at default steps, median", f"{statistics.median(totals):.0f} ms", ""),
    ]
    return rows, {"overhead_share": share, "edit_ms_median": statistics.median(totals),
                  "per_prompt_share": {p: statistics.mean(v) for p, v in per_prompt.items()},
                  "steps": editor.config.steps, "repeats": args.repeats}  # fmt: skip


ROWS = {"diffusers": diffusers_pipeline_rows, "lora": lora_rows, "overhead": overhead_rows}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=11, help="forward timings per variant")
    parser.add_argument("--pipeline-repeats", type=int, default=5, help="whole pipeline runs per variant")
    parser.add_argument("--only", choices=sorted(ROWS), action="append", help="run only these row groups")
    parser.add_argument("--model", help="bundle folder for the overhead rows (default: the embedded model)")
    parser.add_argument("--out", default="benchmarks/results/pipeline.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    niceness = os.nice(0)
    report: dict = {
        "device": platform.processor() or platform.machine(), "threads": args.threads, "torch": torch.__version__,
        "niceness": niceness,
        "load_note": "run under nice on a machine shared with a training job; ratios interleave, absolute "
                     "times are inflated by the load",
    }
    rows: list[Row] = []
    for name, group in ROWS.items():
        if args.only and name not in args.only:
            continue
        group_rows, data = group(args)
        rows += group_rows
        report.update(data)

    title = (f"pipeline benchmark on {report['device']} (cpu, float32, {args.threads} thread(s), nice {niceness}; "
             "machine shared with a training job, so absolute times are inflated, ratios are interleaved)")
    finish(title, [(r.figure, r.value, r.goal) for r in rows], report, args.out)
    return report


if __name__ == "__main__":
    main()
