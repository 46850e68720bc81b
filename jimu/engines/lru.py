"""A bounded, thread-safe cache of values built once and then shared by every request thread.

Values are built outside the lock (a build may read the database or use another cache),
so two threads can build the same key at once; the first value stored wins and both get
it. Values must therefore be immutable, or at least never changed once stored.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """Up to ``size`` values by key; the least recently used goes first when full.

    Attributes:
        size: how many values are kept.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LRU cache keeps one value at least")
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value stored under ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> V:
        """Stores ``value`` unless another thread stored one first; returns the one kept."""
        with self._lock:
            kept = self._values.setdefault(key, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
            return kept

    def get_or_build(self, key: K, build: Callable[[], V]) -> V:
        """The value under ``key``, built (outside the lock) and stored if missing."""
        found = self.get(key)
        return found if found is not None else self.put(key, build())

    def clear(self) -> None:
        """Forgets every value."""
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._values
