"""nanoedit: agentic instruction-graph image editing.

``import nanoedit as ne`` stays light: models (torch) load only when an editor or trainer is used.
"""

import importlib
from importlib.metadata import PackageNotFoundError, version

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
from nanoedit.graphs import EditNode, EntityRef, InstructionGraph, Op, Role
from nanoedit.planner import PlanContext, plan
from nanoedit.plans import Plan, load_plan

# Sub-packages reached as attributes (``ne.evals.run_probes``), imported on first access so that
# ``import nanoedit`` stays light.
_LAZY_SUBMODULES = ("evals",)
# Names that need torch, imported from their module on first access.
_LAZY_NAMES = {"Editor": "nanoedit.editor", "EditorConfig": "nanoedit.editor", "TurnResult": "nanoedit.editor",
               "Session": "nanoedit.session", "run_plan": "nanoedit.runner", "NodeCache": "nanoedit.cache"}


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")  # the import also binds it on this module
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


try:
    __version__ = version("nanoedit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "EditNode",
    "Editor",
    "EditorConfig",
    "EditorError",
    "EntityRef",
    "EvalError",
    "GraphError",
    "InstructionGraph",
    "ModelLoadError",
    "NanoeditError",
    "Op",
    "OutputError",
    "Plan",
    "PlanContext",
    "PlanError",
    "Role",
    "SceneError",
    "Session",
    "NodeCache",
    "run_plan",
    "TurnResult",
    "__version__",
    "load_plan",
    "plan",
]
