"""Backbone speed: our LinearDiT vs diffusers' SanaTransformer2DModel with the same weights.

    python benchmarks/backbone.py                      # CPU figures (small config), ~2-4 min
    python benchmarks/backbone.py --device cuda        # GPU figures: SANA-0.6B config, bf16, 1024px and 4K

Figures (goals from the backbone issue):
  forward time ours / diffusers              (CPU small config <= 0.8; GPU 0.6B 1024px bf16 <= 0.6)
  peak memory ours / diffusers               (<= 1.0)
  time per token at 16,384 / at 1,024 tokens (<= 1.5), beside a softmax-attention DiT of equal width
  achieved TFLOP/s / bf16 peak at 4K         (GPU only, >= 50%)
Timings interleave the two models and report medians, so background load hits both alike.
Prints a table and writes JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from table import finish  # benchmarks/, beside this script

from nanoedit.backbone import LinearDiT, LinearDiTConfig

SMALL = dict(
    in_channels=32, out_channels=32, num_attention_heads=8, attention_head_dim=32, num_layers=4,
    num_cross_attention_heads=8, cross_attention_head_dim=32, cross_attention_dim=256, caption_channels=256,
    sample_size=32, mlp_ratio=2.5,
)
# SANA-0.6B (Sana_600M_1024px_diffusers).
SANA_600M = dict(
    in_channels=32, out_channels=32, num_attention_heads=36, attention_head_dim=32, num_layers=28,
    num_cross_attention_heads=16, cross_attention_head_dim=72, cross_attention_dim=1152, caption_channels=2304,
    sample_size=32, mlp_ratio=2.5,
)
TEXT_TOKENS = 300
BF16_PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "L40S": 362.0, "RTX 4090": 165.0}


def build_pair(config: dict, device: str, dtype: torch.dtype, seed: int = 0):
    """A diffusers model with random weights and our LinearDiT loaded from its saved folder."""
    import diffusers

    torch.manual_seed(seed)
    reference = diffusers.SanaTransformer2DModel(**config).eval()
    with tempfile.TemporaryDirectory() as folder:
        reference.save_pretrained(folder)
        ours = LinearDiT.from_pretrained(folder, dtype=dtype, device=device)
    reference.to(device)
    return ours, reference if dtype == torch.float32 else reference.to(dtype)


def make_inputs(config: dict, batch: int, side: int, device: str, dtype: torch.dtype, seed: int = 1):
    gen = torch.Generator().manual_seed(seed)
    latents = torch.randn(batch, config["in_channels"], side, side, generator=gen)
    text = torch.randn(batch, TEXT_TOKENS, config["caption_channels"], generator=gen)
    mask = torch.ones(batch, TEXT_TOKENS)
    mask[:, 40:] = 0  # a typical prompt: 40 real tokens, the rest padding
    timestep = torch.full((batch,), 500.0)
    return [t.to(device) for t in (latents.to(dtype), text.to(dtype), timestep, mask.to(dtype))]


def runner(model, inputs):
    latents, text, timestep, mask = inputs
    if isinstance(model, LinearDiT):
        return lambda: model(latents, text, timestep, mask)
    return lambda: model(latents, text, timestep, encoder_attention_mask=mask, return_dict=False)[0]


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def time_interleaved(fns: dict, device: str, repeats: int, warmup: int = 2) -> dict[str, float]:
    """Median seconds per call of each fn, alternating between them every repeat."""
    times = {name: [] for name in fns}
    with torch.inference_mode():
        for fn in fns.values():
            for _ in range(warmup):
                fn()
        sync(device)
        for _ in range(repeats):
            for name, fn in fns.items():
                start = time.perf_counter()
                fn()
                sync(device)
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def dit_flops(config: dict, tokens: int, text_tokens: int, batch: int) -> float:
    """Multiply-add FLOPs (x2) of one forward, counting matmuls, attention cores and convs."""
    c = config["num_attention_heads"] * config["attention_head_dim"]
    d = config["attention_head_dim"]
    hidden = int(config["mlp_ratio"] * c)
    cross = config["num_cross_attention_heads"] * config["cross_attention_head_dim"]
    per_block = (
        4 * tokens * c * c  # q, k, v, out of the linear attention
        + 2 * tokens * c * (d + 1)  # k^T [v | 1]
        + tokens * c * (d + 1)  # q [kv | k_sum]
        + 2 * tokens * c * cross  # cross q, out
        + 2 * text_tokens * config["cross_attention_dim"] * cross  # cross k, v
        + 2 * tokens * text_tokens * cross  # scores and weighted sum
        + tokens * c * 2 * hidden + tokens * 2 * hidden * 9 + tokens * hidden * c  # Mix-FFN
    )
    return 2.0 * batch * config["num_layers"] * per_block


def peak_memory_cuda(fn) -> int:
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    with torch.inference_mode():
        fn()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() - before


PEAK_RSS_CHILD = r"""
import importlib.util, json, resource, torch
spec = importlib.util.spec_from_file_location("backbone_bench", {bench_file!r})
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
torch.set_num_threads({threads})
ours, reference = bench.build_pair(bench.SMALL, "cpu", torch.float32)
model = ours if {which!r} == "ours" else reference
del ours, reference
inputs = bench.make_inputs(bench.SMALL, {batch}, {side}, "cpu", torch.float32)
fn = bench.runner(model, inputs)
def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss_kib()
with torch.inference_mode():
    fn()
