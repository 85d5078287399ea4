"""The daily-post scheduler: finds due subscriptions and posts each local date exactly once.

Independent of Discord: the cog injects a :class:`Poster` that builds and sends the post.

Exactly-once protocol, per due (channel, local date):

1. ``store.claim_post`` takes the post for this process (``owner``) until ``now + lease`` and
   records it as pending, with a nonce derived from the channel and the date (:func:`post_nonce`),
   in one statement: of several processes that believe they carry the same shard (a rolling
   restart, a crash, a wrong ``SHARD_IDS``), exactly one gets the post; the others skip it. The
   first nonce is kept, so every retry of that date re-sends with the same nonce and Discord drops
   the duplicate if an earlier attempt did go through.
2. ``poster.post(sub, local_date, nonce)``, cut off before the lease runs out (``post_timeout``
   is at most three quarters of the lease).
3. ``SENT``/``SKIPPED`` → ``store.finish_post`` (sets ``last_posted_date``, clears the pending
   marker and ends the claim, in one transaction, only while the claim is still this process's).
   ``CHANNEL_GONE``/``FORBIDDEN`` → ``store.pause`` with a reason,
   so the channel is not retried every minute. ``TRANSIENT_ERROR`` (or an exception, or a
   timeout) → ``store.record_error``; a later wake retries the same day with the same nonce,
   after a per-subscription backoff (30 s doubling up to 30 min, reset by a success; see
   :mod:`bot.core.retries`), with one log line for the first failure and then summaries.

With several processes (shards), each posts only the subscriptions of the servers its shards carry:
``owns(guild_id)`` filters the due subscriptions (:mod:`bot.core.shards`). A process that dies
holding a claim leaves it to run out: after ``lease`` another process (or the same one restarted)
takes the post over; its claim counts ``attempts`` up, so the poster first looks in the channel's
history for the post that may have gone out (:class:`Poster`), and re-sends with the same nonce.
A process that stops cleanly ends its claims (:meth:`DailyScheduler.release`), so its successor
need not wait. On SQLite a single process holds the state (:mod:`bot.storage.lock`), and every
start claims under one name (:data:`SINGLE_PROCESS`): a restart takes its predecessor's claims at once.

A restart between "time reached" and "posted" posts once when the bot is back the same local
day; a missed day is not posted later, and a day before the subscription's first date
(``starts_on``) is never posted (see :func:`bot.core.schedule.due_local_date`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core import post_reasons as reasons
from bot.core.clock import Clock
from bot.core.retries import PostRetries
from bot.core.schedule import due_local_date
from bot.core.subscriptions import Subscription, SubscriptionStore

log = logging.getLogger(__name__)

NONCE_DIGITS = 19  # fits Discord's 25-character nonce with room for a part suffix
DEFAULT_POST_TIMEOUT = 120.0
DEFAULT_LEASE = dt.timedelta(minutes=3)  # longer than a post may take (the timeout is 3/4 of it)
LEASE_SHARE_FOR_POSTING = 0.75
SINGLE_PROCESS = "single-process"  # the claim owner when one process holds the state (SQLite)
# Reasons are stored in English and shown in the reader's language (bot.core.post_reasons).
CHANNEL_GONE_REASON = reasons.CHANNEL_GONE
FORBIDDEN_REASON = reasons.reason(reasons.MISSING_PERMISSION, permission="Send Messages")
TRANSIENT_REASON = reasons.NOT_ACCEPTED
STATE_ERROR = reasons.STATE_ERROR


class PostOutcome(Enum):
    """What happened when the poster tried to post one day to one channel."""

    SENT = "sent"  # posted; the message ids are returned
    SKIPPED = "skipped"  # nothing to post that day (empty_day="skip"); the day counts as done
    CHANNEL_GONE = "channel_gone"  # the channel (or the guild) no longer exists → pause
    FORBIDDEN = "forbidden"  # the bot may not post there → pause
    TRANSIENT_ERROR = "transient_error"  # try again at the next wake


class Poster(Protocol):
    """Builds and sends one day's post to one channel."""

    async def post(
        self, sub: Subscription, local_date: dt.date, nonce: str
    ) -> tuple[PostOutcome, list[int], str | None]:
        """Post ``local_date``'s content to ``sub.channel_id`` with ``nonce``.

        Returns the outcome, the ids of the messages sent, and an error text for people
        (used as the pause reason or the recorded error; None for the default wording).
        """
        ...


@dataclass(frozen=True, slots=True)
class RunResult:
    """What the scheduler did for one channel in one run."""

    guild_id: int
    channel_id: int
    local_date: dt.date
    outcome: PostOutcome
    nonce: str
    attempt: int  # 1 for the first try of this date, 2+ for retries
    message_ids: tuple[int, ...] = ()
    error: str | None = None


@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    """ZoneInfo objects kept alive between wakes (zoneinfo itself keeps only a few)."""
    return ZoneInfo(name)


