"""Every error a user can cause is one of these; the CLI prints its message on one line and exits 2.

Messages say what went wrong *and* what to do about it. Errors that collect several problems
(``GraphError``, ``PlanError``) keep them as structured ``problems`` so tools can show them all.
"""

from __future__ import annotations

from dataclasses import dataclass


class NanoeditError(Exception):
    """Base class of all user-facing nanoedit errors."""


@dataclass(frozen=True)
class Problem:
    """One problem found while checking user input.

    ``where`` names the place: a node id for graphs, ``file:line:col`` for plan files.
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


# An error message lists at most this many problems, then "and N more" (``problems`` holds them all).
MAX_PROBLEMS_SHOWN = 20


class _ProblemsError(NanoeditError):
    """An error that lists every problem found, not just the first."""

    what = "input"

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        count = len(self.problems)
        head = f"invalid {self.what} ({count} problem{'s' if count != 1 else ''}): "
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if count > MAX_PROBLEMS_SHOWN:
            shown.append(f"and {count - MAX_PROBLEMS_SHOWN} more")
        super().__init__(head + "; ".join(shown))


class GraphError(_ProblemsError):
    """An instruction graph is invalid: cycles, dangling edges, bad ops or params, conflicts."""

    what = "instruction graph"


class PlanError(_ProblemsError):
    """A YAML edit plan (or an unparsable prompt in strict mode) is invalid; ``where`` is file:line:col."""

    what = "edit plan"


class SceneError(NanoeditError):
    """A toy-world scene or edit is impossible (e.g. removing an object that is not there)."""


class ModelLoadError(NanoeditError):
    """A model folder is missing, incomplete or does not match the expected config/weights."""


class OutputError(NanoeditError):
    """An output path cannot be written: an existing file where a folder is wanted, a device, a
    system folder, a path under a file, no permission, or (for plans) a folder outside the plan's."""


class EditorError(NanoeditError):
    """An editor (ours or an adapted one) failed or was called with unusable input."""


class EvalError(NanoeditError):
    """The probe suite was asked for something it cannot do (an unknown probe, another run's output folder)."""


class GroundingError(NanoeditError):
    """An edit's target cannot be found in the image, or several regions match it equally well."""


class SessionError(NanoeditError):
    """A session cannot do what was asked (an unknown version, nothing to undo or redo)."""


class SessionFormatError(SessionError):
    """A saved session folder was written by a newer nanoedit (its format version is higher)."""


class SessionCorruptError(SessionError):
    """A saved session folder is incomplete or damaged (a file missing, unreadable or altered)."""


class SessionModelError(SessionError):
    """A saved session was made with another model (its weights fingerprint differs)."""


class ExpectationError(NanoeditError):
    """A plan turn's ``expect`` did not hold (or the turn failed); the message names the turn and figure."""
