"""Result cache: finished response bodies, keyed by what determines them.

A SPARQL answer depends only on the graph version, the query, the dataset
(``default-graph-uri`` / ``named-graph-uri``) and the negotiated format, so
the same request on the same data can be answered without the engine. The
published graph is read-only between releases; a new version is a new key,
so nothing ever needs invalidating (old entries age out of the LRU).

Each server worker process holds its own cache; threads of a worker share
it under a lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from asu_graph.sparql.text import normalise_query

__all__ = ["ResultCache", "normalise_query"]

V = TypeVar("V")


class ResultCache(Generic[V]):
    """A thread-safe LRU bounded by entry count and by total body bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: V, size: int) -> bool:
        """Keep ``value``; False when it alone is larger than the byte budget."""
        if not self.enabled or size > self.max_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get_or_make(self, key: Hashable, make: Callable[[], V], size: Callable[[V], int]) -> V:
        """The value kept under ``key``, or ``make()`` kept (within the bounds) and returned.

        Two threads missing at once may both call ``make``; the answer is the
        same (the key holds everything it depends on), so one is simply dropped.
        """
        found = self.get(key) if self.enabled else None
        if found is not None:
            return found
        value = make()
        self.put(key, value, size(value))
        return value
