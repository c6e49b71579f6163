"""Model folders in the Hugging Face layout: ``config.json`` + safetensors weights, sharded or not.

One implementation serves every model in the backbone (the DiT, the toy autoencoder, the toy text
encoder), so they all read and write the same way: strict key matching on load, atomic writes
(temp file, then rename) on save, and an ``.index.json`` weight map when the weights are sharded.

A model folder is user input, so everything in it is checked before it is trusted, each failure a
``ModelLoadError`` that says what to do: ``config.json`` must be a UTF-8 JSON object of bounded size
and depth whose fields have the config's types and ranges (``check_config_fields``), before any
module is built; every shard an index names must lie inside the folder once symlinks are followed;
every safetensors file's header is validated against the file's size (empty, truncated and
bad-offset files are named as such); weights must be floating point and not all NaN (float64 is
cast to float32 with a warning). ``check_weights_folder`` applies the same file checks for the
loaders of other libraries (transformers, diffusers, peft) before they are called, and refuses
pickle weights: nanoedit loads safetensors only.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import struct
import warnings
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from nanoedit.errors import ModelLoadError
from nanoedit.io import atomic_path, check_path, decode_text, is_inside, read_bytes, write_text

CONFIG_NAME = "config.json"
MAX_CONFIG_BYTES = 1024 * 1024
MAX_CONFIG_DEPTH = 32
MAX_INDEX_BYTES = 64 * 1024 * 1024
MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024  # the limit the safetensors library itself uses
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
# safetensors dtype -> bytes per element
SAFETENSORS_DTYPES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1, "I16": 2, "U16": 2, "F16": 2,
    "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}  # fmt: skip


def _read_json(path: Path, what: str, max_bytes: int) -> Any:
    """JSON from a regular UTF-8 file of bounded size and nesting, every failure a ModelLoadError."""
    text = decode_text(read_bytes(path, ModelLoadError, what, max_bytes), ModelLoadError, f"{what} {path}")
    depth = deepest = 0
    in_string = escaped = False
    for char in text:  # json.loads recurses: a deeply nested file would raise RecursionError
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    if deepest > MAX_CONFIG_DEPTH:
        raise ModelLoadError(f"{what} {path} nests {deepest} levels deep; it is not a model file, re-save the model")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:
        raise ModelLoadError(f"{what} {path} is not valid JSON ({err}); re-save the model") from None


def read_config(folder: str | os.PathLike) -> dict:
    path = check_path(folder, ModelLoadError, "the model folder") / CONFIG_NAME
    if not path.is_file():
        raise ModelLoadError(f"{path} not found: pass a model folder holding {CONFIG_NAME} and its weights")
    config = _read_json(path, "the model config", MAX_CONFIG_BYTES)
    if not isinstance(config, dict):
        raise ModelLoadError(
            f"{path} holds a JSON {'null' if config is None else type(config).__name__}, not an object of "
            "config fields; re-save the model"
        )
    return config


def check_config_fields(
    config_class: type, raw: dict, where: str, limits: dict[str, tuple[float, float]] | None = None
) -> None:
    """Check the fields of ``raw`` that ``config_class`` (a dataclass) declares, before anything is built:
    each value must have its annotated type (``int``, ``float``, ``bool``, ``str``, ``... | None``;
    a bool is not an int, a float must be finite) and lie within ``limits[name]`` (inclusive).
    Every problem is listed in one ``ModelLoadError``."""
    problems = []
    limits = limits or {}
    for field in dataclasses.fields(config_class):
        if field.name not in raw:
            continue
        value = raw[field.name]
        annotation = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "")
        allowed = {part.strip() for part in str(annotation).split("|")}
        if value is None:
            if "None" not in allowed:
                problems.append(f"{field.name} is null; give a value")
            continue
        kind = _kind(value)
        accepted = kind in allowed or (kind == "int" and "float" in allowed)
        if allowed <= {"int", "float", "bool", "str", "None"} and not accepted:
            wanted = " or ".join(sorted(allowed - {"None"}))
            problems.append(f"{field.name}={_short(value)} is not {'an' if wanted[0] in 'aeiou' else 'a'} {wanted}")
            continue
        if kind == "float" and not math.isfinite(value):
            problems.append(f"{field.name}={value} is not a finite number")
            continue
        if field.name in limits and kind in ("int", "float"):
            low, high = limits[field.name]
            if not low <= value <= high:
                problems.append(f"{field.name}={_short(value)} is out of range; use {low:g} to {high:g}")
    if problems:
        raise ModelLoadError(f"{where}: {'; '.join(problems)}. Fix the config or re-save the model.")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def write_config(folder: str | os.PathLike, config: dict) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(config, indent=2, sort_keys=True) + "\n"
    write_text(folder / CONFIG_NAME, text)


def _shard_name(weights_name: str, index: int, total: int) -> str:
    stem = weights_name.removesuffix(".safetensors")
    return f"{stem}-{index:05d}-of-{total:05d}.safetensors"


def save_weights(
    folder: str | os.PathLike,
    state_dict: dict[str, torch.Tensor],
    weights_name: str,
    max_shard_bytes: int | None = None,
) -> None:
    """Save ``state_dict`` as one safetensors file, or as shards of at most ``max_shard_bytes`` + an index."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
    shards: list[dict[str, torch.Tensor]] = [{}]
    shard_bytes = 0
    for key, tensor in tensors.items():
        size = tensor.numel() * tensor.element_size()
        if max_shard_bytes is not None and shards[-1] and shard_bytes + size > max_shard_bytes:
            shards.append({})
            shard_bytes = 0
        shards[-1][key] = tensor
        shard_bytes += size
    metadata = {"format": "pt"}
    if len(shards) == 1:
        with atomic_path(folder / weights_name) as tmp:
            save_file(shards[0], tmp, metadata=metadata)
        return
    weight_map = {}
    for i, shard in enumerate(shards, start=1):
        name = _shard_name(weights_name, i, len(shards))
        with atomic_path(folder / name) as tmp:
            save_file(shard, tmp, metadata=metadata)
        weight_map.update(dict.fromkeys(shard, name))
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    index = json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2) + "\n"
    write_text(folder / f"{weights_name}.index.json", index)


