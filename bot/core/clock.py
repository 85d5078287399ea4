"""Injected time: the bot never reads the wall clock except through a Clock.

``python -m bot`` takes its clock from :func:`clock_from_environment`: the real clock, unless the
test-only setting ``BOT_TEST_CLOCK_START`` names an instant to start from. The end-to-end tests
that run the bot as separate processes (tests/scaleout.py) use it to make daily posts due at once
instead of waiting for the wall clock; a real deployment never sets it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Protocol
from zoneinfo import ZoneInfo

UTC = dt.UTC

#: Tests only: the instant (ISO 8601 with its UTC offset) a process's clock shows when it starts.
TEST_CLOCK_START = "BOT_TEST_CLOCK_START"


class Clock(Protocol):
    """Anything that can tell the current time as an aware UTC datetime."""

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        """The current instant in UTC."""
        return dt.datetime.now(UTC)


class ManualClock:
    """A clock that tests set and move by hand."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> dt.datetime:
        """The time the test last set."""
        return self._now

    def set(self, when: dt.datetime) -> None:
        """Jump to ``when`` (aware)."""
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when.astimezone(UTC)

    def advance(self, delta: dt.timedelta) -> None:
        """Move forward by ``delta``."""
        self._now += delta


class StartedClock:
    """A clock that shows ``start`` when made and then runs at real speed (monotonic: never jumps)."""

    def __init__(self, start: dt.datetime, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None:
            raise ValueError("StartedClock needs an aware datetime")
        self.start = start.astimezone(UTC)
        self._monotonic = monotonic
        self._began = monotonic()

    def now(self) -> dt.datetime:
        """``start`` plus the real time elapsed since the clock was made."""
        return self.start + dt.timedelta(seconds=self._monotonic() - self._began)


def clock_from_environment(env: Mapping[str, str]) -> Clock:
    """The real clock; a :class:`StartedClock` when the test-only ``BOT_TEST_CLOCK_START`` is set.

    Raises ValueError, one line naming the setting, for a value that is not an instant with its offset.
    """
    text = env.get(TEST_CLOCK_START, "").strip()
    if not text:
        return SystemClock()
    try:
        start = dt.datetime.fromisoformat(text)
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise ValueError(
            f"{TEST_CLOCK_START} (for tests only) must be an instant with its UTC offset, "
            f"such as '2024-09-02T05:00:00+00:00', not {text!r}"
        )
    return StartedClock(start)


def today_in(clock: Clock, tz: ZoneInfo | None = None) -> dt.date:
    """The calendar day it is now in ``tz`` (UTC when None)."""
    return clock.now().astimezone(tz or UTC).date()
