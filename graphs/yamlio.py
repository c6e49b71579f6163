"""YAML loading that remembers where every value came from, so errors can say file:line:col.

Only ``yaml.SafeLoader`` is used. Duplicate keys, which PyYAML silently collapses to the last one,
are reported: a repeated key in an edit plan is almost always a mistake.

Plan and graph files come from users, so the work of reading one is bounded before it is done:

- the text is at most ``MAX_DOCUMENT_CHARS`` characters, holds at most ``MAX_VALUES`` values and
  nests at most ``MAX_DEPTH`` levels;
- aliases (``*name``) may not form a cycle, and the document with every alias expanded may hold at
  most ``MAX_EXPANDED_NODES`` values (a "billion laughs" file of a few hundred bytes is refused at
  once instead of expanding to gigabytes);
- mapping keys are plain scalars (no ``? [a, b]`` complex keys), numbers have at most
  ``MAX_NUMBER_DIGITS`` digits.

Every refusal is a ``PlanError`` at the offending position that says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from nanoedit.errors import PlanError, Problem

MAX_DOCUMENT_CHARS = 1_000_000
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 100_000
MAX_NUMBER_DIGITS = 100
MAX_VALUES = 50_000


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
        return _at(self.source, node)

    def problem(self, path: tuple | list, message: str, at_key: bool = False) -> Problem:
        return Problem(self.where(path, at_key), message)


def _at(source: str, node: yaml.Node) -> str:
    mark = node.start_mark
    return f"{source}:{mark.line + 1}:{mark.column + 1}"


def _child(node: yaml.Node | None, part: Any, key: bool = False) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == str(part):
                return key_node if key else value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


class _Refused(Exception):
    """Raised inside the loader: the document breaks one of the limits above."""

    def __init__(self, node_or_mark: Any, message: str):
        super().__init__(message)
        self.mark = getattr(node_or_mark, "start_mark", node_or_mark)
        self.message = message


# libyaml's parser (C) when PyYAML was built with it: a 10x faster parse, which keeps the worst
# document within the time budget. Its composer recurses in C, so nesting is checked on the event
# stream first. Without libyaml, the pure-Python loader checks nesting as it composes.
_FAST = getattr(yaml, "CSafeLoader", None)


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` whose composer refuses nesting deeper than ``MAX_DEPTH`` and more than
    ``MAX_VALUES`` values."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._values = 0

    def compose_node(self, parent, index):
        self._values += 1
        if self._values > MAX_VALUES:
            raise _Refused(self.peek_event().start_mark, _TOO_MANY)
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(self.peek_event().start_mark, _TOO_DEEP)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels; flatten it"
_TOO_MANY = f"holds more than {MAX_VALUES} values; split the file"


def _check_events(text: str) -> None:
    """Walk libyaml's event stream once: refuse deep nesting and too many values before composing."""
    parser = _FAST(text)
    depth = values = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(event.start_mark, _TOO_DEEP)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                values += 1
                if values > MAX_VALUES:
                    raise _Refused(event.start_mark, _TOO_MANY)
    finally:
        parser.dispose()


def load_yaml(text: str | bytes, source: str = "<yaml>") -> LocatedYaml:
    """Parse ``text``; syntax errors, duplicate keys and documents over the limits raise ``PlanError``
    with their positions."""
    from nanoedit.io import decode_text

    text = decode_text(text, PlanError, source)
    if len(text) > MAX_DOCUMENT_CHARS:
        raise PlanError(Problem(source, f"{len(text)} characters; the limit is {MAX_DOCUMENT_CHARS}, split the file"))
    loader = None
    try:
        if _FAST is not None:
            _check_events(text)
            loader = _FAST(text)
        else:
            loader = _BoundedLoader(text)
        root = loader.get_single_node()
        if root is not None:
            _check_tree(root)
            problems = list(_duplicate_keys(root, source))
            if problems:
                raise PlanError(problems)
        data = loader.construct_document(root) if root is not None else None
    except _Refused as exc:
        where = f"{source}:{exc.mark.line + 1}:{exc.mark.column + 1}" if exc.mark else source
        raise PlanError(Problem(where, exc.message)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        reason = exc.problem or str(exc)
        if "\t" in text and "tab" in reason:
            reason += " (YAML indents with spaces, never tabs)"
        raise PlanError(Problem(where, f"YAML syntax error: {reason}")) from None
    except yaml.YAMLError as exc:  # the reader's errors (control characters) carry no mark
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlanError(Problem(source, f"not a YAML text file: {reason}")) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a scalar PyYAML cannot construct
        raise PlanError(Problem(source, f"a value cannot be read ({type(exc).__name__}: {exc}); fix it")) from None
    finally:
        if loader is not None:
            loader.dispose()
    return LocatedYaml(data=data, root=root, source=source)


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _check_tree(root: yaml.Node) -> None:
    """Refuse alias cycles, complex keys, huge numbers and documents whose alias expansion is too big.

    Each distinct node is visited once (aliases share nodes), and the expanded size is computed
    from memoised subtree sizes, so the check costs O(size of the text), whatever the aliases do.
    """
    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            total = 1 + sum(size[id(child)] for child in children)
            if total > MAX_EXPANDED_NODES:
                raise _Refused(
                    node, f"expands to over {MAX_EXPANDED_NODES} values through aliases; write the values out"
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in active:
            raise _Refused(node, "an alias refers to a value that contains it (a recursive alias); remove it")
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_DIGITS:
                raise _Refused(node, f"a number of {len(node.value)} digits; numbers have at most {MAX_NUMBER_DIGITS}")
            size[key] = 1
            continue
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Refused(key_node, "a mapping key must be plain text, not a list or mapping")
        active.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                raise _Refused(child, "an alias refers to a value that contains it (a recursive alias); remove it")
            if id(child) not in size:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _duplicate_keys(root: yaml.Node, source: str):
    """Repeated keys in any mapping; each distinct node is checked once (aliased ones are shared)."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if key.value in seen:
                    yield Problem(_at(source, key), f"duplicate key {key.value!r}")
                seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