print(json.dumps({{"peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "before_kib": before}}))
"""


def peak_memory_cpu(which: str, batch: int, side: int, threads: int) -> int:
    """Peak RSS growth (bytes) during one forward, in a fresh process so nothing else is counted.

    PyTorch's CPU allocator bypasses Python's, so tracemalloc cannot see tensors; the kernel's high-water
    mark (ru_maxrss) minus the RSS just before the forward is the activation peak.
    """
    code = PEAK_RSS_CHILD.format(
        bench_file=str(Path(__file__).resolve()), which=which, batch=batch, side=side, threads=threads
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return (result["peak_kib"] - result["before_kib"]) * 1024


def scaling(config: dict, device: str, dtype: torch.dtype, small_side: int, large_side: int, repeats: int):
    """Seconds per token at small and large token counts, ours (linear) and ours with softmax attention."""
    torch.manual_seed(0)
    model = LinearDiT(LinearDiTConfig(**config)).to(device=device, dtype=dtype).eval()
    result = {}
    for backend in ("torch" if device == "cpu" else "auto", "softmax"):
        model.set_attention_backend(backend)
        per_token = {}
        for side in (small_side, large_side):
            seconds = time_interleaved(
                {"m": runner(model, make_inputs(config, 1, side, device, dtype))}, device,
                repeats if side == small_side else max(2, repeats // 4), warmup=1,
            )["m"]
            per_token[side * side] = seconds / (side * side)
        name = "softmax" if backend == "softmax" else "linear"
        result[name] = {"seconds_per_token": per_token, "ratio": per_token[large_side**2] / per_token[small_side**2]}
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--compile", action="store_true", help="also time ours with regional torch.compile")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--out", default=None, help="JSON path (default benchmarks/results/backbone[_cuda].json)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = args.device
    cuda = device == "cuda"
    if cuda and not torch.cuda.is_available():
        sys.exit("--device cuda: no CUDA device here")
    dtype = torch.bfloat16 if cuda else torch.float32
    config = SANA_600M if cuda else SMALL
    batch, side = 2, 32
    rows: list[tuple[str, str, str]] = []
    report: dict = {
        "device": torch.cuda.get_device_name() if cuda else platform.processor() or platform.machine(),
        "threads": args.threads, "dtype": str(dtype), "config": config, "batch": batch, "latent": [side, side],
        "text_tokens": TEXT_TOKENS, "torch": torch.__version__,
    }

    ours, reference = build_pair(config, device, dtype)
    inputs = make_inputs(config, batch, side, device, dtype)
    with torch.inference_mode():
        diff = (runner(ours, inputs)().float() - runner(reference, inputs)().float()).abs().max().item()
    fns = {"ours": runner(ours, inputs), "diffusers": runner(reference, inputs)}
    times = time_interleaved(fns, device, args.repeats)
    ratio = times["ours"] / times["diffusers"]
    report["forward"] = {"seconds": times, "ratio": ratio, "max_abs_diff": diff}
    goal = 0.6 if cuda else 0.8
    rows.append(("forward time ours/diffusers", f"{ratio:.3f} ({times['ours'] * 1e3:.1f} / "
                 f"{times['diffusers'] * 1e3:.1f} ms)", f"<= {goal}"))
    rows.append(("max |ours - diffusers|", f"{diff:.2e}", "same weights, same inputs"))
    # Ours skips text positions padded in every prompt; this row shows the speed without that help.
    unpadded = inputs[:3] + [torch.ones_like(inputs[3])]
    full_text = time_interleaved({"ours": runner(ours, unpadded), "diffusers": runner(reference, unpadded)},
                                 device, args.repeats)
    u_ratio = full_text["ours"] / full_text["diffusers"]
    report["forward_unpadded_text"] = {"seconds": full_text, "ratio": u_ratio}
    rows.append(("  same, all 300 text tokens real", f"{u_ratio:.3f} ({full_text['ours'] * 1e3:.1f} / "
                 f"{full_text['diffusers'] * 1e3:.1f} ms)", "(no padding to skip)"))

    if args.compile:
        ours.compile_blocks()
        start = time.perf_counter()
        with torch.inference_mode():
            fns["ours"]()
        warm = time.perf_counter() - start
        compiled = time_interleaved(fns, device, args.repeats)
        c_ratio = compiled["ours"] / compiled["diffusers"]
        report["forward_compiled"] = {"seconds": compiled, "ratio": c_ratio, "compile_seconds": warm}
        rows.append(("forward time ours(compiled)/diffusers", f"{c_ratio:.3f} ({compiled['ours'] * 1e3:.1f} / "
                     f"{compiled['diffusers'] * 1e3:.1f} ms)", f"<= {goal}"))

    if cuda:
        memory = {"ours": peak_memory_cuda(fns["ours"]), "diffusers": peak_memory_cuda(fns["diffusers"])}
        method = "torch.cuda.max_memory_allocated growth during one forward"
    else:
        del ours, reference
        memory = {name: peak_memory_cpu(name, batch, side, args.threads) for name in ("ours", "diffusers")}
        method = "peak RSS growth during one forward (ru_maxrss - VmRSS before), fresh process per model"
    m_ratio = memory["ours"] / memory["diffusers"]
    report["peak_memory"] = {"bytes": memory, "ratio": m_ratio, "method": method}
    rows.append(("peak memory ours/diffusers", f"{m_ratio:.3f} ({memory['ours'] / 2**20:.1f} / "
                 f"{memory['diffusers'] / 2**20:.1f} MiB)", "<= 1.0"))

    if cuda:
        del fns
        ours_4k, reference_4k = build_pair(config, device, dtype)
        inputs_4k = make_inputs(config, 1, 128, device, dtype)
        fns_4k = {"ours": runner(ours_4k, inputs_4k), "diffusers": runner(reference_4k, inputs_4k)}
        times_4k = time_interleaved(fns_4k, device, max(3, args.repeats // 3))
        flops = dit_flops(config, 128 * 128, TEXT_TOKENS, 1)
        name = torch.cuda.get_device_name()
        peak = next((v for k, v in BF16_PEAK_TFLOPS.items() if k in name), None)
        achieved = flops / times_4k["ours"] / 1e12
        report["4k"] = {"seconds": times_4k, "tflops": achieved, "peak_tflops": peak,
                        "fraction_of_peak": achieved / peak if peak else None}
        rows.append(("4K forward ours/diffusers", f"{times_4k['ours'] / times_4k['diffusers']:.3f}", ""))
        rows.append(("4K achieved TFLOP/s / bf16 peak", f"{achieved:.0f} / {peak} TFLOP/s", ">= 50%"))

    if not args.skip_scaling:
        scale_config = SMALL if not cuda else SANA_600M
        result = scaling(scale_config, device, dtype, 32, 128, args.repeats)
        report["scaling"] = result
        rows.append(("time/token 16384 vs 1024 tokens (linear)", f"{result['linear']['ratio']:.2f}", "<= 1.5"))
        rows.append(("  same, softmax-attention DiT", f"{result['softmax']['ratio']:.2f}", "(baseline)"))

    title = f"backbone benchmark on {report['device']} ({device}, {dtype}, {args.threads} threads)"
    finish(title, rows, report, args.out or f"benchmarks/results/backbone{'_cuda' if cuda else ''}.json")
    return report


if __name__ == "__main__":
    main()
