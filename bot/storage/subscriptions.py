"""Daily-post subscriptions on SQLite: one row per channel, plus a pending marker for in-flight posts.

Implements :class:`bot.core.subscriptions.SubscriptionStore`, the store the core declares.

Datetimes are stored as ISO text in UTC and read back timezone-aware; dates as ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.core.subscriptions import ChannelLimitError, EmptyDay, PendingPost, Subscription
from bot.storage.database import Database
from bot.storage.records import (
    checked_empty_day,
    checked_time,
    checked_timezone,
    error_text,
    message_ids_text,
    pending_from,
    reason_text,
    subscription_from,
    utc_text,
)


class SubscriptionStore:
    """Daily subscriptions in SQLite. Every write is atomic (one statement or one transaction)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def db(self) -> Database:
        """The database this store writes to."""
        return self._db

    async def subscribe(
        self,
        guild_id: int,
        channel_id: int,
        *,
        time: dt.time,
        timezone: str,
        empty_day: EmptyDay,
        created_by: int,
        now: dt.datetime,
        starts_on: dt.date | None = None,
        max_channels: int | None = None,
    ) -> Subscription:
        """Subscribe ``channel_id`` (or update it), clearing any pause and error.

        ``starts_on`` is the local date of the first post (None: no limit). It is stored for a
        new subscription only: an update keeps the stored one, and ``last_posted_date`` too, so
        re-subscribing never posts a date already posted or earlier than the first.
        With ``max_channels``, a new channel of a guild that already has that many raises
        :class:`~bot.core.subscriptions.ChannelLimitError`: the count and the insert are one
        transaction, so two subscribes at once cannot both take the last place.
        Raises ValueError for a bad time, time zone or ``empty_day``.
        """
        post_time = checked_time(time).strftime("%H:%M")
        zone = checked_timezone(timezone)
        empty_day = checked_empty_day(empty_day)
        stamp = utc_text(now)
        async with self._db.transaction() as conn:
            if max_channels is not None:
                known = await conn.execute_fetchall(
                    "SELECT 1 FROM daily_subscriptions WHERE channel_id = ?", (channel_id,)
                )
                if not known:
                    counted = await conn.execute_fetchall(
                        "SELECT COUNT(*) FROM daily_subscriptions WHERE guild_id = ?", (guild_id,)
                    )
                    if next(iter(counted))[0] >= max_channels:
                        raise ChannelLimitError(max_channels)
            rows = await conn.execute_fetchall(
                """
                INSERT INTO daily_subscriptions
                    (channel_id, guild_id, post_time, timezone, empty_day, created_by, created_at, updated_at,
                     starts_on)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (channel_id) DO UPDATE SET
                    guild_id = excluded.guild_id,
                    post_time = excluded.post_time,
                    timezone = excluded.timezone,
                    empty_day = excluded.empty_day,
                    created_by = excluded.created_by,
                    updated_at = excluded.updated_at,
                    paused_reason = NULL,
                    paused_at = NULL,
                    last_error = NULL,
                    last_error_at = NULL
                RETURNING *
                """,
                (
                    channel_id,
                    guild_id,
                    post_time,
                    zone,
                    empty_day,
                    created_by,
                    stamp,
                    stamp,
                    None if starts_on is None else starts_on.isoformat(),
                ),
            )
        return subscription_from(next(iter(rows)))

    async def unsubscribe(self, guild_id: int, channel_id: int) -> bool:
        """Remove the channel's subscription (and any pending post); True if there was one."""
        rows = await self._db.execute(
            "DELETE FROM daily_subscriptions WHERE guild_id = ? AND channel_id = ? RETURNING channel_id",
            (guild_id, channel_id),
        )
        return bool(rows)

    async def remove_guild(self, guild_id: int) -> int:
        """Remove every subscription of a guild (the bot left it); returns how many."""
        rows = await self._db.execute(
            "DELETE FROM daily_subscriptions WHERE guild_id = ? RETURNING channel_id", (guild_id,)
        )
        return len(rows)

    async def get(self, channel_id: int) -> Subscription | None:
        """The channel's subscription, or None."""
        row = await self._db.fetchone("SELECT * FROM daily_subscriptions WHERE channel_id = ?", (channel_id,))
        return None if row is None else subscription_from(row)

    async def list_for_guild(self, guild_id: int) -> list[Subscription]:
        """Every subscription of a guild, paused ones included, by channel id."""
        rows = await self._db.fetchall(
            "SELECT * FROM daily_subscriptions WHERE guild_id = ? ORDER BY channel_id",
            (guild_id,),
        )
        return [subscription_from(row) for row in rows]

    async def count_for_guild(self, guild_id: int) -> int:
        """How many channels of a guild are subscribed (paused ones included)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM daily_subscriptions WHERE guild_id = ?", (guild_id,)
        )
        return 0 if row is None else int(row["n"])

    async def all_active(self) -> list[Subscription]:
        """Every subscription that is not paused, by channel id."""
        rows = await self._db.fetchall(
            "SELECT * FROM daily_subscriptions WHERE paused_reason IS NULL ORDER BY channel_id"
        )
        return [subscription_from(row) for row in rows]

    async def pause(self, channel_id: int, reason: str, now: dt.datetime) -> bool:
        """Stop posting to the channel until it is subscribed again; True if it exists."""
        stamp = utc_text(now)
        rows = await self._db.execute(
            "UPDATE daily_subscriptions SET paused_reason = ?, paused_at = ? WHERE channel_id = ? "
            "RETURNING channel_id",
            (reason_text(reason), stamp, channel_id),
        )
        return bool(rows)

    async def record_error(self, channel_id: int, error: str, now: dt.datetime) -> bool:
        """Remember a transient error for status (does not pause); True if the channel exists."""
        stamp = utc_text(now)
        rows = await self._db.execute(
            "UPDATE daily_subscriptions SET last_error = ?, last_error_at = ? WHERE channel_id = ? "
            "RETURNING channel_id",
            (error_text(error), stamp, channel_id),
        )
        return bool(rows)

    async def begin_post(
        self, channel_id: int, local_date: dt.date, nonce: str, now: dt.datetime
    ) -> PendingPost | None:
        """Record that a post for ``local_date`` is about to be sent ("a send may have happened").

        If a post for the same date is already pending, its first nonce is kept and returned
        (with ``attempts`` counted up), so a retry re-sends with the same nonce.
        Returns None, recording nothing, if the channel has no active subscription,
        ``local_date`` (or a later date) is already posted or pending, ``local_date`` is before
        the subscription's first date (``starts_on``), or another process's claim on it runs.
        """
        return await self._take_post(channel_id, local_date, nonce, now, owner=None, until=None)

    async def pending(self, channel_id: int) -> PendingPost | None:
        """The channel's post that was started but not recorded as done, or None."""
        row = await self._db.fetchone("SELECT * FROM daily_pending WHERE channel_id = ?", (channel_id,))
        return None if row is None else pending_from(row)

    async def mark_posted(
        self, channel_id: int, local_date: dt.date, message_ids: list[int], now: dt.datetime
    ) -> bool:
        """Record the post for ``local_date`` as done and clear the pending marker, atomically.

        ``last_posted_date`` never moves backwards. Returns False if the channel is no longer
        subscribed.
        """
        async with self._db.transaction() as conn:
            return await _record_posted(conn, channel_id, local_date, message_ids, now)

    async def claim_post(
        self,
        channel_id: int,
        local_date: dt.date,
        *,
        owner: str,
        nonce: str,
        now: dt.datetime,
        lease: dt.timedelta,
    ) -> PendingPost | None:
        """Take the post of ``local_date`` for ``owner`` until ``now + lease``; None if another holds it.

        One statement (an upsert whose update only happens when the post is free: no pending
        row, one of an earlier date, one of the same owner, or one whose lease ran out), so of
        claims at once exactly one gets the post. See
        :meth:`bot.core.subscriptions.SubscriptionStore.claim_post`.
        """
        return await self._take_post(channel_id, local_date, nonce, now, owner=owner, until=now + lease)

    async def _take_post(
        self,
        channel_id: int,
        local_date: dt.date,
        nonce: str,
        now: dt.datetime,
        *,
        owner: str | None,
        until: dt.datetime | None,
    ) -> PendingPost | None:
        """The pending row of ``local_date`` for ``owner`` (None: no claim), when the post is due and free.

        One statement: it inserts only for an active subscription that posts on the date and has
        not posted it, and updates a pending row only when it is free (an earlier date's; or the
        same date's with no claim, ``owner``'s own claim, or a lease that ran out).
        """
        stamp = utc_text(now)
        day = local_date.isoformat()
        lease_until = None if until is None else utc_text(until)
        rows = await self._db.execute(
            """
            INSERT INTO daily_pending
                (channel_id, local_date, nonce, started_at, attempts, claimed_by, lease_until)
            SELECT channel_id, ?, ?, ?, 1, ?, ? FROM daily_subscriptions
            WHERE channel_id = ? AND paused_reason IS NULL
              AND (last_posted_date IS NULL OR last_posted_date < ?)
              AND (starts_on IS NULL OR starts_on <= ?)
            ON CONFLICT (channel_id) DO UPDATE SET
                nonce = CASE WHEN local_date = excluded.local_date THEN nonce ELSE excluded.nonce END,
                started_at = CASE WHEN local_date = excluded.local_date
                                  THEN started_at ELSE excluded.started_at END,
                attempts = CASE WHEN local_date = excluded.local_date THEN attempts + 1 ELSE 1 END,
                local_date = excluded.local_date,
                claimed_by = excluded.claimed_by,
                lease_until = excluded.lease_until
            WHERE local_date < excluded.local_date
               OR (local_date = excluded.local_date
                   AND (claimed_by IS NULL OR claimed_by = excluded.claimed_by OR lease_until <= ?))
            RETURNING *
            """,
            (day, nonce, stamp, owner, lease_until, channel_id, day, day, stamp),
        )
        return pending_from(rows[0]) if rows else None

    async def finish_post(
        self,
        channel_id: int,
        local_date: dt.date,
        *,
        owner: str,
        message_ids: list[int],
        now: dt.datetime,
    ) -> bool:
        """Record ``owner``'s post as done and end its claim in one transaction; False if not its claim."""
        async with self._db.transaction() as conn:
            held = await conn.execute_fetchall(
                "SELECT 1 FROM daily_pending WHERE channel_id = ? AND local_date = ? AND claimed_by = ?",
                (channel_id, local_date.isoformat(), owner),
            )
            if not held:
                return False
            return await _record_posted(conn, channel_id, local_date, message_ids, now)

    async def release_claims(self, owner: str, now: dt.datetime) -> int:
        """End every lease ``owner`` holds at ``now``; returns how many (see the core protocol)."""
        stamp = utc_text(now)
        rows = await self._db.execute(
            "UPDATE daily_pending SET lease_until = ? WHERE claimed_by = ? AND lease_until > ? "
            "RETURNING channel_id",
            (stamp, owner, stamp),
        )
        return len(rows)


async def _record_posted(
    conn: aiosqlite.Connection, channel_id: int, local_date: dt.date, message_ids: list[int], now: dt.datetime
) -> bool:
    """In the caller's transaction: the post for ``local_date`` done, its pending marker gone."""
    day = local_date.isoformat()
    updated = await conn.execute_fetchall(
        """
        UPDATE daily_subscriptions SET
            last_posted_date = CASE WHEN last_posted_date IS NULL OR last_posted_date < ?
                                    THEN ? ELSE last_posted_date END,
            last_posted_at = ?,
            last_message_ids = ?,
            last_error = NULL,
            last_error_at = NULL
        WHERE channel_id = ?
        RETURNING channel_id
        """,
        (day, day, utc_text(now), message_ids_text(message_ids), channel_id),
    )
    await conn.execute_fetchall(
        "DELETE FROM daily_pending WHERE channel_id = ? AND local_date <= ?", (channel_id, day)
    )
    return bool(updated)
