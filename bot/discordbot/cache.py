"""A small LRU cache tied to one engine: a data reload (a new engine) empties it.

The engine is immutable, so the same question always gets the same answer from it. The cogs
cache what is asked constantly and costs the most: autocomplete (Discord asks on every
keystroke, and an empty option is asked the moment it gets focus) and /stats and /about.
The cache holds its engine weakly, so an old engine is freed by the reload that replaced it
(off the event loop), not by the first command after it.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class EngineCache(Generic[V]):
    """``get(engine, key, compute)``: cached, computed on a miss, cleared when the engine changes."""

    def __init__(self, maxsize: int = 1024) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._engine: Callable[[], object | None] = lambda: None
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, engine: object, key: Hashable, compute: Callable[[], V]) -> V:
        """The value for ``key`` under ``engine``."""
        if engine is not self._engine():
            self._items.clear()
            try:
                self._engine = weakref.ref(engine)
            except TypeError:  # not weakly referable (a plain value): held as it is
                self._engine = lambda: engine
        try:
            value = self._items[key]
        except KeyError:
            self.misses += 1
            value = compute()
            self._items[key] = value
            if len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            return value
        self.hits += 1
        self._items.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._items)
