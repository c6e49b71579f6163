"""Property-based fuzzing of every input a user hands nanoedit: prompts, graphs, plans, model configs, images.

Each input kind has a hypothesis strategy (valid inputs, mutated: hostile values at random places,
truncations, byte flips, huge sizes, paths that leave the folder) and a check that runs the real
entry point. The properties:

- only typed errors: the entry point returns or raises a ``NanoeditError``; anything else is a bug;
- bounded work: every case finishes within ``CASE_LIMIT_S``;
- containment: a plan that loads has its image, masks and output folder inside the plan's folder,
  and no case writes a file outside its scratch folder.

``tests/test_fuzz.py`` runs a few hundred cases in ``make test``; ``make fuzz`` runs this file as a
script with at least 10,000 cases per kind and prints the counts (and writes them as JSON)::

    python tests/hostile/fuzz.py --examples 10000 --json benchmarks/results/fuzz.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import struct
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from nanoedit.errors import NanoeditError

CASE_LIMIT_S = 2.0
# The longest generated prompt (MAX_PROMPT_CHARS is 20,000: longer ones must be refused). `make test`
# lowers it, so that its few hundred cases stay fast while planning is not yet linear in the length.
LONG_PROMPT_CHARS = 25_000
KINDS = ("prompts", "graphs", "plans", "configs", "images")


class Untyped(AssertionError):
    """An entry point raised something other than a NanoeditError."""


class Stats:
    """Counts per kind: cases, ok, typed errors, untyped errors, slow cases, worst time."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {kind: Counter() for kind in KINDS}
        self.worst: dict[str, float] = dict.fromkeys(KINDS, 0.0)
        self.examples: dict[str, list[str]] = {kind: [] for kind in KINDS}

    def record(self, kind: str, outcome: str, seconds: float, detail: str = "") -> None:
        self.counts[kind]["cases"] += 1
        self.counts[kind][outcome] += 1
        if seconds > CASE_LIMIT_S:
            self.counts[kind]["slow"] += 1
        self.worst[kind] = max(self.worst[kind], seconds)
        if outcome == "untyped" and len(self.examples[kind]) < 5:
            self.examples[kind].append(detail)


STATS = Stats()


def _run(kind: str, fn, *args, strict: bool = True):
    """Run ``fn``; record ok / typed / untyped and the time. With ``strict``, untyped errors and
    slow cases raise (so hypothesis reports and shrinks them); otherwise they are only counted."""
    start = time.perf_counter()
    try:
        result = fn(*args)
        outcome, detail = "ok", ""
    except NanoeditError as exc:
        result, outcome, detail = exc, "typed", ""
    except Exception as exc:  # noqa: BLE001 - this is what the fuzzer looks for
        result, outcome, detail = exc, "untyped", f"{type(exc).__name__}: {str(exc)[:200]}"
    seconds = time.perf_counter() - start
    STATS.record(kind, outcome, seconds, detail)
    if strict and outcome == "untyped":
        raise Untyped(f"{kind}: untyped {detail}") from result
    if strict and seconds > CASE_LIMIT_S * 5:  # in `make test` the machine may be loaded: 5x slack
        raise AssertionError(f"{kind}: one case took {seconds:.2f} s")
    return outcome, result


# -- hostile values ------------------------------------------------------------------------------

HOSTILE_STRINGS = [
    "", " ", "../../escaped", "/etc/passwd", "/dev/null", "a\x00b", "x" * 5000, "\u202e\u2028", "\ufeff",
    "remove", "recolor", "tone", "background", "n1", "red", "circle", "*a", "&a", "{", "[", "\t", "- x",
    "9" * 5000, "NaN", "null", "~", "yes", "\x07", "\u00e9",
]  # fmt: skip

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(HOSTILE_STRINGS),
)
values = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(tree, dict):
        for key, child in tree.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(tree, list):
        for index, child in enumerate(tree):
            found += _paths(child, (*prefix, index))
    return found


def _set(tree: Any, path: tuple, value: Any, delete: bool = False) -> Any:
    if not path:
        return value
    parent = tree
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return tree


