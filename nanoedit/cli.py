"""The ``nanoedit`` command. Each area adds its own sub-commands through an ``add_commands`` function.

User errors (any ``NanoeditError``) print one line on stderr and exit 2 — never a traceback.
Heavy imports (torch, models) happen inside the command that needs them, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from nanoedit import __version__
from nanoedit.errors import NanoeditError

# Modules whose ``add_commands(subparsers)`` registers sub-commands, in the order --help lists them.
COMMAND_MODULES = [
    "nanoedit.graph_cli",
    "nanoedit.toyworld.cli",
    "nanoedit.planner.cli",
    "nanoedit.evals.cli",
    "nanoedit.runner",
    "nanoedit.demo",
    "nanoedit.editor",
    "nanoedit.train",
]


class _OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; a user error here is a single line and exit 2."""

    def error(self, message: str):
        self.exit(2, f"nanoedit: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="nanoedit", description="Agentic instruction-graph image editing.")
    parser.add_argument("--version", action="version", version=f"nanoedit {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except NanoeditError as exc:
        print(f"nanoedit: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nanoedit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `nanoedit plan ... | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug, not a user error: still one line, the traceback on request
        if os.environ.get("NANOEDIT_DEBUG"):
            raise
        print(f"nanoedit: internal error: {type(exc).__name__}: {one_line(str(exc))} "
              "(please report it; set NANOEDIT_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


MAX_MESSAGE_CHARS = 2000


def one_line(message: str) -> str:
    """A message as one line of at most ``MAX_MESSAGE_CHARS``: a library's multi-line hint (torch's
    "re-run with weights_only=False" advice, say) never reaches the terminal as several lines."""
    text = " ".join(message.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


if __name__ == "__main__":
    sys.exit(main())