def _inside(folder: Path, name: Any, index: Path) -> Path:
    """The shard ``name`` an index lists, checked to be a plain file name that stays inside ``folder``."""
    if not isinstance(name, str) or not name:
        raise ModelLoadError(f"{index} names a shard {_short(name)}, not a file name; re-save the model")
    path = check_path(folder / name, ModelLoadError, "a shard path")
    if Path(name).is_absolute() or not is_inside(path, folder):
        raise ModelLoadError(
            f"{index} names the shard {name!r}, which lies outside {folder}; shards must be files inside the "
            "model folder (copy them in and list them by file name)"
        )
    return path


def _weight_map(index: Path, folder: Path) -> dict[str, Path]:
    """The tensor name -> shard path map of a ``*.index.json``, every shard checked to be inside ``folder``."""
    document = _read_json(index, "the weight index", MAX_INDEX_BYTES)
    weight_map = document.get("weight_map") if isinstance(document, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        raise ModelLoadError(
            f"{index} has no 'weight_map' object of tensor name -> shard file; re-save the model"
        )
    shards: dict[str, Path] = {}
    resolved: dict[str, Path] = {}
    for key, name in weight_map.items():
        if not isinstance(name, str):
            raise ModelLoadError(f"{index} maps {key!r} to {_short(name)}, not a shard file name; re-save the model")
        if name not in resolved:
            resolved[name] = _inside(folder, name, index)
        shards[key] = resolved[name]
    return shards


def check_safetensors(path: Path) -> dict[str, dict]:
    """Validate a safetensors file from its header alone (no tensor data is read): the header length,
    the JSON header, every tensor's dtype, shape and offsets against the file's size. Returns the
    tensor entries (name -> {dtype, shape, data_offsets})."""
    info = path.stat()
    size = info.st_size
    if size == 0:
        raise ModelLoadError(f"{path} is empty; the download or save did not finish, copy the file again")
    if size < 8:
        raise ModelLoadError(f"{path} is {size} bytes, truncated; copy the file again")
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        if length > min(size - 8, MAX_SAFETENSORS_HEADER):
            raise ModelLoadError(
                f"{path} is not a safetensors file or is truncated (header of {length} bytes in a {size}-byte "
                "file); copy the file again"
            )
        raw = handle.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelLoadError(f"{path} has a damaged safetensors header; copy the file again") from None
    if not isinstance(header, dict):
        raise ModelLoadError(f"{path} has a damaged safetensors header; copy the file again")
    data_size = size - 8 - length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        ok = isinstance(entry, dict) and entry.get("dtype") in SAFETENSORS_DTYPES
        shape, offsets = (entry.get("shape"), entry.get("data_offsets")) if ok else (None, None)
        ok = ok and isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)
        ok = ok and isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)
        if not ok:
            raise ModelLoadError(f"{path}: tensor {name!r} has a damaged header entry; copy the file again")
        start, end = offsets
        expected = math.prod(shape) * SAFETENSORS_DTYPES[entry["dtype"]]
        if not 0 <= start <= end or end - start != expected:
            raise ModelLoadError(
                f"{path}: tensor {name!r} has bad offsets {offsets} for shape {shape} ({entry['dtype']}); "
                "the file is damaged, copy it again"
            )
        if end > data_size:
            raise ModelLoadError(
                f"{path} is truncated: tensor {name!r} ends at byte {end} of a {data_size}-byte data section; "
                "copy the file again"
            )
        tensors[name] = entry
    return tensors


