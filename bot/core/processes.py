"""The bot's live processes: each one's row in the shared state, its heartbeat, its share of Discord's limit.

Every process keeps a row in the state database (:class:`ProcessRegistry`, implemented in
``bot.storage.processes``): its id, host and pid, the shards it runs, when it started, its last
heartbeat, its gateway latency, the dataset version it serves, its daily-post backlog and its last
error. :class:`ProcessHeartbeat` writes the row every :data:`BEAT_SECONDS` (through the injected
clock) and reads how many processes are live: a row whose heartbeat is older than
:data:`STALE_AFTER` (three missed beats) belongs to a process that died and is not counted. A
clean stop removes the row.

Discord allows a bot 50 requests a second in all, however many processes it runs, so each
process paces its daily posts at its share: ``daily.max_rate`` when set, else
:func:`share_of_limit` (50 divided by the live processes), recomputed at every heartbeat.

Other code reports on this process through the heartbeat: :meth:`ProcessHeartbeat.report_error`
(for example a reload propagated from another process that failed here) and
:meth:`ProcessHeartbeat.serving` (the dataset version now served). A ``problem`` function, read at
every beat, does the same for a state kept elsewhere (the bot passes the dataset follower's
``last_error``): a new problem is reported as the last error, and its end clears it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.core.clock import Clock

log = logging.getLogger(__name__)

DISCORD_GLOBAL_LIMIT = 50.0  # requests per second per bot (Discord's global rate limit)
BEAT_SECONDS = 15.0
STALE_AFTER = dt.timedelta(seconds=3 * BEAT_SECONDS)  # three missed heartbeats: the process is gone
ERROR_LIMIT = 300  # characters of a last error kept


@dataclass(frozen=True, slots=True)
class ProcessRecord:
    """One process's row: who it is, what it runs, how it is doing."""

    process_id: str
    host: str
    pid: int
    shard_ids: tuple[int, ...]  # the shards it runs (empty until it knows them)
    shard_count: int | None  # None until it knows it
    started_at: dt.datetime  # aware UTC
    last_beat: dt.datetime  # aware UTC
    latency: float | None = None  # gateway latency in seconds (None: not measured yet)
    dataset_version: str | None = None
    backlog: int = 0  # daily posts of its servers that are due and not done
    last_error: str | None = None
    last_error_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Vitals:
    """What a heartbeat reports besides the time: read from the running process at each beat."""

    shard_ids: tuple[int, ...]
    shard_count: int | None
    latency: float | None
    dataset_version: str | None
    backlog: int


class ProcessRegistry(Protocol):
    """What the core needs from the list of live processes. Every write is one atomic statement."""

    async def beat(self, record: ProcessRecord) -> None:
        """Insert or update ``record``'s row, all but its last error.

        Only :meth:`set_error` changes the last error: a heartbeat never clears one.
        """
        ...

    async def set_error(self, process_id: str, error: str | None, now: dt.datetime) -> bool:
        """Record (or, with None, clear) the process's last error; True if its row exists."""
        ...

    async def set_dataset_version(self, process_id: str, version: str) -> bool:
        """Record the dataset version the process serves; True if its row exists."""
        ...

    async def live(self, now: dt.datetime, stale_after: dt.timedelta = STALE_AFTER) -> list[ProcessRecord]:
        """The processes whose last heartbeat is at most ``stale_after`` before ``now``, oldest first."""
        ...

    async def remove(self, process_id: str) -> bool:
        """Remove the process's row (a clean stop); True if there was one."""
        ...


def new_process_id(host: str, pid: int) -> str:
    """A process id unique across machines and restarts: ``host:pid:random``."""
    return f"{host}:{pid}:{secrets.token_hex(4)}"


def share_of_limit(live: int, limit: float = DISCORD_GLOBAL_LIMIT) -> float:
    """Each process's share of Discord's global limit when ``live`` processes run (itself included)."""
    return limit / max(1, live)