def mutate(data: st.DataObject, tree: Any, max_mutations: int = 4) -> Any:
    """``tree`` (JSON-like, copied) with up to ``max_mutations`` hostile replacements, deletions,
    insertions or list blow-ups at random places."""
    tree = json.loads(json.dumps(tree))
    for _ in range(data.draw(st.integers(0, max_mutations))):
        paths = _paths(tree)
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["replace", "replace", "delete", "insert", "repeat"]))
        if action == "delete" and path:
            tree = _set(tree, path, None, delete=True)
        elif action == "insert":
            target = tree
            for part in path:
                target = target[part]
            if isinstance(target, dict):
                target[data.draw(st.sampled_from(["id", "op", "params", "target", "nodes", "edges", "image",
                                                  "dir", "x", "run_order", "mask", "version"]))] = data.draw(values)  # fmt: skip
            elif isinstance(target, list):
                target.append(data.draw(values))
        elif action == "repeat":
            target = tree
            for part in path:
                target = target[part]
            if isinstance(target, list) and target:
                target.extend([target[0]] * data.draw(st.sampled_from([2, 50, 600])))
        else:
            tree = _set(tree, path, data.draw(values))
    return tree


def mutate_bytes(data: st.DataObject, blob: bytes) -> bytes:
    """``blob`` truncated, with flipped bytes, or with a spliced-in chunk."""
    blob = bytearray(blob)
    for _ in range(data.draw(st.integers(0, 3))):
        action = data.draw(st.sampled_from(["truncate", "flip", "splice", "none"]))
        if not blob:
            break
        if action == "truncate":
            del blob[data.draw(st.integers(0, len(blob) - 1)) :]
        elif action == "flip":
            at = data.draw(st.integers(0, len(blob) - 1))
            blob[at] = data.draw(st.integers(0, 255))
        elif action == "splice":
            at = data.draw(st.integers(0, len(blob)))
            blob[at:at] = data.draw(st.binary(max_size=16))
    return bytes(blob)


# -- prompts -------------------------------------------------------------------------------------

WORDS = (
    "remove the red circle and make the background blue then move it to the top left make him smile "
    "put glasses on her recolor square green bigger smaller replace with a cat add a star at sunset "
    "warm tone ink style not , ; . and then also instead of it them please could you"
).split()


