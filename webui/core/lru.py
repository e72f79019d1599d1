"""A small least-recently-used cache shared by threads."""

from __future__ import annotations

import threading
from collections import OrderedDict


class LRU:
    """The last ``size`` values put, by key (an LRU shared by threads; size 0 keeps none)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def keys(self) -> list:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._items)
