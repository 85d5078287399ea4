"""What both subscription stores share: checking what is stored, and reading rows back as records.

SQLite hands back ISO text for dates, times and datetimes; PostgreSQL (asyncpg) hands back
``date``, ``time`` and aware ``datetime`` objects. :func:`subscription_from` and
:func:`pending_from` read either into the core's records, so both backends return equal values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.subscriptions import EMPTY_DAY_CHOICES, EmptyDay, PendingPost, Subscription
from bot.core.text import clip

MAX_TEXT = 500  # longest stored error or pause reason



class Row(Protocol):
    """A row read by column name: ``sqlite3.Row`` and ``asyncpg.Record`` both are."""

    def __getitem__(self, key: str, /) -> Any:  # noqa: ANN401 - a column holds any type
        """The value of column ``key``."""
        ...


def aware_utc(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC; ValueError for a naive datetime (never guessed)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return when.astimezone(dt.UTC)


def utc_text(when: dt.datetime) -> str:
    """``when`` as SQLite stores it: ISO text in UTC, to the microsecond."""
    return aware_utc(when).isoformat(timespec="microseconds")


def checked_time(post_time: dt.time) -> dt.time:
    """A subscription's time: a local wall time in whole minutes; ValueError otherwise."""
    if post_time.tzinfo is not None:
        raise ValueError("post time must be a local wall time without a time zone")
    if post_time.second or post_time.microsecond:
        raise ValueError("post time must be whole minutes, like 09:00")
    return post_time


def checked_timezone(name: str) -> str:
    """An IANA time zone name that this machine knows; ValueError otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


def checked_empty_day(empty_day: str) -> EmptyDay:
    """One of :data:`~bot.core.subscriptions.EMPTY_DAY_CHOICES`; ValueError otherwise."""
    for choice in EMPTY_DAY_CHOICES:
        if empty_day == choice:
            return choice
    raise ValueError(f"empty_day must be one of {', '.join(EMPTY_DAY_CHOICES)}")


def reason_text(reason: str) -> str:
    """A pause reason as stored: clipped, never empty."""
    return clip(reason, MAX_TEXT) or "Paused."


def error_text(error: str) -> str:
    """An error as stored: clipped, never empty."""
    return clip(error, MAX_TEXT) or "Unknown error."


def message_ids_text(message_ids: list[int]) -> str:
    """Message ids as stored: ``"1,2,3"``."""
    return ",".join(str(int(i)) for i in message_ids)


def _utc(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if when.tzinfo is None:  # never written by this package; refuse to guess
        raise ValueError(f"naive datetime in the database: {value!r}")
    return when


def _required_utc(value: str | dt.datetime) -> dt.datetime:
    when = _utc(value)
    assert when is not None
    return when


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _time(value: str | dt.time) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def subscription_from(row: Row) -> Subscription:
    """A ``daily_subscriptions`` row as the core's record."""
    empty_day = row["empty_day"]
    if empty_day not in EMPTY_DAY_CHOICES:  # the CHECK constraint makes this unreachable
        raise ValueError(f"bad empty_day in the database: {empty_day!r}")
    ids = str(row["last_message_ids"])
    return Subscription(
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        post_time=_time(row["post_time"]),
        timezone=str(row["timezone"]),
        empty_day=checked_empty_day(empty_day),
        last_posted_date=_date(row["last_posted_date"]),
        paused_reason=row["paused_reason"],
        last_error=row["last_error"],
        last_posted_at=_utc(row["last_posted_at"]),
        created_by=int(row["created_by"]),
        created_at=_required_utc(row["created_at"]),
        updated_at=_required_utc(row["updated_at"]),
        last_error_at=_utc(row["last_error_at"]),
        paused_at=_utc(row["paused_at"]),
        last_message_ids=tuple(int(part) for part in ids.split(",") if part),
        starts_on=_date(row["starts_on"]),
    )


def pending_from(row: Row) -> PendingPost:
    """A ``daily_pending`` row as the core's record."""
    local_date = _date(row["local_date"])
    assert local_date is not None
    return PendingPost(
        channel_id=int(row["channel_id"]),
        local_date=local_date,
        nonce=str(row["nonce"]),
        started_at=_required_utc(row["started_at"]),
        attempts=int(row["attempts"]),
        claimed_by=row["claimed_by"],
        lease_until=_utc(row["lease_until"]),
    )
