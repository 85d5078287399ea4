"""Per-subscription backoff for daily posts that fail, and a log that stays short in an outage.

A post that fails for a passing reason (Discord down, the network gone) is retried after 30
seconds, then 1, 2, 4 ... minutes, at most every 30 minutes (:data:`POST_BACKOFF`), each
subscription on its own; one success resets it. The first failure of a subscription is logged
with its reason; later ones are only counted, and one summary line every
:data:`SUMMARY_EVERY` says how many channels are failing and how many attempts failed since
the last line. At a 30-second check with 500 channels in an outage that is a few hundred lines
a day instead of more than a million. Time comes from the injected clock.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from bot.core.backoff import Backoff

log = logging.getLogger("bot.core.daily")

POST_BACKOFF = Backoff(first=30.0, cap=30 * 60.0)
SUMMARY_EVERY = dt.timedelta(minutes=15)


@dataclass(slots=True)
class Failing:
    """A subscription whose posts keep failing: how often, since when, and when to try again."""

    failures: int
    since: dt.datetime
    retry_at: dt.datetime
    reason: str


def _seconds(value: float) -> str:
    return f"{value / 60:.0f} min" if value >= 60 else f"{value:.0f} s"


class PostRetries:
    """Which channels are backing off, and the log lines about them."""

    def __init__(self, backoff: Backoff = POST_BACKOFF, summary_every: dt.timedelta = SUMMARY_EVERY) -> None:
        self.backoff = backoff
        self.summary_every = summary_every
        self.failing: dict[int, Failing] = {}
        self._unlogged = 0  # failed attempts since the last summary that had no line of their own
        self._last_summary: dt.datetime | None = None

    def waiting(self, channel_id: int, now: dt.datetime) -> bool:
        """True while ``channel_id`` is backing off (its next try is still to come)."""
        state = self.failing.get(channel_id)
        return state is not None and now < state.retry_at

    def failed(self, channel_id: int, reason: str, now: dt.datetime) -> Failing:
        """Count a failed attempt; the first of a run is logged, later ones wait for the summary."""
        state = self.failing.get(channel_id)
        if state is None:
            delay = self.backoff.delay(1)
            state = self.failing[channel_id] = Failing(1, now, now + dt.timedelta(seconds=delay), reason)
            log.warning(
                "Daily post in channel %d failed: %s Trying again in %s, then less often "
                "(at most every %s) until it goes out.",
                channel_id, reason, _seconds(delay), _seconds(self.backoff.cap),
            )  # fmt: skip
            return state
        state.failures += 1
        state.reason = reason
        state.retry_at = now + dt.timedelta(seconds=self.backoff.delay(state.failures))
        self._unlogged += 1
        return state

    def succeeded(self, channel_id: int, now: dt.datetime) -> None:
        """Reset ``channel_id``: its post went out (after failures, that is logged)."""
        state = self.failing.pop(channel_id, None)
        if state is not None:
            log.info(
                "Daily post in channel %d went out after %d failed attempt(s) over %s",
                channel_id, state.failures, _seconds((now - state.since).total_seconds()),
            )  # fmt: skip

    def forget(self, channel_id: int) -> None:
        """Stop tracking ``channel_id`` (paused or removed)."""
        self.failing.pop(channel_id, None)

    def summarize(self, now: dt.datetime) -> None:
        """One line about every failing channel, at most once per ``summary_every``."""
        if not self._unlogged or not self.failing:
            if not self.failing:
                self._unlogged = 0
            return
        if self._last_summary is not None and now - self._last_summary < self.summary_every:
            return
        oldest = min(state.since for state in self.failing.values())
        latest = max(self.failing.values(), key=lambda state: state.retry_at)
        log.warning(
            "Daily posts: %d channel(s) failing, the first since %s; %d more failed attempt(s) "
            "since the last summary. Latest reason: %s Next try by %s.",
            len(self.failing), f"{oldest:%Y-%m-%d %H:%M} UTC", self._unlogged, latest.reason,
            f"{latest.retry_at:%H:%M} UTC",
        )  # fmt: skip
        self._unlogged = 0
        self._last_summary = now