@st.composite
def prompts(draw) -> str:
    form = draw(st.sampled_from(["words", "text", "long", "mixed"]))
    if form == "words":
        return " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=40)))
    if form == "text":
        return draw(st.text(max_size=200))
    if form == "long":
        unit = draw(st.sampled_from(["a", "make it red and ", " ", "the ", "\u00e9\u4e2d", ","]))
        return unit * draw(st.integers(1, LONG_PROMPT_CHARS // len(unit)))
    return " ".join(draw(st.lists(st.sampled_from(WORDS) | st.text(max_size=5), max_size=60)))


def check_prompt(prompt: str, strict: bool = True) -> str:
    from nanoedit.planner import plan

    def go():
        graph = plan(prompt)
        graph.validate()
        return graph

    outcome, graph = _run("prompts", go, strict=strict)
    if outcome == "ok":
        # what the planner produced must survive a round trip through every readable CLI format
        from nanoedit.graphs import InstructionGraph

        assert InstructionGraph.from_yaml(graph.to_yaml()) == graph
        assert InstructionGraph.from_json(graph.to_json()) == graph
    return outcome


# -- graphs --------------------------------------------------------------------------------------

BASE_GRAPHS = [
    {"nodes": [{"id": "a", "op": "remove", "target": {"noun": "circle", "color": "red"}},
               {"id": "b", "op": "background", "params": {"color": "blue"}}], "edges": [["a", "b"]]},
    {"prompt": "x", "nodes": [{"id": "lock", "op": "identity_lock", "params": {"parts": ["face"]}},
                              {"id": "r", "op": "recolor", "target": {"noun": "square"}, "params": {"color": "green"}},
                              {"id": "m", "op": "move", "target": {"noun": "square"}, "params": {"direction": "left"}}],
     "edges": [["lock", "r"], ["r", "m"]], "warnings": [], "trace": []},
    {"nodes": [{"id": "t", "op": "tone", "params": {"tone": "warm"}}, {"id": "s", "op": "style", "params": {"style": "ink"}}],
     "edges": [["t", "s"], ["s", "t"]]},
    {"version": 1, "nodes": [], "edges": []},
]  # fmt: skip


@st.composite
def graph_documents(draw) -> tuple[str, Any]:
    tree = mutate(draw(st.data()), draw(st.sampled_from(BASE_GRAPHS)))
    form = draw(st.sampled_from(["dict", "json", "yaml", "yaml_bytes"]))
    if form == "dict":
        return form, tree
    try:
        text = json.dumps(tree) if form == "json" else yaml.safe_dump(tree, allow_unicode=True)
    except (ValueError, yaml.YAMLError):
        text = str(tree)
    if form == "yaml_bytes":
        return form, mutate_bytes(draw(st.data()), text.encode("utf-8", "surrogatepass"))
    return form, text


def check_graph(document: tuple[str, Any], strict: bool = True) -> str:
    from nanoedit.graphs import InstructionGraph

    form, value = document

    def go():
        if form == "dict":
            graph = InstructionGraph.from_dict(value)
        elif form == "json":
            graph = InstructionGraph.from_json(value)
        else:
            graph = InstructionGraph.from_yaml(value)
        graph.problems()
        order = graph.schedule()
        for node in order:
            graph.node_hash(node.id)
        assert InstructionGraph.from_yaml(graph.to_yaml()) == graph
        return graph

    return _run("graphs", go, strict=strict)[0]


# -- plans ---------------------------------------------------------------------------------------

BASE_PLANS = [
    {"input": {"scene": {"seed": 1}}, "turns": [{"instruction": "make the circle blue"}]},
    {"input": {"image": "cat.png"}, "options": {"seed": 0, "steps": 4},
     "turns": [{"instruction": "remove the hat", "mask": "mask.png", "expect": {"identity": ">= 0.9"},
                "retry": {"max": 2}}, {"graph": BASE_GRAPHS[0]}],
     "outputs": {"dir": "out", "save": ["final", "graphs"]}},
]  # fmt: skip
PLAN_PATHS = ["cat.png", "mask.png", "out", "../cat.png", "/etc/hostname", "link/cat.png", "link", "sub/../cat.png",
              "loop/x", "a\x00b", "x" * 300, "", ".", "fifo.png", "truncated.png"]  # fmt: skip


@st.composite
def plan_texts(draw) -> bytes:
    data = draw(st.data())
    tree = mutate(data, draw(st.sampled_from(BASE_PLANS)), max_mutations=3)
    if isinstance(tree, dict) and draw(st.booleans()):  # point a path somewhere interesting
        where = draw(st.sampled_from([("input", "image"), ("outputs", "dir"), ("turns", 0, "mask")]))
        try:
            _set(tree, where, draw(st.sampled_from(PLAN_PATHS)))
        except (KeyError, IndexError, TypeError):
            pass
    try:
        text = yaml.safe_dump(tree, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (ValueError, yaml.YAMLError):
        text = str(tree).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        text = mutate_bytes(data, text)
    if draw(st.integers(0, 9)) == 0:  # an alias bomb in front of the plan
        text = b'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n".encode() for i in range(8)
        ) + text
    return text


class PlanFolder:
    """A scratch layout shared by the plan cases: images, a FIFO, a symlink out, a symlink loop."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fuzz-plans-"))
        self.folder = self.root / "plans"
        self.folder.mkdir()
        from PIL import Image

        Image.new("RGB", (8, 8)).save(self.folder / "cat.png")
        Image.new("L", (8, 8)).save(self.folder / "mask.png")
        Image.new("RGB", (8, 8)).save(self.root / "cat.png")
        buffer = io.BytesIO()
        Image.new("RGB", (32, 32), (9, 9, 9)).save(buffer, "PNG")
        (self.folder / "truncated.png").write_bytes(buffer.getvalue()[:-20])
        os.mkfifo(self.folder / "fifo.png")
        (self.folder / "link").symlink_to(self.root, target_is_directory=True)
        (self.folder / "loop").symlink_to(self.folder / "loop")
        self.outside = self.listing()

    def listing(self) -> list[str]:
        """Every name under the scratch root (links not followed): a case must not add any."""
        return sorted(os.path.join(top, name) for top, dirs, files in os.walk(self.root) for name in dirs + files)


_PLAN_FOLDER: PlanFolder | None = None


def check_plan(text: bytes, strict: bool = True) -> str:
    global _PLAN_FOLDER
    from nanoedit.io import is_inside
    from nanoedit.plans import parse_plan

    if _PLAN_FOLDER is None:
        _PLAN_FOLDER = PlanFolder()
    layout = _PLAN_FOLDER

    def go():
        plan = parse_plan(text, source="fuzz.yaml", folder=layout.folder)
        # containment: whatever loads stays inside the plan's folder
        for relative in [plan.input.image, *(t.mask for t in plan.turns), plan.outputs.dir]:
            if relative is not None:
                assert is_inside(plan.resolve(relative), layout.folder), f"{relative!r} escaped"
        plan.graphs()
        return plan

    outcome = _run("plans", go, strict=strict)[0]
    assert layout.listing() == layout.outside, "a plan case wrote a file"
    return outcome


# -- model configs ---------------------------------------------------------------------------------

BASE_CONFIG = dict(
    in_channels=4, out_channels=4, num_attention_heads=2, attention_head_dim=8, num_layers=2,
    num_cross_attention_heads=2, cross_attention_head_dim=8, cross_attention_dim=16, caption_channels=16,
    sample_size=8, mlp_ratio=2.5, patch_size=1, norm_eps=1e-6, qk_norm=None,
)  # fmt: skip
CONFIG_VALUES = st.one_of(
    values,
    st.sampled_from([0, -1, 1, 2, 3, 255, 256, 257, 10_000, 10**12, 0.5, 2.5, float("nan"), float("inf"), True, "two",
                     "rms_norm_across_heads", None, [], {}]),
)  # fmt: skip


@st.composite
def configs(draw) -> Any:
    if draw(st.integers(0, 19)) == 0:
        return draw(values)  # not even a mapping
    config = dict(BASE_CONFIG)
    for key in draw(st.lists(st.sampled_from(sorted(BASE_CONFIG) + ["dropout", "interpolation_scale", "x"]),
                             max_size=4)):  # fmt: skip
        config[key] = draw(CONFIG_VALUES)
    return config


def check_config(raw: Any, strict: bool = True) -> str:
    def go():
        import torch

        from nanoedit.backbone.linear_dit import LinearDiT, LinearDiTConfig

        config = LinearDiTConfig.from_dict(raw)
        if config.num_layers * config.inner_dim <= 64 * 64:  # small enough to build every time
            with torch.device("meta"):
                LinearDiT(config)
        return config

    return _run("configs", go, strict=strict)[0]


# -- images ----------------------------------------------------------------------------------------


def _encoded(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (10, 200, 30)).save(buffer, fmt)
    return buffer.getvalue()


def _png_with_size(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


_IMAGE_BASES: list[bytes] = []


@st.composite
def image_files(draw) -> bytes:
    if not _IMAGE_BASES:
        _IMAGE_BASES.extend(_encoded(fmt) for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"))
    form = draw(st.sampled_from(["mutated", "mutated", "header", "random"]))
    if form == "header":
        size = st.sampled_from([0, 1, 7, 8192, 8193, 20000, 2**31 - 1])
        return _png_with_size(draw(size), draw(size))
    if form == "random":
        return draw(st.binary(max_size=64))
    return mutate_bytes(draw(st.data()), draw(st.sampled_from(_IMAGE_BASES)))


_IMAGE_FOLDER: Path | None = None


def check_image(blob: bytes, strict: bool = True) -> str:
    global _IMAGE_FOLDER
    from nanoedit.errors import EvalError
    from nanoedit.io import check_image as check_header
    from nanoedit.io import load_image

    if _IMAGE_FOLDER is None:
        _IMAGE_FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-images-"))
    path = _IMAGE_FOLDER / "x.png"
    path.write_bytes(blob)

    def go():
        check_header(path, EvalError)
        image = load_image(path, EvalError)
        assert image.mode == "RGB" and image.width >= 1 and image.height >= 1
        return image

    return _run("images", go, strict=strict)[0]


STRATEGIES = {
    "prompts": (prompts(), check_prompt),
    "graphs": (graph_documents(), check_graph),
    "plans": (plan_texts(), check_plan),
    "configs": (configs(), check_config),
    "images": (image_files(), check_image),
}


def warm_up() -> None:
    """Import what the checks use, so a case's time is its own work, not a first import of torch."""
    import logging

    import torch  # noqa: F401

    import nanoedit.backbone.linear_dit  # noqa: F401
    import nanoedit.planner  # noqa: F401
    import nanoedit.plans  # noqa: F401

    logging.getLogger("nanoedit.backbone.linear_dit").setLevel(logging.ERROR)  # "ignoring config fields"
    nanoedit.planner.plan("make the circle blue")
    config = nanoedit.backbone.linear_dit.LinearDiTConfig.from_dict(BASE_CONFIG)
    with torch.device("meta"):  # the first model built pays for lazy imports inside torch (~4 s)
        nanoedit.backbone.linear_dit.LinearDiT(config)


def property_test(kind: str, examples: int, strict: bool = True, seed: int | None = None):
    """A hypothesis test function for ``kind`` with ``examples`` cases (call it to run)."""
    warm_up()
    strategy, check = STRATEGIES[kind]
    config = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is None,
        phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if strict else []),
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )

    @config
    @given(strategy)
    def run(value):
        check(value, strict=strict)

    if seed is not None:
        from hypothesis import seed as with_seed

        run = with_seed(seed)(run)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="cases per input kind (default 10000)")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the counts here")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",")]
    print(f"{'kind':<9}{'cases':>8}{'ok':>8}{'typed':>8}{'untyped':>9}{'slow':>6}{'worst s':>9}{'time s':>8}")
    elapsed = {}
    for kind in kinds:
        start = time.perf_counter()
        # Hypothesis stops early only when it has exhausted a strategy; loop until the count is reached.
        round_index = 0
        while STATS.counts[kind]["cases"] < args.examples:
            remaining = args.examples - STATS.counts[kind]["cases"]
            property_test(kind, remaining, strict=False, seed=args.seed + round_index)()
            round_index += 1
        elapsed[kind] = time.perf_counter() - start
        c = STATS.counts[kind]
        print(f"{kind:<9}{c['cases']:>8}{c['ok']:>8}{c['typed']:>8}{c['untyped']:>9}{c['slow']:>6}"
              f"{STATS.worst[kind]:>9.3f}{elapsed[kind]:>8.0f}", flush=True)  # fmt: skip
        for example in STATS.examples[kind]:
            print(f"    untyped: {example}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total_untyped = sum(STATS.counts[k]["untyped"] for k in kinds)
    print(f"peak RSS of the fuzz process: {peak_mb:.0f} MB; untyped exceptions: {total_untyped}")
    if args.json:
        from nanoedit.io import write_text

        document = {
            "examples_per_kind": args.examples,
            "seed": args.seed,
            "case_limit_s": CASE_LIMIT_S,
            "kinds": {
                k: {**{key: STATS.counts[k][key] for key in ("cases", "ok", "typed", "untyped", "slow")},
                    "worst_s": round(STATS.worst[k], 4), "elapsed_s": round(elapsed[k], 1),
                    "untyped_examples": STATS.examples[k]}
                for k in kinds
            },
            "peak_rss_mb": round(peak_mb, 1),
        }  # fmt: skip
        write_text(args.json, json.dumps(document, indent=2) + "\n")
    slow = sum(STATS.counts[k]["slow"] for k in kinds)
    return 1 if total_untyped or slow else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