def clean_error(text: str) -> str:
    """One line of at most :data:`ERROR_LIMIT` characters."""
    line = " ".join(text.split())
    return line if len(line) <= ERROR_LIMIT else line[: ERROR_LIMIT - 1] + "…"


def finite_latency(seconds: float | None) -> float | None:
    """A gateway latency worth showing (discord.py gives inf or nan before the first heartbeat ack)."""
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


class ProcessHeartbeat:
    """Keeps this process's row in the registry fresh, and counts the live processes at each beat.

    ``vitals`` is read at every beat. ``max_rate`` (``daily.max_rate``; None: automatic) fixes
    :attr:`rate`, else it is :func:`share_of_limit` of the live processes.
    """

    def __init__(
        self,
        registry: ProcessRegistry,
        clock: Clock,
        *,
        host: str,
        pid: int,
        vitals: Callable[[], Vitals],
        max_rate: float | None = None,
        process_id: str | None = None,
        stale_after: dt.timedelta = STALE_AFTER,
        problem: Callable[[], str | None] | None = None,
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.process_id = process_id or new_process_id(host, pid)
        self.host = host
        self.pid = pid
        self.vitals = vitals
        self.max_rate = max_rate
        self.stale_after = stale_after
        self.started_at = clock.now()
        self.live_count = 1  # itself, until the first beat has counted
        self.beats = 0
        self.problem = problem
        self._problem_shown: str | None = None

    @property
    def rate(self) -> float:
        """The daily posts' requests per second for this process: ``max_rate``, or its share of 50."""
        return self.max_rate if self.max_rate is not None else share_of_limit(self.live_count)

    def record(self) -> ProcessRecord:
        """The row of this process as of now (its last error is not part of it: see :meth:`report_error`)."""
        vitals = self.vitals()
        return ProcessRecord(
            self.process_id,
            self.host,
            self.pid,
            vitals.shard_ids,
            vitals.shard_count,
            self.started_at,
            self.clock.now(),
            finite_latency(vitals.latency),
            vitals.dataset_version,
            max(0, vitals.backlog),
        )

    async def beat(self) -> list[ProcessRecord]:
        """Write the row, then read the live processes (this one included) and recount; returns them."""
        record = self.record()
        await self.registry.beat(record)
        problem = self.problem() if self.problem is not None else None
        if problem != self._problem_shown:
            await self.report_error(problem)
            self._problem_shown = problem
        live = await self.registry.live(record.last_beat, self.stale_after)
        if not any(r.process_id == self.process_id for r in live):  # our own clock runs ahead of theirs
            live.append(record)
        changed = len(live) != self.live_count
        self.live_count = len(live)
        if changed:
            log.info("%d bot process(es) live; daily posts at %.1f requests/s here", len(live), self.rate)
        self.beats += 1
        return live

    async def run(self, stop: asyncio.Event, interval: float = BEAT_SECONDS) -> None:
        """Beat now and every ``interval`` seconds until ``stop`` is set; an error is logged, never fatal."""
        while not stop.is_set():
            try:
                await self.beat()
            except Exception:
                log.warning("Could not write this process's heartbeat to the database", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def stop(self) -> None:
        """Remove the row (a clean stop): the other processes stop counting this one at once."""
        try:
            await self.registry.remove(self.process_id)
        except Exception:
            log.warning("Could not remove this process from the database's list", exc_info=True)

    async def report_error(self, error: str | None) -> None:
        """Show ``error`` as this process's last error in /admin status (None clears it). Never raises."""
        try:
            text = None if error is None else clean_error(error)
            await self.registry.set_error(self.process_id, text, self.clock.now())
        except Exception:
            log.warning("Could not record this process's last error in the database", exc_info=True)

    async def serving(self, version: str) -> None:
        """Record at once that this process now serves dataset ``version`` (beats record it too)."""
        try:
            await self.registry.set_dataset_version(self.process_id, version)
        except Exception:
            log.warning("Could not record the dataset version in the database", exc_info=True)