def _load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    check_safetensors(path)
    try:
        return load_file(path)
    except Exception as err:  # noqa: BLE001 - the safetensors library raises its own untyped errors
        raise ModelLoadError(f"cannot read {path} ({type(err).__name__}: {err}); copy the file again") from None


def check_tensors(state: dict[str, torch.Tensor], where: str) -> dict[str, torch.Tensor]:
    """Refuse weights no nanoedit model can use; return ``state`` with float64 cast to float32.

    A tensor that is all NaN (a broken save) is an error. Float64 is cast to float32 with a warning; a
    tensor with some NaN or infinite values is loaded with a warning. (Integer tensors where the model
    has floating-point parameters, as in int8-quantised files, are refused by ``load_strict``.)"""
    doubles = sorted(k for k, t in state.items() if t.dtype == torch.float64)
    if doubles:
        warnings.warn(
            f"{len(doubles)} tensors in {where} are float64 ({', '.join(doubles[:3])}...); casting them to float32",
            stacklevel=3,
        )
        state = {k: t.float() if t.dtype == torch.float64 else t for k, t in state.items()}
    all_nan, some_bad = [], []
    for key, tensor in state.items():
        if tensor.numel() == 0:
            continue
        finite = torch.isfinite(tensor)
        if not bool(finite.all()):
            (all_nan if bool(torch.isnan(tensor).all()) else some_bad).append(key)
    if all_nan:
        raise ModelLoadError(
            f"weights in {where} are all NaN in {len(all_nan)} tensors ({', '.join(sorted(all_nan)[:5])}); "
            "the checkpoint is broken, re-save it from a good model"
        )
    if some_bad:
        warnings.warn(
            f"{len(some_bad)} tensors in {where} hold NaN or infinite values ({', '.join(sorted(some_bad)[:3])})",
            stacklevel=3,
        )
    return state


def load_weights(folder: str | os.PathLike, weights_name: str) -> dict[str, torch.Tensor]:
    """Read ``weights_name`` from ``folder``, or its shards when an ``<weights_name>.index.json`` is there.

    Shards must lie inside ``folder`` (symlinks followed); files are validated before they are read
    and the tensors by ``check_tensors``."""
    folder = check_path(folder, ModelLoadError, "the model folder")
    single, index = folder / weights_name, folder / f"{weights_name}.index.json"
    if single.is_file():
        if not is_inside(single, folder):
            raise ModelLoadError(f"{single} links outside {folder}; copy the weights into the model folder")
        return check_tensors(_load_safetensors(single), str(folder))
    if index.is_file():
        shards = _weight_map(index, folder)
        state: dict[str, torch.Tensor] = {}
        for shard in sorted(set(shards.values())):
            if not shard.is_file():
                raise ModelLoadError(f"{shard} is listed in {index.name} but missing; copy the full folder")
            state.update(_load_safetensors(shard))
        missing = sorted(set(shards) - set(state))
        if missing:
            raise ModelLoadError(
                f"{index.name} lists tensors its shards do not hold ({', '.join(missing[:5])}); copy the full folder"
            )
        return check_tensors(state, str(folder))
    raise ModelLoadError(f"no weights in {folder}: expected {weights_name} or {index.name}")


def check_weights_folder(folder: str | os.PathLike) -> None:
    """The checks of ``load_weights`` for a folder another library will load (transformers, diffusers,
    peft): no pickle weights, every ``*.index.json`` well formed with its shards inside the folder, every
    ``*.safetensors`` file (and symlink) inside the folder with a valid header. Call it before the
    library's ``from_pretrained``: those libraries would follow ``../`` shard names, unpickle ``.bin``
    files, or fail with tracebacks several lines long."""
    folder = check_path(folder, ModelLoadError, "the model folder")
    if not folder.is_dir():
        raise ModelLoadError(f"{folder} is not a folder; give the model folder save_pretrained wrote")
    pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES and p.is_file())
    if pickles:
        raise ModelLoadError(
            f"{folder} holds pickle weights ({', '.join(pickles[:3])}); nanoedit loads safetensors only, which "
            "cannot run code: convert them (load with torch.load(weights_only=True), then save_pretrained "
            "with safe_serialization=True) and remove the pickle files"
        )
    for index in sorted(folder.glob("*.index.json")):
        for shard in set(_weight_map(index, folder).values()):
            if not shard.is_file():
                raise ModelLoadError(f"{shard} is listed in {index.name} but missing; copy the full folder")
    for weights in sorted(folder.glob("*.safetensors")):
        if not is_inside(weights, folder):
            raise ModelLoadError(f"{weights} links outside {folder}; copy the weights into the model folder")
        if weights.is_file():
            tensors = check_safetensors(weights)
            bad = sorted(k for k, e in tensors.items() if e["dtype"] in ("I8", "U8") and k.endswith("weight"))
            if bad:
                raise ModelLoadError(
                    f"{weights} holds integer weights ({', '.join(bad[:3])}); nanoedit loads floating-point "
                    "weights, dequantise them first"
                )


