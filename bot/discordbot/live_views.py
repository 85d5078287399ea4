"""The paged answers and pickers whose buttons still work, at most ``limit`` of them.

Every live view keeps its answer in memory until it times out (180 s). Under load that is
unbounded: 200 users at the default cooldown hold hundreds of megabytes. :class:`LiveViews`
keeps the live views in the order they were sent; when a new one would pass the limit
(``answers.max_live_views``), the oldest is stopped at once and its buttons are greyed out on
Discord, as on a timeout. A view leaves the registry when it times out or is used up.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Protocol

log = logging.getLogger(__name__)


class Retirable(Protocol):
    """What the registry needs of a view."""

    async def retire(self) -> None:
        """Stop listening and grey out the buttons on Discord."""
        ...


class LiveViews:
    """At most ``limit`` live views; the oldest is retired to make room."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._views: OrderedDict[int, Retirable] = OrderedDict()
        self._retiring: set[asyncio.Task[None]] = set()
        self.retired = 0  # views disabled early to respect the limit

    def __len__(self) -> int:
        return len(self._views)

    def add(self, view: Retirable) -> None:
        """Count ``view`` as live; retire the oldest ones beyond the limit."""
        self._views[id(view)] = view
        while len(self._views) > self.limit:
            _, oldest = self._views.popitem(last=False)
            self.retired += 1
            task = asyncio.get_running_loop().create_task(oldest.retire(), name="retire-view")
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)

    def discard(self, view: Retirable) -> None:
        """``view`` is finished (timed out or used up)."""
        self._views.pop(id(view), None)

    async def drain(self) -> None:
        """Wait for the views being retired now (tests, shutdown)."""
        if self._retiring:
            await asyncio.gather(*self._retiring, return_exceptions=True)
