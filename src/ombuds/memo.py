"""What is made from a frozen object (a statistics record), kept by the object's identity: the downloads' flat rows
and the comparisons' cells repeat for every file or comparison a record is in. Hashing a record by its fields would
cost more than making the value again, so the key is its identity, and each object is kept with its value, so an
identity is never taken for another's."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


class KeptByIdentity(Generic[V]):
    """At most `maxsize` values, least recently used first out; safe across threads. A value is shared by its
    callers: not to be changed."""

    def __init__(self, maxsize: int):
        self._kept: LRUCache = LRUCache(maxsize)
        self._lock = threading.Lock()

    def get(self, frozen: object, part: Hashable, make: Callable[[], V]) -> V:
        """`make()`'s value for the frozen object and `part` (which of its values: a rate, a column set), made once
        while kept."""
        key = (id(frozen), part)
        with self._lock:
            found = self._kept.get(key)
        if found is None or found[0] is not frozen:
            found = frozen, make()
            with self._lock:
                self._kept[key] = found
        return found[1]
