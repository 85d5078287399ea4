"""Pacing the gateway IDENTIFYs of a sharded bot, as Discord asks.

Discord lets a bot start ``max_concurrency`` sessions (``GET /gateway/bot``) per 5 seconds: one per
rate-limit key ``shard_id % max_concurrency``. An IDENTIFY over that is answered with INVALID_SESSION.
discord.py's default waits 5 s before every IDENTIFY but the first, so 16 shards take 75 s even where
Discord allows 16 at once; :class:`IdentifyGate` waits only when the shard's key started a session less
than ``interval`` seconds ago. It paces the shards of one process; processes on other machines are
not coordinated (a refused IDENTIFY is retried by discord.py after this wait).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

IDENTIFY_INTERVAL = 5.0  # seconds between two IDENTIFYs of one rate-limit key (Discord)
# Added to a wait: Discord times an IDENTIFY when it arrives, and the one before may have taken longer.
IDENTIFY_MARGIN = 0.25


class IdentifyGate:
    """One IDENTIFY per rate-limit key (``shard_id % max_concurrency``) per ``interval`` (+ ``margin``) s."""

    def __init__(
        self,
        interval: float = IDENTIFY_INTERVAL,
        *,
        max_concurrency: int = 1,
        margin: float = IDENTIFY_MARGIN,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.margin = margin if interval > 0 else 0.0
        self.max_concurrency = max_concurrency
        self._monotonic = monotonic
        self._sleep = sleep
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    @property
    def max_concurrency(self) -> int:
        """How many rate-limit keys Discord gives the bot (``session_start_limit.max_concurrency``)."""
        return self._max_concurrency

    @max_concurrency.setter
    def max_concurrency(self, value: int) -> None:
        self._max_concurrency = max(1, value)

    def key(self, shard_id: int) -> int:
        """The rate-limit key of ``shard_id``."""
        return shard_id % self._max_concurrency

    async def wait(self, shard_id: int) -> float:
        """Wait until ``shard_id`` may IDENTIFY and count it as identifying now; the seconds waited."""
        key = self.key(shard_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            waited = 0.0
            last = self._last.get(key)
            if last is not None:
                waited = max(0.0, last + self.interval + self.margin - self._monotonic())
                if waited > 0:
                    await self._sleep(waited)
            self._last[key] = self._monotonic()
            return waited
