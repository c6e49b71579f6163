"""YAML loading that remembers where every value came from, so errors can say file:line:col.

Only ``yaml.SafeLoader`` is used. Duplicate keys, which PyYAML silently collapses to the last one,
are reported: a repeated key in an edit plan is almost always a mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from nanoedit.errors import PlanError, Problem


@dataclass
class LocatedYaml:
    """Parsed YAML plus its node tree, to turn a path of keys/indices into a file position."""

    data: Any
    root: yaml.Node | None
    source: str

    def where(self, path: tuple | list = (), at_key: bool = False) -> str:
        """``file:line:col`` of the deepest node along ``path`` (1-based, as editors show it);
        with ``at_key``, of the last mapping key itself (for "unknown key" errors)."""
        node = self.root
        for index, part in enumerate(path):
            last = index == len(path) - 1
            child = _child(node, part, key=at_key and last)
            if child is None:
                break
            node = child
        if node is None:
            return f"{self.source}:1:1"
        mark = node.start_mark
        return f"{self.source}:{mark.line + 1}:{mark.column + 1}"

    def problem(self, path: tuple | list, message: str, at_key: bool = False) -> Problem:
        return Problem(self.where(path, at_key), message)


def _child(node: yaml.Node | None, part: Any, key: bool = False) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == str(part):
                return key_node if key else value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def load_yaml(text: str, source: str = "<yaml>") -> LocatedYaml:
    """Parse ``text``; syntax errors and duplicate keys raise ``PlanError`` with their positions."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        problems = list(_duplicate_keys(root, source)) if root is not None else []
        if problems:
            raise PlanError(problems)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        reason = exc.problem or str(exc)
        if "\t" in text and "tab" in reason:
            reason += " (YAML indents with spaces, never tabs)"
        raise PlanError(Problem(where, f"YAML syntax error: {reason}")) from None
    finally:
        loader.dispose()
    return LocatedYaml(data=data, root=root, source=source)


def _duplicate_keys(node: yaml.Node, source: str):
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                mark = key.start_mark
                yield Problem(f"{source}:{mark.line + 1}:{mark.column + 1}", f"duplicate key {key.value!r}")
            seen.add(key.value)
            yield from _duplicate_keys(value, source)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item, source)
