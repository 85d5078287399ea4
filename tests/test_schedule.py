"""Due-date math: catch-up the same day, no missed days, DST gaps and overlaps."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.core.schedule import due_local_date, next_post_at, post_instant
from bot.core.times import parse_hhmm

UTC = dt.UTC
YEREVAN = ZoneInfo("Asia/Yerevan")
LA = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")


def at(tz: ZoneInfo, *args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz, fold=fold)  # type: ignore[misc]


# --- parse_hhmm ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", dt.time(9, 0)),
        ("9:00", dt.time(9, 0)),
        (" 21:30 ", dt.time(21, 30)),
        ("00:00", dt.time(0, 0)),
        ("23:59", dt.time(23, 59)),
        ("07.45", dt.time(7, 45)),
        ("9h30", dt.time(9, 30)),
    ],
)
def test_parse_hhmm_accepts(text: str, expected: dt.time) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("text", ["", "9", "24:00", "12:60", "9am", "noon", "12:5", "-1:00", "09:00:00"])
def test_parse_hhmm_rejects_with_hint(text: str) -> None:
    with pytest.raises(ValueError, match=r"Use a 24-hour time like 09:00\."):
        parse_hhmm(text)


# --- due_local_date (no DST) --------------------------------------------------------------------


def test_yerevan_due_from_post_time_until_midnight() -> None:
    nine = dt.time(9, 0)
    day = dt.date(2024, 6, 1)
    assert due_local_date(nine, YEREVAN, at(YEREVAN, 2024, 6, 1, 8, 59), None) is None
    assert due_local_date(nine, YEREVAN, at(YEREVAN, 2024, 6, 1, 9, 0), None) == day
    # catch-up: the bot was down at 09:00 and is back in the evening, same local day
    assert due_local_date(nine, YEREVAN, at(YEREVAN, 2024, 6, 1, 23, 59), None) == day
    # but once it is posted, nothing more that day
    assert due_local_date(nine, YEREVAN, at(YEREVAN, 2024, 6, 1, 23, 59), day) is None


def test_missed_days_are_not_posted_later() -> None:
    """Down for two whole days: only today's date becomes due, and only after 09:00."""
    nine = dt.time(9, 0)
    last = dt.date(2024, 6, 1)
    assert due_local_date(nine, YEREVAN, at(YEREVAN, 2024, 6, 4, 8, 0), last) is None
    assert due_local_date(nine, YEREVAN, at(YEREVAN, 2024, 6, 4, 9, 30), last) == dt.date(2024, 6, 4)


def test_due_uses_local_date_not_utc_date() -> None:
    # 00:30 in Yerevan on June 2 is still June 1 in UTC.
    now = at(YEREVAN, 2024, 6, 2, 0, 30)
    assert now.astimezone(UTC).date() == dt.date(2024, 6, 1)
    assert due_local_date(dt.time(0, 15), YEREVAN, now, dt.date(2024, 6, 1)) == dt.date(2024, 6, 2)


def test_last_posted_in_the_future_is_not_due() -> None:
    """After moving to a zone behind the old one, a date already posted is not posted again."""
    now = at(LA, 2024, 6, 1, 10, 0)
    assert due_local_date(dt.time(9, 0), LA, now, dt.date(2024, 6, 2)) is None
    assert next_post_at(dt.time(9, 0), LA, now, dt.date(2024, 6, 2)) == at(LA, 2024, 6, 3, 9, 0)


def test_nothing_is_due_before_the_first_post_date() -> None:
    """Subscribed after today's 09:00: the first post is tomorrow's, with nothing marked as posted."""
    nine = dt.time(9, 0)
    first = dt.date(2024, 6, 2)
    evening = at(YEREVAN, 2024, 6, 1, 20, 0)
    assert due_local_date(nine, YEREVAN, evening, None) == dt.date(2024, 6, 1)  # without a first date
    assert due_local_date(nine, YEREVAN, evening, None, starts_on=first) is None
    assert next_post_at(nine, YEREVAN, evening, None, starts_on=first) == at(YEREVAN, 2024, 6, 2, 9, 0)
    assert due_local_date(nine, YEREVAN, at(YEREVAN, 2024, 6, 2, 8, 59), None, starts_on=first) is None
    assert due_local_date(nine, YEREVAN, at(YEREVAN, 2024, 6, 2, 9, 0), None, starts_on=first) == first
    # a first date in the past limits nothing
    later = at(YEREVAN, 2024, 6, 9, 9, 30)
    assert due_local_date(nine, YEREVAN, later, first, starts_on=first) == dt.date(2024, 6, 9)
    # a first date a week away: the next post is that day's, not tomorrow's
    week = dt.date(2024, 6, 8)
    assert next_post_at(nine, YEREVAN, evening, None, starts_on=week) == at(YEREVAN, 2024, 6, 8, 9, 0)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_local_date(dt.time(9), YEREVAN, dt.datetime(2024, 6, 1, 9), None)  # noqa: DTZ001