def post_nonce(channel_id: int, local_date: dt.date) -> str:
    """The nonce for a channel's post of ``local_date``: deterministic, 19 digits.

    The same (channel, date) always gives the same nonce, so a retry after a crash between
    "sent" and "recorded" is de-duplicated by Discord.
    """
    digest = hashlib.blake2b(f"daily:{channel_id}:{local_date.isoformat()}".encode(), digest_size=8).digest()
    return f"{int.from_bytes(digest, 'big') % 10**NONCE_DIGITS:0{NONCE_DIGITS}d}"


def part_nonce(nonce: str, part: int) -> str:
    """The nonce for message ``part`` (0-based) of a post made of several messages (≤ 25 chars)."""
    if not 0 <= part < 1000:
        raise ValueError("part must be between 0 and 999")
    return nonce if part == 0 else f"{nonce}{part:03d}"


class DailyScheduler:
    """Posts every due subscription once per local date. Call :meth:`run_once` or :meth:`run_forever`."""

    def __init__(
        self,
        store: SubscriptionStore,
        poster: Poster,
        clock: Clock,
        *,
        max_concurrency: int = 5,
        post_timeout: float | None = DEFAULT_POST_TIMEOUT,
        owns: Callable[[int], bool] | None = None,
        owner: str = SINGLE_PROCESS,
        lease: dt.timedelta = DEFAULT_LEASE,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if lease <= dt.timedelta(0):
            raise ValueError("lease must be positive")
        self._store = store
        self._poster = poster
        self._clock = clock
        self._max_concurrency = max_concurrency
        longest = lease.total_seconds() * LEASE_SHARE_FOR_POSTING  # a post ends before its claim does
        self._post_timeout = longest if post_timeout is None else min(post_timeout, longest)
        self._owns = owns  # guild id -> posted by this process? (None: every guild)
        self.owner = owner  # the name this process claims posts under
        self.lease = lease
        self._choosing = asyncio.Lock()  # one pass at a time picks what it posts
        self._in_flight: dict[int, asyncio.Event] = {}  # channels a pass is posting -> set when done
        self._waiting = 0  # due posts waiting for a retry, as of the last pass
        self.retries = PostRetries()

    @property
    def backlog(self) -> int:
        """Due posts of this process's servers not done yet: being posted, or waiting for a retry."""
        return self._waiting + len(self._in_flight)

    async def run_once(self) -> list[RunResult]:
        """Post every subscription due now; one result per channel attempted, in channel order.

        At most ``max_concurrency`` posts of a pass are in flight. One channel's failure
        (even an exception) is logged and recorded and never stops the others. A channel that a
        pass of :meth:`run_forever` is posting is left to it, and waited for before returning.
        """
        return await self._run(wait_for_others=True)

    async def _run(self, *, wait_for_others: bool) -> list[RunResult]:
        """One pass over the due subscriptions.

        Passes may overlap (:meth:`run_forever` starts one every interval): a pass leaves alone
        the channels an earlier one is still posting, so a long pass never holds up the posts
        that fall to this process meanwhile (a claim of a dead process that ran out, say). Each
        pass has its own ``max_concurrency`` slots, so a later pass's posts do not queue behind
        an earlier pass's backlog; the pacer still holds all of them to the process's rate.
        """
        others: list[asyncio.Event] = []
        async with self._choosing:
            now = self._clock.now()
            due: list[tuple[Subscription, dt.date]] = []
            waiting = 0
            for sub in await self._store.all_active():
                if self._owns is not None and not self._owns(sub.guild_id):
                    continue  # another process's shard posts it
                if (busy := self._in_flight.get(sub.channel_id)) is not None:
                    others.append(busy)  # an earlier pass is posting it
                    continue
                try:
                    local_date = await self._due(sub, now)
                except Exception:
                    log.exception("Could not work out the daily post of channel %d", sub.channel_id)
                    continue
                if local_date is None:
                    continue
                if self.retries.waiting(sub.channel_id, now):
                    waiting += 1
                else:
                    due.append((sub, local_date))
            self._waiting = waiting
            self._in_flight.update((sub.channel_id, asyncio.Event()) for sub, _ in due)
        if due:
            log.debug("%d daily post(s) due", len(due))
        slots = asyncio.Semaphore(self._max_concurrency)

        async def bounded(sub: Subscription, local_date: dt.date) -> RunResult | None:
            try:
                async with slots:
                    return await self._post_one(sub, local_date)
            finally:
                self._in_flight.pop(sub.channel_id).set()

        results = await asyncio.gather(*(bounded(sub, day) for sub, day in due))
        if wait_for_others:
            await asyncio.gather(*(busy.wait() for busy in others))
        self.retries.summarize(self._clock.now())
        return [r for r in results if r is not None]

    async def release(self) -> int:
        """End this process's claims now (a clean stop), so another process takes them over at once.

        A post cut off by the stop may have gone out: its successor's claim counts ``attempts``
        up and looks for it before sending. Returns how many claims were ended.
        """
        return await self._store.release_claims(self.owner, self._clock.now())

    async def run_forever(self, interval_seconds: float, stop: asyncio.Event) -> None:
        """Start a pass (:meth:`run_once`) every ``interval_seconds`` until ``stop`` is set.

        A pass still posting when the next starts goes on beside it. Survives any error; on
        ``stop`` it waits for the passes still posting, and cancelling it cancels them.
        """
        passes: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                if not self._choosing.locked():  # else the last pass is still reading what is due
                    task = asyncio.create_task(self._pass(interval_seconds))
                    passes.add(task)
                    task.add_done_callback(passes.discard)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
            if passes:
                await asyncio.gather(*passes)
        finally:
            for task in passes:
                task.cancel()
            if passes:
                await asyncio.gather(*passes, return_exceptions=True)

    async def _pass(self, interval_seconds: float) -> None:
        try:
            await self._run(wait_for_others=False)
        except Exception:
            log.exception("Daily scheduler run failed; trying again in %.0f s", interval_seconds)

    async def _due(self, sub: Subscription, now: dt.datetime) -> dt.date | None:
        """The date due for ``sub`` (pausing it if its time zone no longer exists)."""
        try:
            zone = _zone(sub.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            reason = reasons.reason(reasons.UNKNOWN_ZONE, zone=sub.timezone)
            log.warning("Pausing channel %d: %s", sub.channel_id, reason)
            await self._store.pause(sub.channel_id, reason, now)
            return None
        return due_local_date(sub.post_time, zone, now, sub.last_posted_date, starts_on=sub.starts_on)

    async def _post_one(self, sub: Subscription, local_date: dt.date) -> RunResult | None:
        """Run the exactly-once protocol for one channel; never raises (except cancellation)."""
        channel = sub.channel_id
        nonce = post_nonce(channel, local_date)
        try:
            pending = await self._store.claim_post(
                channel, local_date, owner=self.owner, nonce=nonce, now=self._clock.now(), lease=self.lease
            )
        except Exception:
            log.exception("Could not claim the post for channel %d", channel)
            failed = PostOutcome.TRANSIENT_ERROR
            return RunResult(sub.guild_id, channel, local_date, failed, nonce, 0, error=STATE_ERROR)
        if pending is None:  # unsubscribed, paused, posted since the list was read, or another's claim
            return None
        nonce = pending.nonce
        outcome, ids, error = await self._call_poster(sub, local_date, nonce)
        result = RunResult(
            sub.guild_id, channel, local_date, outcome, nonce, pending.attempts, tuple(ids), error
        )
        try:
            await self._record(result)
        except Exception:
            log.exception("Could not record the outcome %s for channel %d", outcome.name, channel)
        return result

    async def _call_poster(
        self, sub: Subscription, local_date: dt.date, nonce: str
    ) -> tuple[PostOutcome, list[int], str | None]:
        try:
            return await asyncio.wait_for(self._poster.post(sub, local_date, nonce), self._post_timeout)
        except TimeoutError:
            return PostOutcome.TRANSIENT_ERROR, [], reasons.TIMED_OUT
        except Exception as exc:
            log.exception("Daily post to channel %d failed", sub.channel_id)
            why = reasons.reason(reasons.UNEXPECTED, name=type(exc).__name__)
            return PostOutcome.TRANSIENT_ERROR, [], why

    async def _record(self, result: RunResult) -> None:
        channel, now = result.channel_id, self._clock.now()
        match result.outcome:
            case PostOutcome.SENT | PostOutcome.SKIPPED:
                what = result.outcome.value
                log.info("Daily post for %s %s in channel %d", result.local_date, what, channel)
                self.retries.succeeded(channel, now)
                ids = list(result.message_ids)
                if not await self._store.finish_post(
                    channel, result.local_date, owner=self.owner, message_ids=ids, now=now
                ):
                    log.warning(
                        "The %s post of channel %d was not recorded here: its claim ended "
                        "(another process took it over, or the channel was unsubscribed)",
                        result.local_date,
                        channel,
                    )
            case PostOutcome.CHANNEL_GONE | PostOutcome.FORBIDDEN:
                default = (
                    CHANNEL_GONE_REASON if result.outcome is PostOutcome.CHANNEL_GONE else FORBIDDEN_REASON
                )
                reason = result.error or default
                log.warning("Pausing daily posts in channel %d: %s", channel, reason)
                self.retries.forget(channel)
                await self._store.pause(channel, reason, now)
            case PostOutcome.TRANSIENT_ERROR:
                error = result.error or TRANSIENT_REASON
                self.retries.failed(channel, error, now)
                await self._store.record_error(channel, error, now)
