"""The one expert registry: the built-in role experts plus user experts ("peels").

The router routes over ``registry.claims()``; the editor looks the chosen names up here. A peel is a
peft adapter folder (``adapter_config.json`` + ``adapter_model.safetensors``) with an ``expert.json``
beside them giving its role, ops and keywords::

    {"name": "fur", "role": "object", "ops": ["attribute"], "keywords": ["fur", "furry"]}

Loading a peel checks its adapter against the backbone before anything runs: target modules that
are not in the backbone, or LoRA shapes that do not fit, are refused with an error naming them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import torch

from nanoedit.errors import ModelLoadError
from nanoedit.graphs import Op, Role

from .base import Expert

EXPERT_FILE = "expert.json"
ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
# What each built-in role expert claims beyond its role: the identity expert runs the edits of the
# subject itself (its look must survive them), so it claims attribute and pose.
ROLE_CLAIMS: dict[Role, frozenset[Op]] = {
    Role.identity: frozenset({Op.identity_lock, Op.attribute, Op.pose}),
    Role.object: frozenset(),
    Role.style: frozenset(),
}


class ExpertRegistry:
    def __init__(self, experts: list[Expert] | None = None):
        self.experts: dict[str, Expert] = {}
        for expert in experts or []:
            self.register(expert)

    @classmethod
    def builtin(cls, adapters: dict[str, str] | None = None) -> ExpertRegistry:
        """One expert per role; ``adapters`` maps a role to the peft adapter it runs with."""
        adapters = adapters or {}
        return cls([
            Expert(role.value, role, ops=ROLE_CLAIMS[role], adapter=adapters.get(role.value))
            for role in Role
        ])  # fmt: skip

    def register(self, expert: Expert) -> Expert:
        self.experts[expert.name] = expert
        return expert

    def __getitem__(self, name: str) -> Expert:
        if name not in self.experts:
            raise ModelLoadError(f"no expert named {name!r}; registered: {', '.join(self.experts)}")
        return self.experts[name]

    def __iter__(self):
        return iter(self.experts.values())

    def __len__(self) -> int:
        return len(self.experts)

    def claims(self):
        return [e.claim for e in self.experts.values()]

    def to_json(self) -> dict:
        return {e.name: {"role": e.role.value, "ops": sorted(o.value for o in e.ops),
                         "keywords": sorted(e.keywords), "adapter": e.adapter} for e in self}  # fmt: skip


def read_expert_file(folder: str | os.PathLike) -> Expert:
    """The expert.json of a peel folder, checked."""
    path = Path(folder) / EXPERT_FILE
    if not path.is_file():
        raise ModelLoadError(f"{path} not found: a peel needs an {EXPERT_FILE} giving its name, role, ops, keywords")
    try:
        raw = json.loads(path.read_text())
        name = str(raw["name"])
        role = Role(raw["role"])
        ops = frozenset(Op(o) for o in raw.get("ops", []))
        keywords = frozenset(str(k).lower() for k in raw.get("keywords", []))
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, ValueError, TypeError) as err:
        raise ModelLoadError(
            f"{path} is not a valid expert file ({err}); it needs name, role (identity/object/style), "
            "ops (op names) and keywords"
        ) from err
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", name):
        raise ModelLoadError(f"{path}: expert name {name!r} must be 1-64 letters, digits, '_', '.', '-'")
    return Expert(name, role, ops=ops, keywords=keywords, adapter=name, description=str(raw.get("description", "")),
                  computes=False)  # fmt: skip


def check_adapter(folder: str | os.PathLike, transformer: torch.nn.Module) -> None:
    """Refuse an adapter whose target modules or LoRA shapes do not fit ``transformer``."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    folder = Path(folder)
    config_path, weights_path = folder / ADAPTER_CONFIG, folder / ADAPTER_WEIGHTS
    for path in (config_path, weights_path):
        if not path.is_file():
            raise ModelLoadError(f"{path} not found: a peel is a peft adapter folder ({ADAPTER_CONFIG}, {ADAPTER_WEIGHTS})")
    try:
        config = json.loads(config_path.read_text())
        weights = load_file(weights_path)
    except (json.JSONDecodeError, UnicodeDecodeError, SafetensorError, OSError) as err:
        raise ModelLoadError(f"cannot read the adapter in {folder}: {err}; re-save it with peft") from err
    modules = dict(transformer.named_modules())
    leaf_names = {name.rsplit(".", 1)[-1] for name in modules} | {
        ".".join(name.split(".")[-2:]) for name in modules if "." in name
    }
    targets = config.get("target_modules") or []
    targets = [targets] if isinstance(targets, str) else list(targets)
    unknown = sorted(t for t in targets if t not in leaf_names and not any(n.endswith(t) for n in modules))
    if unknown:
        raise ModelLoadError(f"adapter {folder} targets modules the backbone does not have: {', '.join(unknown)}")
    wrong = []
    for key, tensor in weights.items():
        match = re.match(r"(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[^.]+)?\.weight$", key)
        if not match or match.group(1) not in modules:
            if match:
                wrong.append(f"{match.group(1)} (not in the backbone)")
            continue
        module = modules[match.group(1)]
        weight = getattr(module, "weight", None)
        if weight is None:
            continue
        # lora_A reads the layer's input features, lora_B writes its output features.
        axis = 1 if match.group(2) == "A" else 0
        if tensor.dim() < 2 or tensor.shape[axis] != weight.shape[axis]:
            wrong.append(f"{key} {tuple(tensor.shape)} vs {match.group(1)} {tuple(weight.shape)}")
    if wrong:
        raise ModelLoadError(f"adapter {folder} does not fit the backbone: {'; '.join(wrong[:5])}"
                             + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else ""))  # fmt: skip