# --- DST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "wall", "expected_local"),
    [
        # spring forward: 02:00 → 03:00; times in the gap go out at 03:00
        (LA, dt.date(2024, 3, 10), dt.time(2, 30), at(LA, 2024, 3, 10, 3, 0)),
        (LA, dt.date(2024, 3, 10), dt.time(2, 0), at(LA, 2024, 3, 10, 3, 0)),
        (LA, dt.date(2024, 3, 10), dt.time(1, 59), at(LA, 2024, 3, 10, 1, 59)),
        (LA, dt.date(2024, 3, 10), dt.time(3, 0), at(LA, 2024, 3, 10, 3, 0)),
        (PARIS, dt.date(2024, 3, 31), dt.time(2, 30), at(PARIS, 2024, 3, 31, 3, 0)),
        # fall back: 01:30 (LA) / 02:30 (Paris) happen twice; the first one (fold=0) counts
        (LA, dt.date(2024, 11, 3), dt.time(1, 30), at(LA, 2024, 11, 3, 1, 30, fold=0)),
        (PARIS, dt.date(2024, 10, 27), dt.time(2, 30), at(PARIS, 2024, 10, 27, 2, 30, fold=0)),
        # Lord Howe jumps by 30 minutes
        (ZoneInfo("Australia/Lord_Howe"), dt.date(2024, 10, 6), dt.time(2, 10),
         at(ZoneInfo("Australia/Lord_Howe"), 2024, 10, 6, 2, 30)),
    ],
)  # fmt: skip
def test_post_instant_across_dst(
    tz: ZoneInfo, day: dt.date, wall: dt.time, expected_local: dt.datetime
) -> None:
    instant = post_instant(day, wall, tz)
    assert instant.tzinfo is UTC
    # compare in UTC: aware datetimes in a fold never compare equal across zones (PEP 495)
    assert instant == expected_local.astimezone(UTC)


def test_fall_back_first_occurrence_in_utc() -> None:
    # 01:30 PDT (UTC-7) = 08:30 UTC, an hour before the second 01:30 (PST).
    assert post_instant(dt.date(2024, 11, 3), dt.time(1, 30), LA) == dt.datetime(
        2024, 11, 3, 8, 30, tzinfo=UTC
    )
    assert post_instant(dt.date(2024, 3, 10), dt.time(2, 30), LA) == dt.datetime(
        2024, 3, 10, 10, 0, tzinfo=UTC
    )


WEEKS = [
    (LA, dt.date(2024, 3, 10)),
    (LA, dt.date(2024, 11, 3)),
    (PARIS, dt.date(2024, 3, 31)),
    (PARIS, dt.date(2024, 10, 27)),
    (YEREVAN, dt.date(2024, 3, 31)),
]
WALLS = [
    dt.time(0, 0),
    dt.time(1, 30),
    dt.time(2, 0),
    dt.time(2, 30),
    dt.time(3, 0),
    dt.time(9, 0),
    dt.time(23, 59),
]


@pytest.mark.parametrize(("tz", "change_day"), WEEKS)
@pytest.mark.parametrize("wall", WALLS)
def test_minute_by_minute_one_post_per_local_day(tz: ZoneInfo, change_day: dt.date, wall: dt.time) -> None:
    """Simulate a scheduler that checks every minute for a week around a DST change."""
    start_local = dt.datetime.combine(change_day - dt.timedelta(days=3), dt.time(0, 0), tzinfo=tz)
    now = start_local.astimezone(UTC)
    end = dt.datetime.combine(change_day + dt.timedelta(days=4), dt.time(0, 0), tzinfo=tz).astimezone(UTC)
    last: dt.date | None = None
    posts: list[tuple[dt.date, dt.datetime]] = []
    while now < end:
        due = due_local_date(wall, tz, now, last)
        if due is not None:
            posts.append((due, now))
            last = due
        now += dt.timedelta(minutes=1)
    days = [d for d, _ in posts]
    expected_days = [change_day + dt.timedelta(days=i) for i in range(-3, 4)]
    assert days == expected_days  # exactly one post per local date, none skipped
    for day, when in posts:
        local = when.astimezone(tz)
        assert local.date() == day
        assert when == post_instant(day, wall, tz)  # posted on the first minute it became due
        if dt.datetime.combine(day, wall, tzinfo=tz).astimezone(UTC).astimezone(tz).time() == wall:
            assert local.time() == wall  # an existing wall time posts exactly at that time
        else:
            assert local.time() == dt.time(3, 0)  # a time in the gap posts when the gap ends


# --- next_post_at -------------------------------------------------------------------------------


def test_next_post_at_today_tomorrow_and_due_now() -> None:
    nine = dt.time(9, 0)
    morning = at(YEREVAN, 2024, 6, 1, 7, 0)
    assert next_post_at(nine, YEREVAN, morning, None) == at(YEREVAN, 2024, 6, 1, 9, 0)
    evening = at(YEREVAN, 2024, 6, 1, 20, 0)
    assert next_post_at(nine, YEREVAN, evening, dt.date(2024, 6, 1)) == at(YEREVAN, 2024, 6, 2, 9, 0)
    # overdue (bot was down): due right now
    assert next_post_at(nine, YEREVAN, evening, dt.date(2024, 5, 31)) == evening
    assert next_post_at(nine, YEREVAN, evening, None).tzinfo is UTC


def test_next_post_at_across_spring_forward() -> None:
    before = at(LA, 2024, 3, 9, 12, 0)
    nxt = next_post_at(dt.time(2, 30), LA, before, dt.date(2024, 3, 9))
    assert nxt == at(LA, 2024, 3, 10, 3, 0)


def test_next_post_at_skips_a_date_that_does_not_exist() -> None:
    apia = ZoneInfo("Pacific/Apia")  # 2011-12-30 was skipped entirely
    now = at(apia, 2011, 12, 29, 12, 0)
    nxt = next_post_at(dt.time(9, 0), apia, now, dt.date(2011, 12, 29))
    assert nxt.astimezone(apia) == at(apia, 2011, 12, 31, 9, 0)
