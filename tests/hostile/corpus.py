"""The hostile-input corpus: every input a hostile but fair user tried, with the typed error it must give.

Each ``Case`` builds its input in a scratch folder (small ones are written out, big ones generated)
and names the API call it goes through, the ``nanoedit`` error class that call must raise, a piece
of the message, and (where a command exists) the CLI arguments that must exit 2 with one line.
``tests/hostile/test_corpus.py`` runs it in ``make test``; ``benchmarks/hostile.py`` measures the
time and peak memory of each case.

Kinds: ``graph`` (graph files), ``plan`` (plan files), ``image`` (``--images`` and plan images),
``model`` (model folders), ``editor`` (editor behaviours seen through ``call_editor``), ``cli``
(arguments and output folders).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from nanoedit.errors import (
    EditorError,
    EvalError,
    GraphError,
    ModelLoadError,
    NanoeditError,
    OutputError,
    PlanError,
    SceneError,
)


@dataclass
class Case:
    name: str
    kind: str
    build: Callable[[Path], dict[str, Any]]  # -> {"call": fn, "argv": [...] | None}
    error: type[NanoeditError] | None  # None: the call must succeed (e.g. load with a warning)
    match: str = ""


CASES: list[Case] = []


def case(name: str, kind: str, error: type[NanoeditError] | None, match: str = ""):
    def register(build):
        CASES.append(Case(name, kind, build, error, match))
        return build

    return register


# -- helpers -------------------------------------------------------------------------------------

SCENE_PLAN = "input: {scene: {seed: 1}}\nturns: [{instruction: make it warm}]\n"


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _graph_file(tmp: Path, name: str, content: str | bytes) -> dict[str, Any]:
    from nanoedit.graph_cli import load_graphs

    path = _write(tmp / name, content)
    return {"call": lambda: load_graphs(path), "argv": ["graph", "validate", str(path)]}


def _plan_file(tmp: Path, content: str | bytes, name: str = "plan.yaml") -> dict[str, Any]:
    from nanoedit.plans import load_plan

    path = _write(tmp / "plans" / name, content)
    return {"call": lambda: load_plan(path), "argv": ["graph", "validate", str(path)]}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` with a tiny (incomplete) pixel stream."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + _png_chunk(b"IEND", b"")


def png_bomb(width: int, height: int) -> bytes:
    """A complete, valid PNG of ``width`` x ``height`` black pixels: small on disk, huge decoded."""
    squeeze = zlib.compressobj(9)
    row = b"\0" * (1 + 3 * width)
    body = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def png_bytes(size: tuple[int, int] = (32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def billion_laughs(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        name, prev = chr(97 + i), chr(96 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def complete_digraph(n: int) -> str:
    nodes = [{"id": f"n{i}", "op": "tone", "params": {"tone": "warm"}} for i in range(n)]
    edges = [[f"n{i}", f"n{j}"] for i in range(n) for j in range(n) if i != j]
    return json.dumps({"nodes": nodes, "edges": edges})


# -- graph files ---------------------------------------------------------------------------------


@case("billion_laughs_9_levels", "graph", PlanError, "through aliases")
def _(tmp):
    return _graph_file(tmp, "laughs.yaml", billion_laughs(9))


@case("recursive_alias", "graph", PlanError, "recursive alias")
def _(tmp):
    return _graph_file(tmp, "recursive.yaml", "nodes: &n [*n]\n")


@case("complete_digraph_12", "graph", GraphError, "cycle")
def _(tmp):
    return _graph_file(tmp, "complete.json", complete_digraph(12))


@case("independent_nodes_10000", "graph", GraphError, "at most 500")
def _(tmp):
    nodes = [{"id": f"n{i}", "op": "remove", "target": {"noun": f"thing{i}"}} for i in range(10_000)]
    return _graph_file(tmp, "wide.json", json.dumps({"nodes": nodes}))


@case("recolours_of_one_target_5000", "graph", GraphError, "at most 500")
def _(tmp):
    nodes = [
        {"id": f"n{i}", "op": "recolor", "target": {"noun": "circle"}, "params": {"color": ["red", "blue"][i % 2]}}
        for i in range(5000)
    ]
    return _graph_file(tmp, "recolours.json", json.dumps({"nodes": nodes}))


@case("recolours_of_one_target_500", "graph", GraphError, "more conflicting pairs")
def _(tmp):
    nodes = [
        {"id": f"n{i}", "op": "recolor", "target": {"noun": "circle"}, "params": {"color": ["red", "blue"][i % 2]}}
        for i in range(500)
    ]
    return _graph_file(tmp, "recolours500.yaml", json.dumps({"nodes": nodes}))


@case("yaml_nested_900", "graph", PlanError, "nested deeper")
def _(tmp):
    return _graph_file(tmp, "deep.yaml", "nodes: " + "[" * 900 + "]" * 900 + "\n")


@case("yaml_block_nested_200", "graph", PlanError, "nested deeper")
def _(tmp):
    return _graph_file(tmp, "deep_block.yaml", "".join("  " * i + f"k{i}:\n" for i in range(200)))


@case("json_nested_100k", "graph", GraphError, "deeper than")
def _(tmp):
    return _graph_file(tmp, "deep.json", "[" * 100_000 + "]" * 100_000)


@case("yaml_complex_key", "graph", PlanError, "plain text")
def _(tmp):
    return _graph_file(tmp, "complex.yaml", "? [a, b]\n: 1\nnodes: []\n")


@case("yaml_integer_5000_digits", "graph", PlanError, "digits")
def _(tmp):
    return _graph_file(tmp, "bigint.yaml", "version: " + "9" * 5000 + "\nnodes: []\n")


@case("json_integer_5000_digits", "graph", GraphError, "cannot be read")
def _(tmp):
    return _graph_file(tmp, "bigint.json", '{"version": ' + "9" * 5000 + ', "nodes": []}')


@case("latin1_text", "graph", PlanError, "not UTF-8")
def _(tmp):
    return _graph_file(tmp, "latin.yaml", "prompt: caf\xe9\nnodes: []\n".encode("latin-1"))


@case("utf16_text", "graph", PlanError, "UTF-16")
def _(tmp):
    return _graph_file(tmp, "utf16.yaml", "nodes: []\n".encode("utf-16"))


@case("nul_byte", "graph", PlanError, "NUL")
def _(tmp):
    return _graph_file(tmp, "nul.yaml", "nodes: [\x00]\n")


@case("control_character", "graph", PlanError, "control characters")
def _(tmp):
    return _graph_file(tmp, "bell.yaml", "prompt: \x07\nnodes: []\n")


@case("graph_document_2mb", "graph", PlanError, "limit")
def _(tmp):
    return _graph_file(tmp, "big.yaml", "prompt: " + "x" * 2_000_000 + "\nnodes: []\n")


@case("yaml_50k_aliases", "graph", PlanError, "values")
def _(tmp):
    return _graph_file(tmp, "aliases.yaml", "a: &a 1\nnodes: [" + ",".join(["*a"] * 60_000) + "]\n")


@case("from_yaml_none", "graph", GraphError, "must be text")
def _(tmp):
    from nanoedit.graphs import InstructionGraph

    return {"call": lambda: InstructionGraph.from_yaml(None), "argv": None}


@case("from_json_bytes_garbage", "graph", GraphError, "")
def _(tmp):
    from nanoedit.graphs import InstructionGraph

    return {"call": lambda: InstructionGraph.from_json(b"\xff\xfe{"), "argv": None}


@case("from_dict_self_containing", "graph", GraphError, "contains itself")
def _(tmp):
    from nanoedit.graphs import InstructionGraph

    data: dict[str, Any] = {"nodes": []}
    data["trace"] = [data]
    return {"call": lambda: InstructionGraph.from_dict(data), "argv": None}


@case("graph_file_is_fifo", "graph", PlanError, "not a regular file")
def _(tmp):
    from nanoedit.graph_cli import load_graphs

    path = tmp / "fifo.yaml"
    os.mkfifo(path)
    return {"call": lambda: load_graphs(path), "argv": ["graph", "validate", str(path)]}


@case("graph_path_5000_chars", "graph", PlanError, "too long")
def _(tmp):
    from nanoedit.graph_cli import load_graphs

    path = tmp / ("x" * 5000 + ".yaml")
    return {"call": lambda: load_graphs(path), "argv": ["graph", "validate", str(path)]}


@case("graph_path_with_nul", "graph", PlanError, "NUL")
def _(tmp):
    from nanoedit.graph_cli import load_graphs

    path = str(tmp / "a\x00b.yaml")
    return {"call": lambda: load_graphs(Path(path)), "argv": ["graph", "validate", path]}


# -- plans ---------------------------------------------------------------------------------------


@case("plan_billion_laughs", "plan", PlanError, "through aliases")
def _(tmp):
    return _plan_file(tmp, billion_laughs(9) + SCENE_PLAN)


@case("plan_outputs_dir_parent", "plan", PlanError, "outside the plan's folder")
def _(tmp):
    return _plan_file(tmp, SCENE_PLAN + "outputs: {dir: ../../escaped}\n")


@case("plan_outputs_dir_absolute", "plan", PlanError, "outside the plan's folder")
def _(tmp):
    return _plan_file(tmp, SCENE_PLAN + f"outputs: {{dir: {tmp / 'abs_escaped'}}}\n")


@case("plan_outputs_dir_symlink", "plan", PlanError, "symlink")
def _(tmp):
    (tmp / "plans").mkdir(parents=True, exist_ok=True)
    (tmp / "elsewhere").mkdir(exist_ok=True)
    (tmp / "plans" / "link").symlink_to(tmp / "elsewhere", target_is_directory=True)
    return _plan_file(tmp, SCENE_PLAN + "outputs: {dir: link/out}\n")


@case("plan_image_outside", "plan", PlanError, "outside the plan's folder")
def _(tmp):
    _write(tmp / "secret.png", png_bytes())
    return _plan_file(tmp, "input: {image: ../secret.png}\nturns: [{instruction: x}]\n")


@case("plan_image_symlink_outside", "plan", PlanError, "symlink")
def _(tmp):
    _write(tmp / "secret.png", png_bytes())
    (tmp / "plans").mkdir(parents=True, exist_ok=True)
    (tmp / "plans" / "cat.png").symlink_to(tmp / "secret.png")
    return _plan_file(tmp, "input: {image: cat.png}\nturns: [{instruction: x}]\n")


@case("plan_mask_outside", "plan", PlanError, "outside the plan's folder")
def _(tmp):
    _write(tmp / "plans" / "cat.png", png_bytes())
    return _plan_file(tmp, "input: {image: cat.png}\nturns: [{instruction: x, mask: /etc/hostname}]\n")


@case("plan_image_truncated", "plan", PlanError, "truncated")
def _(tmp):
    _write(tmp / "plans" / "cat.png", png_bytes((64, 64))[:-40])
    return _plan_file(tmp, "input: {image: cat.png}\nturns: [{instruction: x}]\n")


@case("plan_image_not_an_image", "plan", PlanError, "cannot read")
def _(tmp):
    _write(tmp / "plans" / "cat.png", b"GIF89a but not really")
    return _plan_file(tmp, "input: {image: cat.png}\nturns: [{instruction: x}]\n")


@case("plan_image_bomb_header", "plan", PlanError, "20000x20000")
def _(tmp):
    _write(tmp / "plans" / "cat.png", png_header_only(20000, 20000))
    return _plan_file(tmp, "input: {image: cat.png}\nturns: [{instruction: x}]\n")


@case("plan_image_is_fifo", "plan", PlanError, "not a regular file")
def _(tmp):
    (tmp / "plans").mkdir(parents=True, exist_ok=True)
    os.mkfifo(tmp / "plans" / "cat.png")
    return _plan_file(tmp, "input: {image: cat.png}\nturns: [{instruction: x}]\n")


@case("plan_image_is_folder", "plan", PlanError, "folder")
def _(tmp):
    (tmp / "plans" / "cat.png").mkdir(parents=True)
    return _plan_file(tmp, "input: {image: cat.png}\nturns: [{instruction: x}]\n")


@case("plan_image_path_5000_chars", "plan", PlanError, "too long")
def _(tmp):
    return _plan_file(tmp, f"input: {{image: {'x' * 5000}.png}}\nturns: [{{instruction: x}}]\n")


@case("plan_image_path_nul", "plan", PlanError, "NUL")
def _(tmp):
    return _plan_file(tmp, 'input: {image: "a\\0b.png"}\nturns: [{instruction: x}]\n')


@case("plan_prompt_20001_chars", "plan", PlanError, "at most 20000")
def _(tmp):
    return _plan_file(tmp, "input: {scene: {seed: 1}}\nturns: [{instruction: " + "a" * 20_001 + "}]\n")


@case("plan_1000_turns", "plan", PlanError, "at most 100")
def _(tmp):
    return _plan_file(tmp, "input: {scene: {seed: 1}}\nturns:\n" + "  - {instruction: make it warm}\n" * 1000)


@case("plan_unreadable_missing", "plan", PlanError, "not found")
def _(tmp):
    from nanoedit.plans import load_plan

    return {"call": lambda: load_plan(tmp / "nope.yaml"), "argv": ["graph", "validate", str(tmp / "nope.yaml")]}


@case("plan_is_folder", "plan", PlanError, "folder")
def _(tmp):
    from nanoedit.plans import load_plan

    (tmp / "dir.yaml").mkdir()
    return {"call": lambda: load_plan(tmp / "dir.yaml"), "argv": ["graph", "validate", str(tmp / "dir.yaml")]}


@case("plan_graph_turn_complete_digraph", "plan", PlanError, "cycle")
def _(tmp):
    graph = json.loads(complete_digraph(12))
    return _plan_file(tmp, json.dumps({"input": {"scene": {"seed": 1}}, "turns": [{"graph": graph}]}))


# -- images for --images --------------------------------------------------------------------------


def _photos(tmp: Path, files: dict[str, bytes | None]) -> dict[str, Any]:
    from nanoedit.evals.probes.photos import load_photos

    folder = tmp / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if data is None:
            os.mkfifo(folder / name)
        else:
            _write(folder / name, data)
    argv = ["probe", "--editor", "python:nanoedit.evals.reference:NullEditor", "--out", str(tmp / "report"),
            "--images", str(folder), "--suite", "identity", "-n", "1"]  # fmt: skip
    return {"call": lambda: load_photos(folder), "argv": argv}


@case("images_truncated_png", "image", EvalError, "truncated")
def _(tmp):
    return _photos(tmp, {"a.png": png_bytes((64, 64))[:-40]})


@case("images_bomb_header_20000", "image", EvalError, "20000x20000")
def _(tmp):
    return _photos(tmp, {"a.png": png_header_only(20000, 20000)})


@case("images_bomb_real_8193", "image", EvalError, "8193x8193")
def _(tmp):
    return _photos(tmp, {"a.png": png_bomb(8193, 8193)})


@case("images_only_a_fifo", "image", EvalError, "holds no images")
def _(tmp):
    return _photos(tmp, {"x.png": None})


@case("images_not_images", "image", EvalError, "cannot read")
def _(tmp):
    return _photos(tmp, {"a.png": b"\x89PNG\r\n\x1a\n garbage"})


@case("images_path_nul", "image", EvalError, "NUL")
def _(tmp):
    from nanoedit.evals.probes.photos import load_photos

    return {"call": lambda: load_photos("a\x00b"), "argv": None}


# -- model folders ---------------------------------------------------------------------------------

SMALL_DIT = dict(
    in_channels=4, out_channels=4, num_attention_heads=2, attention_head_dim=8, num_layers=2,
    num_cross_attention_heads=2, cross_attention_head_dim=8, cross_attention_dim=16, caption_channels=16,
    sample_size=8,
)  # fmt: skip
WEIGHTS = "diffusion_pytorch_model.safetensors"
_MODEL_CACHE: dict[bool, Path] = {}


def _saved_model(tmp: Path, sharded: bool) -> Path:
    """A copy of a small saved LinearDiT folder (the original is built once per process)."""
    from nanoedit.backbone.linear_dit import LinearDiT, LinearDiTConfig

    if sharded not in _MODEL_CACHE or not _MODEL_CACHE[sharded].is_dir():
        import tempfile

        import torch

        torch.manual_seed(0)
        source = Path(tempfile.mkdtemp(prefix="hostile-model-"))
        LinearDiT(LinearDiTConfig(**SMALL_DIT)).save_pretrained(source, max_shard_bytes=2000 if sharded else None)
        _MODEL_CACHE[sharded] = source
    folder = tmp / "model"
    shutil.copytree(_MODEL_CACHE[sharded], folder)
    return folder


def _dit(tmp: Path, change: Callable[[Path], None], sharded: bool = False) -> dict[str, Any]:
    from nanoedit.backbone.linear_dit import LinearDiT

    folder = _saved_model(tmp, sharded)
    change(folder)
    return {"call": lambda: LinearDiT.from_pretrained(folder), "argv": None}


def _config(value: Any = None, raw: str | bytes | None = None, **fields):
    def change(folder: Path) -> None:
        path = folder / "config.json"
        if raw is not None:
            _write(path, raw)
        elif fields:
            config = json.loads(path.read_text())
            config.update(fields)
            path.write_text(json.dumps(config))
        else:
            path.write_text(json.dumps(value))

    return change


for _name, _change, _match in [
    ("config_is_a_list", _config([1, 2]), "JSON list"),
    ("config_is_null", _config(None), "JSON null"),
    ("config_latin1", _config(raw='{"num_layers": 2, "x": "caf\xe9"}'.encode("latin-1")), "not UTF-8"),
    ("config_nested_100k", _config(raw="[" * 100_000 + "]" * 100_000), "levels deep"),
    ("config_garbage", _config(raw="{not json"), "not valid JSON"),
    ("num_layers_two", _config(num_layers="two"), "num_layers='two' is not an int"),
    ("num_layers_2.5", _config(num_layers=2.5), "num_layers=2.5 is not an int"),
    ("num_layers_null", _config(num_layers=None), "num_layers is null"),
    ("num_layers_10000", _config(num_layers=10_000), "out of range"),
    ("heads_zero", _config(num_attention_heads=0), "out of range"),
    ("heads_negative", _config(num_attention_heads=-4), "out of range"),
    ("heads_huge", _config(num_attention_heads=10**12), "out of range"),
    ("heads_bool", _config(num_attention_heads=True), "is not an int"),
    ("mlp_ratio_nan", _config(raw=json.dumps({**SMALL_DIT, "mlp_ratio": float("nan")})), "not a finite number"),
    ("patch_size_zero", _config(patch_size=0), "out of range"),
    ("qk_norm_unknown", _config(qk_norm="layer_norm"), "not supported"),
]:
    case(f"model_{_name}", "model", ModelLoadError, _match)(lambda tmp, c=_change: _dit(tmp, c))


def _rewrite_weights(transform: Callable[[Any], Any]):
    def change(folder: Path) -> None:
        from safetensors.torch import load_file, save_file

        tensors = load_file(folder / WEIGHTS)
        save_file({k: transform(v) for k, v in tensors.items()}, folder / WEIGHTS)

    return change


def _truncate(folder: Path) -> None:
    data = (folder / WEIGHTS).read_bytes()
    (folder / WEIGHTS).write_bytes(data[: len(data) // 2])


def _bad_offset(folder: Path) -> None:
    data = (folder / WEIGHTS).read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    first = next(k for k in header if k != "__metadata__")
    header[first]["data_offsets"] = [0, 10**9]
    encoded = json.dumps(header).encode()
    (folder / WEIGHTS).write_bytes(struct.pack("<Q", len(encoded)) + encoded + data[8 + length :])


def _huge_header(folder: Path) -> None:
    (folder / WEIGHTS).write_bytes(struct.pack("<Q", 2**62) + b"{}")


for _name, _change, _match in [
    ("weights_truncated", _truncate, "truncated"),
    ("weights_empty", lambda f: (f / WEIGHTS).write_bytes(b""), "empty"),
    ("weights_bad_offset", _bad_offset, "bad offsets"),
    ("weights_huge_header_length", _huge_header, "truncated"),
    ("weights_int8", _rewrite_weights(lambda t: t.to(__import__("torch").int8)), "int8"),
    ("weights_all_nan", _rewrite_weights(lambda t: t.clone().fill_(float("nan"))), "all NaN"),
    ("weights_missing", lambda f: (f / WEIGHTS).unlink(), "no weights"),
]:
    case(f"model_{_name}", "model", ModelLoadError, _match)(lambda tmp, c=_change: _dit(tmp, c))


@case("model_weights_float64_loads_with_a_warning", "model", None)
def _(tmp):
    return _dit(tmp, _rewrite_weights(lambda t: t.double()))


INDEX = WEIGHTS + ".index.json"


def _index(transform: Callable[[dict, Path], Any]):
    def change(folder: Path) -> None:
        index = json.loads((folder / INDEX).read_text())
        result = transform(index, folder)
        (folder / INDEX).write_text(result if isinstance(result, str) else json.dumps(result))

    return change


def _first_shard_to(target: Callable[[str, Path], str]):
    def transform(index: dict, folder: Path) -> dict:
        first = sorted(set(index["weight_map"].values()))[0]
        new = target(first, folder)
        index["weight_map"] = {k: new if v == first else v for k, v in index["weight_map"].items()}
        return index

    return transform


def _move_out(name: str, folder: Path) -> str:
    shutil.move(folder / name, folder.parent / "outside.safetensors")
    return "../outside.safetensors"


def _symlink_out(folder: Path) -> None:
    index = json.loads((folder / INDEX).read_text())
    first = sorted(set(index["weight_map"].values()))[0]
    shutil.move(folder / first, folder.parent / "elsewhere.safetensors")
    (folder / first).symlink_to(folder.parent / "elsewhere.safetensors")


for _name, _change, _match in [
    ("index_not_json", _index(lambda i, f: "{garbage"), "not valid JSON"),
    ("index_is_a_list", _index(lambda i, f: [1, 2]), "weight_map"),
    ("index_no_weight_map", _index(lambda i, f: {"metadata": {}}), "weight_map"),
    ("index_shard_not_a_name", _index(lambda i, f: {"weight_map": {"a": 5}}), "not a shard file name"),
    ("index_shard_parent_path", _index(_first_shard_to(_move_out)), "outside"),
    ("index_shard_absolute_path", _index(_first_shard_to(lambda n, f: str((f / n).resolve()))), "outside"),
    ("index_shard_symlink_out", _symlink_out, "outside"),
    ("index_shard_missing", _index(_first_shard_to(lambda n, f: "nope.safetensors")), "missing"),
]:
    case(f"model_{_name}", "model", ModelLoadError, _match)(lambda tmp, c=_change: _dit(tmp, c, sharded=True))


def _llm_folder(tmp: Path, files: dict[str, bytes]) -> dict[str, Any]:
    from nanoedit.backbone.checkpoint import check_weights_folder

    folder = tmp / "llm"
    folder.mkdir()
    _write(folder / "config.json", json.dumps({"model_type": "gpt2", "n_layer": 1}))
    for name, data in files.items():
        _write(folder / name, data)
    argv = ["plan", "make it red", "--planner", "llm", "--model", str(folder)]
    return {"call": lambda: check_weights_folder(folder), "argv": argv}


def _torch_save_bytes() -> bytes:
    import torch

    buffer = io.BytesIO()
    torch.save({"weight": torch.zeros(2)}, buffer)
    return buffer.getvalue()


@case("llm_pickle_bin", "model", ModelLoadError, "pickle")
def _(tmp):
    import pickle

    return _llm_folder(tmp, {"pytorch_model.bin": pickle.dumps({"weight": [0.0]})})


@case("llm_torch_save_file", "model", ModelLoadError, "pickle")
def _(tmp):
    return _llm_folder(tmp, {"model.pt": _torch_save_bytes()})


@case("llm_truncated_safetensors", "model", ModelLoadError, "truncated")
def _(tmp):
    import torch
    from safetensors.torch import save as save_bytes

    data = save_bytes({"transformer.h.0.attn.weight": torch.zeros(64, 64)})
    return _llm_folder(tmp, {"model.safetensors": data[: len(data) // 3]})


# -- editor behaviours ---------------------------------------------------------------------------


def _editor(fn: Callable, timeout: float | None = 1.0) -> dict[str, Any]:
    from nanoedit.evals.adapters import EditRequest, as_editor, call_editor

    adapter = as_editor(fn)
    request = EditRequest(Image.new("RGB", (16, 16)), "make it blue")

    def call():
        outcome = call_editor(adapter, request, timeout)
        if not outcome.ok:  # call_editor never raises: the outcome records the error
            raise EditorError(outcome.error or "no image")
        return outcome

    return {"call": call, "argv": None}


@case("editor_returns_0x0", "editor", EditorError, "0x0")
def _(tmp):
    return _editor(lambda image, instruction: Image.new("RGB", (0, 0)))


@case("editor_returns_none", "editor", EditorError, "NoneType")
def _(tmp):
    return _editor(lambda image, instruction: None)


@case("editor_returns_huge_array", "editor", EditorError, "20000x20000")
def _(tmp):
    import numpy as np

    huge = np.lib.stride_tricks.as_strided(np.zeros(1, np.uint8), shape=(20000, 20000, 3), strides=(0, 0, 0))
    return _editor(lambda image, instruction: huge)


@case("editor_returns_odd_tensor", "editor", EditorError, "")
def _(tmp):
    import torch

    return _editor(lambda image, instruction: torch.zeros(5, 7))


@case("editor_returns_missing_path", "editor", EditorError, "not found")
def _(tmp):
    return _editor(lambda image, instruction: str(tmp / "nothing.png"))


@case("editor_raises", "editor", EditorError, "ZeroDivisionError")
def _(tmp):
    return _editor(lambda image, instruction: 1 / 0)


@case("editor_bad_http_url", "editor", EditorError, "not a valid URL")
def _(tmp):
    from nanoedit.evals.adapters import HttpEditor

    return {"call": lambda: HttpEditor("http://127.0.0.1:99999999/edit"), "argv": None}


# -- CLI arguments and output folders ----------------------------------------------------------


def _cli(argv: list[str], error: type[NanoeditError] | None = None, call=None) -> dict[str, Any]:
    return {"call": call, "argv": argv}


def _file(tmp: Path) -> Path:
    return _write(tmp / "afile", "I am a file")


for _name, _out in [
    ("existing_file", lambda t: _file(t)),
    ("under_a_file", lambda t: _file(t) / "sub"),
    ("dev_null", lambda t: Path("/dev/null")),
    ("proc", lambda t: Path("/proc/self/out")),
]:

    def _demo_case(tmp, out=_out):  # through the CLI only: `nanoedit demo -o OUT` checks OUT before any work
        return {"call": None, "argv": ["demo", "-o", str(out(tmp))]}

    def _toy_case(tmp, out=_out):
        target = out(tmp)
        return {"call": None, "argv": ["toyworld", "sample", "--n", "2", "-o", str(target)]}

    def _probe_case(tmp, out=_out):
        from nanoedit.evals import run_probes
        from nanoedit.evals.reference import NullEditor

        target = out(tmp)
        argv = ["probe", "--editor", "python:nanoedit.evals.reference:NullEditor", "--out", str(target), "-n", "1"]
        return {"call": lambda: run_probes(NullEditor(), out=target, n=1, quiet=True), "argv": argv}

    case(f"demo_out_{_name}", "cli", OutputError, "cannot write")(_demo_case)
    case(f"toyworld_out_{_name}", "cli", OutputError, "cannot write")(_toy_case)
    case(f"probe_out_{_name}", "cli", OutputError, "cannot write")(_probe_case)


for _columns in ("-3", "0"):
    case(f"toyworld_columns_{_columns}", "cli", SceneError, "--columns")(
        lambda tmp, c=_columns: _cli(["toyworld", "sample", "--n", "2", "-o", str(tmp / "out"), "--columns", c])
    )


def _probe_args(tmp: Path, *extra: str) -> list[str]:
    return ["probe", "--editor", "python:nanoedit.evals.reference:NullEditor", "--out", str(tmp / "r"), "-n", "1",
            "--suite", "identity", *extra]  # fmt: skip


for _flag, _value in [("--turns", "0"), ("--timeout", "0"), ("--timeout", "-1"), ("--timeout", "nan"), ("-n", "0")]:
    case(f"probe{_flag.replace('-', '_')}_{_value}", "cli", EvalError, _flag.lstrip("-")[:4])(
        lambda tmp, f=_flag, v=_value: _cli(_probe_args(tmp, f, v))
    )


@case("probe_garbage_run_json", "cli", EvalError, "not a probe run's manifest")
def _(tmp):
    from nanoedit.evals import run_probes
    from nanoedit.evals.reference import NullEditor

    _write(tmp / "r" / "run.json", b"\x00\xffgarbage")
    return {"call": lambda: run_probes(NullEditor(), out=tmp / "r", n=1, suite="identity", quiet=True),
            "argv": _probe_args(tmp)}  # fmt: skip


@case("probe_run_json_is_a_list", "cli", EvalError, "not a probe run's manifest")
def _(tmp):
    from nanoedit.evals import run_probes
    from nanoedit.evals.reference import NullEditor

    _write(tmp / "r" / "run.json", "[1, 2, 3]")
    return {"call": lambda: run_probes(NullEditor(), out=tmp / "r", n=1, suite="identity", quiet=True),
            "argv": _probe_args(tmp)}  # fmt: skip


def cases(kind: str | None = None) -> list[Case]:
    return [c for c in CASES if kind is None or c.kind == kind]
