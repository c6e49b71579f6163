"""Model folders in the Hugging Face layout: ``config.json`` + safetensors weights, sharded or not.

One implementation serves every model in the backbone (the DiT, the toy autoencoder, the toy text
encoder), so they all read and write the same way: strict key matching on load, atomic writes
(temp file, then rename) on save, and an ``.index.json`` weight map when the weights are sharded.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from nanoedit.errors import ModelLoadError
from nanoedit.io import atomic_path, write_text

CONFIG_NAME = "config.json"


def read_config(folder: str | os.PathLike) -> dict:
    path = Path(folder) / CONFIG_NAME
    if not path.is_file():
        raise ModelLoadError(f"{path} not found: pass a model folder holding {CONFIG_NAME} and its weights")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ModelLoadError(f"{path} is not valid JSON ({err}); re-save the model") from err


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


def load_weights(folder: str | os.PathLike, weights_name: str) -> dict[str, torch.Tensor]:
    """Read ``weights_name`` from ``folder``, or its shards when an ``<weights_name>.index.json`` is there."""
    folder = Path(folder)
    single, index = folder / weights_name, folder / f"{weights_name}.index.json"
    if single.is_file():
        return load_file(single)
    if index.is_file():
        weight_map = json.loads(index.read_text())["weight_map"]
        state: dict[str, torch.Tensor] = {}
        for shard in sorted(set(weight_map.values())):
            if not (folder / shard).is_file():
                raise ModelLoadError(f"{folder / shard} is listed in {index.name} but missing; copy the full folder")
            state.update(load_file(folder / shard))
        return state
    raise ModelLoadError(f"no weights in {folder}: expected {weights_name} or {index.name}")


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
            return cls.config_class(**{k: v for k, v in raw.items() if not k.startswith("_")})
        except TypeError as err:
            raise ModelLoadError(f"{folder / CONFIG_NAME} is not a {cls.__name__} config ({err})") from err

    def _config_dict(self) -> dict:
        to_dict = getattr(self.config, "to_dict", None)
        if to_dict is not None:
            return to_dict()
        return {"_class_name": type(self).__name__, **dataclasses.asdict(self.config)}

    def save_pretrained(self, folder: str | os.PathLike, *, max_shard_bytes: int | None = None) -> None:
        """Write ``config.json`` and the weights (as shards of at most ``max_shard_bytes`` when given)."""
        save_weights(folder, self.state_dict(), self.weights_name, max_shard_bytes)
        write_config(folder, self._config_dict())
