"""When a daily post is due: pure date math over zoneinfo, correct across DST changes.

A subscription posts at a local wall time (``HH:MM``) in an IANA time zone, once per local date.

* Spring forward: a wall time inside the gap (02:30 when clocks jump 02:00 → 03:00) does not
  exist that day; the post goes out at the first valid instant after the gap (03:00), once.
* Fall back: a wall time inside the overlap (01:30 happens twice) posts once, at its first
  occurrence (``fold=0``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def post_instant(day: dt.date, sub_time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The aware UTC instant of the post for local date ``day`` (gap → end of gap; overlap → first)."""
    wall = dt.datetime.combine(day, sub_time.replace(tzinfo=None), tzinfo=tz)  # fold=0
    first = wall.astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return first  # exists (in an overlap, fold=0 is the first occurrence)
    # In a gap. fold=1 reads the wall time with the offset after the change (an instant before
    # the change), fold=0 with the offset before it (an instant after). The change lies between:
    # find the first second whose offset is the new one.
    lo = wall.replace(fold=1).astimezone(UTC)
    hi = first
    old_offset = lo.astimezone(tz).utcoffset()
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            mid = lo + dt.timedelta(seconds=1)
        if mid.astimezone(tz).utcoffset() == old_offset:
            lo = mid
        else:
            hi = mid
    return hi


def due_local_date(
    sub_time: dt.time,
    tz: ZoneInfo,
    now: dt.datetime,
    last_posted: dt.date | None,
    *,
    starts_on: dt.date | None = None,
) -> dt.date | None:
    """The local date whose post is due at ``now``, or None.

    Due means: the post instant of today's local date (see :func:`post_instant`) has been
    reached, today's date is not posted yet (``last_posted`` is earlier or None) and it is not
    before the subscription's first date (``starts_on``, None for no limit).
    A bot that was down at post time catches up later the same local day. It never posts for
    past days it missed entirely: only today's local date can be due.
    """
    _require_aware(now)
    today = now.astimezone(tz).date()
    if last_posted is not None and last_posted >= today:
        return None
    if starts_on is not None and starts_on > today:
        return None
    if now >= post_instant(today, sub_time, tz):
        return today
    return None


def next_post_at(
    sub_time: dt.time,
    tz: ZoneInfo,
    now: dt.datetime,
    last_posted: dt.date | None,
    *,
    starts_on: dt.date | None = None,
) -> dt.datetime:
    """The aware UTC instant of the next post (``now`` itself if a post is due right now)."""
    _require_aware(now)
    if due_local_date(sub_time, tz, now, last_posted, starts_on=starts_on) is not None:
        return now.astimezone(UTC)
    day = now.astimezone(tz).date()
    if last_posted is not None and last_posted >= day:
        day = last_posted + dt.timedelta(days=1)
    if starts_on is not None and starts_on > day:
        day = starts_on
    for _ in range(7):  # a local date can be skipped entirely (Pacific/Apia, 2011-12-30)
        when = post_instant(day, sub_time, tz)
        if when > now and when.astimezone(tz).date() == day:
            return when
        day += dt.timedelta(days=1)
    return post_instant(day, sub_time, tz)
