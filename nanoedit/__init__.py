"""nanoedit: agentic instruction-graph image editing.

``import nanoedit as ne`` stays light: models (torch) load only when an editor or trainer is used.
"""

from importlib.metadata import PackageNotFoundError, version

from nanoedit.errors import (
    EditorError,
    GraphError,
    ModelLoadError,
    NanoeditError,
    PlanError,
    SceneError,
)
from nanoedit.graphs import EditNode, EntityRef, InstructionGraph, Op, Role
from nanoedit.planner import PlanContext, plan
from nanoedit.plans import Plan, load_plan

try:
    __version__ = version("nanoedit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "EditNode",
    "EditorError",
    "EntityRef",
    "GraphError",
    "InstructionGraph",
    "ModelLoadError",
    "NanoeditError",
    "Op",
    "Plan",
    "PlanContext",
    "PlanError",
    "Role",
    "SceneError",
    "__version__",
    "load_plan",
    "plan",
]
