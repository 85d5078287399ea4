"""Injected time: the bot never reads the wall clock except through a Clock."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

UTC = dt.UTC


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


def today_in(clock: Clock, tz: ZoneInfo | None = None) -> dt.date:
    """The calendar day it is now in ``tz`` (UTC when None)."""
    return clock.now().astimezone(tz or UTC).date()
