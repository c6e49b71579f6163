"""The node cache: each graph node's output, keyed by everything that output depends on.

The editor computes a node's key from its content, its upstream nodes' keys, the source pixels,
the user mask, the seed, the steps and the model's fingerprint (a node's input is the source with
its graph ancestors' outputs composed on it, nothing else), and asks ``get(key)`` before running the
node; a miss runs the expert and ``put(key, value, nbytes)`` stores the result. Re-running a turn
whose prompt changed in one clause therefore re-executes only the changed nodes and what depends on
them; the trace marks each node ``"cache": "hit"`` or ``"miss"``.

``NodeCache`` is an LRU bounded in bytes: when a put takes it over ``max_bytes``, the least recently
used entries go. An entry larger than the whole budget is not stored. Values are opaque.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class NodeCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
            raise ValueError(f"max_bytes={max_bytes!r}: give a number of bytes >= 0")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[0]

    def put(self, key: str, value: Any, nbytes: int) -> None:
        nbytes = max(int(nbytes), 0)
        if key in self._entries:
            self.bytes -= self._entries.pop(key)[1]
        if nbytes > self.max_bytes:
            return
        self._entries[key] = (value, nbytes)
        self.bytes += nbytes
        while self.bytes > self.max_bytes:
            _, (_, size) = self._entries.popitem(last=False)
            self.bytes -= size
            self.evictions += 1

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def stats(self) -> dict[str, int]:
        return {"entries": len(self), "bytes": self.bytes, "max_bytes": self.max_bytes, "hits": self.hits,
                "misses": self.misses, "evictions": self.evictions}  # fmt: skip

    def __repr__(self) -> str:
        return f"NodeCache({len(self)} entries, {self.bytes}/{self.max_bytes} bytes)"