def load_strict(module: nn.Module, state_dict: dict[str, torch.Tensor], where: str) -> None:
    """Load with exact key and shape matching; any difference is a ModelLoadError that names the keys.

    ``module`` may live on the meta device: tensors are assigned, not copied, so nothing is allocated twice.
    """
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    wrong_shape = sorted(
        f"{k} {tuple(state_dict[k].shape)} != {tuple(expected[k].shape)}"
        for k in set(expected) & set(state_dict)
        if state_dict[k].shape != expected[k].shape
    )
    not_float = sorted(
        k for k in set(expected) & set(state_dict)
        if expected[k].is_floating_point() and not state_dict[k].is_floating_point()
    )  # fmt: skip
    if not_float:
        kinds = sorted({str(state_dict[k].dtype).removeprefix("torch.") for k in not_float})
        raise ModelLoadError(
            f"weights in {where} are {', '.join(kinds)} where the model has floating-point parameters "
            f"({', '.join(not_float[:5])}{' ...' if len(not_float) > 5 else ''}); nanoedit loads float32/16/bf16 "
            "weights, dequantise them first"
        )
    if missing or unexpected or wrong_shape:
        parts = [
            f"{label} ({len(keys)}): {', '.join(keys[:5])}{' ...' if len(keys) > 5 else ''}"
            for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong_shape))
            if keys
        ]
        raise ModelLoadError(
            f"weights in {where} do not match the config: {'; '.join(parts)}. "
            "Check that config.json belongs to these weights."
        )
    module.load_state_dict(state_dict, strict=True, assign=True)


class PretrainedMixin:
    """The one loading convention of every model class in nanoedit:

        Model.from_pretrained(folder, *, subfolder=None, dtype=None, device=None, **options)
        model.save_pretrained(folder)

    By default the folder holds ``config.json`` (the fields of ``config_class`` + ``_class_name``) and
    safetensors weights named ``weights_name`` (sharded or not); the model is built on the meta device
    and the weights are assigned with strict key and shape matching, so nothing is allocated twice.
    A config class with ``from_dict`` / ``to_dict`` (LinearDiT's, which keeps diffusers' format) is read
    and written through them. A class wrapping another library's model (diffusers' AutoencoderDC, a
    transformers LM) overrides ``_load_pretrained`` and ``save_pretrained`` and keeps the same signature;
    ``subfolder`` (a part of a pipeline folder, e.g. ``"transformer"``), ``dtype``, ``device`` and
    ``eval()`` are handled here once.
    """

    config_class: type
    weights_name = "model.safetensors"

    @classmethod
    def from_pretrained(
        cls,
        folder: str | os.PathLike,
        *,
        subfolder: str | None = None,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
        **options,
    ):
        folder = Path(folder) / subfolder if subfolder else Path(folder)
        model = cls._load_pretrained(folder, dtype=dtype, **options)
        return model.to(device=device, dtype=dtype).eval()

    @classmethod
    def _load_pretrained(cls, folder: Path, *, dtype: torch.dtype | None = None, **options):
        if options:
            raise TypeError(f"{cls.__name__}.from_pretrained got unexpected options: {', '.join(sorted(options))}")
        config = cls._config_from_dict(read_config(folder), folder)
        with torch.device("meta"):
            model = cls(config)
        load_strict(model, load_weights(folder, cls.weights_name), where=str(folder))
        return model

    @classmethod
    def _config_from_dict(cls, raw: dict, folder: Path):
        from_dict = getattr(cls.config_class, "from_dict", None)
        try:
            if from_dict is not None:
                return from_dict(raw)
            check_config_fields(cls.config_class, raw, str(folder / CONFIG_NAME))
            return cls.config_class(**{k: v for k, v in raw.items() if not k.startswith("_")})
        except (TypeError, ValueError, OverflowError) as err:
            raise ModelLoadError(f"{folder / CONFIG_NAME} is not a {cls.__name__} config ({err})") from None

    def _config_dict(self) -> dict:
        to_dict = getattr(self.config, "to_dict", None)
        if to_dict is not None:
            return to_dict()
        return {"_class_name": type(self).__name__, **dataclasses.asdict(self.config)}

    def save_pretrained(self, folder: str | os.PathLike, *, max_shard_bytes: int | None = None) -> None:
        """Write ``config.json`` and the weights (as shards of at most ``max_shard_bytes`` when given)."""
        save_weights(folder, self.state_dict(), self.weights_name, max_shard_bytes)
        write_config(folder, self._config_dict())
