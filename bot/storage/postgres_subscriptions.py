"""Daily-post subscriptions on PostgreSQL: the same rows and rules as on SQLite, for many processes.

Implements :class:`bot.core.subscriptions.SubscriptionStore` over :class:`PostgresDatabase`.
Each write is one statement or one transaction. Where SQLite serialises writers with
``BEGIN IMMEDIATE``, PostgreSQL runs transactions side by side (READ COMMITTED), so the
subscribe limit takes a transaction-scoped advisory lock on the guild before counting: two
subscribes of one guild, from any processes, count and insert one after the other.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.core.subscriptions import ChannelLimitError, EmptyDay, PendingPost, Subscription
from bot.storage.postgres import PostgresDatabase
from bot.storage.records import (
    aware_utc,
    checked_empty_day,
    checked_time,
    checked_timezone,
    error_text,
    message_ids_text,
    pending_from,
    reason_text,
    subscription_from,
)

if TYPE_CHECKING:
    from bot.storage.postgres import Connection

#: The first key of the advisory locks that serialise subscribes per guild (the two-int key space).
SUBSCRIBE_LOCK = 1701


def guild_lock_key(guild_id: int) -> int:
    """The second key of a guild's subscribe lock: a 32-bit signed number (two guilds may share one)."""
    folded = (guild_id ^ (guild_id >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


class PostgresSubscriptionStore:
    """Daily subscriptions in PostgreSQL. Every write is atomic (one statement or one transaction)."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    @property
    def db(self) -> PostgresDatabase:
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

        The same contract as the SQLite store: ``starts_on`` is kept from the first subscribe;
        with ``max_channels``, a new channel past the limit raises
        :class:`~bot.core.subscriptions.ChannelLimitError`, counted and inserted under the
        guild's lock in one transaction. Raises ValueError for a bad time, time zone or ``empty_day``.
        """
        post_time = checked_time(time)
        zone = checked_timezone(timezone)
        empty_day = checked_empty_day(empty_day)
        stamp = aware_utc(now)
        async with self._db.transaction() as conn:
            if max_channels is not None:
                await conn.execute(
                    "SELECT pg_advisory_xact_lock($1, $2)", SUBSCRIBE_LOCK, guild_lock_key(guild_id)
                )
                known = await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM daily_subscriptions WHERE channel_id = $1)", channel_id
                )
                if not known:
                    counted = await conn.fetchval(
                        "SELECT COUNT(*) FROM daily_subscriptions WHERE guild_id = $1", guild_id
                    )
                    if counted >= max_channels:
                        raise ChannelLimitError(max_channels)
            row = await conn.fetchrow(
                """
                INSERT INTO daily_subscriptions (
                    channel_id, guild_id, post_time, timezone, empty_day,
                    created_by, created_at, updated_at, starts_on
                ) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
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
                channel_id, guild_id, post_time, zone, empty_day, created_by, stamp, starts_on,
            )  # fmt: skip
        assert row is not None  # an upsert always returns its row
        return subscription_from(row)

    async def unsubscribe(self, guild_id: int, channel_id: int) -> bool:
        """Remove the channel's subscription (and any pending post); True if there was one."""
        rows = await self._db.execute(
            "DELETE FROM daily_subscriptions WHERE guild_id = $1 AND channel_id = $2 RETURNING channel_id",
            guild_id,
            channel_id,
        )
        return bool(rows)

    async def remove_guild(self, guild_id: int) -> int:
        """Remove every subscription of a guild (the bot left it); returns how many."""
        rows = await self._db.execute(
            "DELETE FROM daily_subscriptions WHERE guild_id = $1 RETURNING channel_id", guild_id
        )
        return len(rows)

    async def get(self, channel_id: int) -> Subscription | None:
        """The channel's subscription, or None."""
        row = await self._db.fetchone("SELECT * FROM daily_subscriptions WHERE channel_id = $1", channel_id)
        return None if row is None else subscription_from(row)

    async def list_for_guild(self, guild_id: int) -> list[Subscription]:
        """Every subscription of a guild, paused ones included, by channel id."""
        rows = await self._db.fetchall(
            "SELECT * FROM daily_subscriptions WHERE guild_id = $1 ORDER BY channel_id", guild_id
        )
        return [subscription_from(row) for row in rows]

    async def count_for_guild(self, guild_id: int) -> int:
        """How many channels of a guild are subscribed (paused ones included)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM daily_subscriptions WHERE guild_id = $1", guild_id
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
        rows = await self._db.execute(
            "UPDATE daily_subscriptions SET paused_reason = $1, paused_at = $2 WHERE channel_id = $3 "
            "RETURNING channel_id",
            reason_text(reason),
            aware_utc(now),
            channel_id,
        )
        return bool(rows)

    async def record_error(self, channel_id: int, error: str, now: dt.datetime) -> bool:
        """Remember a transient error for status (does not pause); True if the channel exists."""
        rows = await self._db.execute(
            "UPDATE daily_subscriptions SET last_error = $1, last_error_at = $2 WHERE channel_id = $3 "
            "RETURNING channel_id",
            error_text(error),
            aware_utc(now),
            channel_id,
        )
        return bool(rows)

    async def begin_post(
        self, channel_id: int, local_date: dt.date, nonce: str, now: dt.datetime
    ) -> PendingPost | None:
        """Record that a post for ``local_date`` is about to be sent ("a send may have happened").

        The same contract as the SQLite store: a pending post of the same date keeps its first
        nonce (``attempts`` counted up); None when the channel has no active subscription, the
        date (or a later one) is already posted or pending, it is before the subscription's first
        date, or another process's claim on it runs.
        """
        return await self._take_post(channel_id, local_date, nonce, now, owner=None, until=None)

    async def pending(self, channel_id: int) -> PendingPost | None:
        """The channel's post that was started but not recorded as done, or None."""
        row = await self._db.fetchone("SELECT * FROM daily_pending WHERE channel_id = $1", channel_id)
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

        One statement: an upsert whose update happens only when the post is free (no pending row,
        one of an earlier date, one of the same owner, or one whose lease ran out). PostgreSQL
        locks the conflicting row, and a claim that waited for another's commit re-checks the
        condition on the committed row, so of claims at once, from any processes, exactly one
        gets the post. See :meth:`bot.core.subscriptions.SubscriptionStore.claim_post`.
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

        The subscription's row is locked (``FOR UPDATE``) while it is checked: a claim that meets
        another process's :meth:`finish_post` in progress waits for it and checks the row as
        committed, so it never re-inserts the pending row of a date just recorded as posted (a
        plain ``INSERT … SELECT`` would check the subscription as it was before that commit,
        then find the pending row gone and insert a new one: the post would go out twice).
        """
        stamp = aware_utc(now)
        rows = await self._db.execute(
            """
            WITH due AS (
                SELECT channel_id FROM daily_subscriptions
                WHERE channel_id = $1 AND paused_reason IS NULL
                  AND (last_posted_date IS NULL OR last_posted_date < $2)
                  AND (starts_on IS NULL OR starts_on <= $2)
                FOR UPDATE
            )
            INSERT INTO daily_pending AS p
                (channel_id, local_date, nonce, started_at, attempts, claimed_by, lease_until)
            SELECT channel_id, $2, $3, $4, 1, $5, $6 FROM due
            ON CONFLICT (channel_id) DO UPDATE SET
                nonce = CASE WHEN p.local_date = excluded.local_date THEN p.nonce ELSE excluded.nonce END,
                started_at = CASE WHEN p.local_date = excluded.local_date
                                  THEN p.started_at ELSE excluded.started_at END,
                attempts = CASE WHEN p.local_date = excluded.local_date THEN p.attempts + 1 ELSE 1 END,
                local_date = excluded.local_date,
                claimed_by = excluded.claimed_by,
                lease_until = excluded.lease_until
            WHERE p.local_date < excluded.local_date
               OR (p.local_date = excluded.local_date
                   AND (p.claimed_by IS NULL OR p.claimed_by = excluded.claimed_by OR p.lease_until <= $4))
            RETURNING *
            """,
            channel_id, local_date, nonce, stamp, owner, None if until is None else aware_utc(until),
        )  # fmt: skip
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
        """Record ``owner``'s post as done and end its claim in one transaction; False if not its claim.

        The subscription's row, then the pending row, are locked (``FOR UPDATE``) while checked, so
        no takeover slips in between the check and the record; in the order :meth:`claim_post`
        locks them, so the two never deadlock.
        """
        async with self._db.transaction() as conn:
            lock = "SELECT 1 FROM daily_subscriptions WHERE channel_id = $1 FOR UPDATE"
            await conn.execute(lock, channel_id)
            held = await conn.fetchval(
                "SELECT 1 FROM daily_pending WHERE channel_id = $1 AND local_date = $2 AND claimed_by = $3 "
                "FOR UPDATE",
                channel_id,
                local_date,
                owner,
            )
            if held is None:
                return False
            return await _record_posted(conn, channel_id, local_date, message_ids, now)

    async def release_claims(self, owner: str, now: dt.datetime) -> int:
        """End every lease ``owner`` holds at ``now``; returns how many (see the core protocol)."""
        rows = await self._db.execute(
            "UPDATE daily_pending SET lease_until = $2 WHERE claimed_by = $1 AND lease_until > $2 "
            "RETURNING channel_id",
            owner,
            aware_utc(now),
        )
        return len(rows)


async def _record_posted(
    conn: Connection, channel_id: int, local_date: dt.date, message_ids: list[int], now: dt.datetime
) -> bool:
    """In the caller's transaction: the post for ``local_date`` done, its pending marker gone."""
    updated = await conn.fetch(
        """
        UPDATE daily_subscriptions SET
            last_posted_date = GREATEST(last_posted_date, $1),
            last_posted_at = $2,
            last_message_ids = $3,
            last_error = NULL,
            last_error_at = NULL
        WHERE channel_id = $4
        RETURNING channel_id
        """,
        local_date,
        aware_utc(now),
        message_ids_text(message_ids),
        channel_id,
    )
    await conn.execute(
        "DELETE FROM daily_pending WHERE channel_id = $1 AND local_date <= $2", channel_id, local_date
    )
    return bool(updated)
