"""The state: migrations, meta, and the daily subscription store, on SQLite and on PostgreSQL.

Tests taking ``state_db``, ``store`` or ``open_state_db`` run once per backend (see conftest);
the ones taking ``tmp_path`` alone are about SQLite's file (WAL, ``user_version``, triggers).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from conftest import Opener

from bot.core.subscriptions import SubscriptionStore
from bot.storage import (
    MIGRATIONS,
    Database,
    Migration,
    SchemaTooNewError,
    Subscription,
)
from bot.storage.postgres import PostgresDatabase
from bot.storage.state import StateDatabase, subscription_store

NOW = dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)
GUILD = 111
OTHER_GUILD = 222


@pytest.fixture
def db(state_db: StateDatabase) -> StateDatabase:
    return state_db


@pytest.fixture
def store(db: StateDatabase) -> SubscriptionStore:
    return subscription_store(db)


async def subscribe(store: SubscriptionStore, channel: int, guild: int = GUILD, **kw) -> Subscription:
    args = {
        "time": dt.time(9, 0),
        "timezone": "Asia/Yerevan",
        "empty_day": "upcoming",
        "created_by": 42,
        "now": NOW,
    }
    args.update(kw)
    return await store.subscribe(guild, channel, **args)


# --- database -----------------------------------------------------------------------------------


async def test_open_creates_parent_dirs_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "bot.sqlite3"
    async with await Database.open(path) as db:
        assert path.exists()
        assert db.path == path
        assert await db.journal_mode() == "wal"
        assert await db.foreign_keys() is True
        assert await db.schema_version() == len(MIGRATIONS)


async def test_migrates_empty_db_and_reopen_is_idempotent(open_state_db: Opener) -> None:
    db = await open_state_db()
    await db.set_meta("tree_hash", "abc")
    await subscription_store(db).subscribe(
        GUILD, 1, time=dt.time(9), timezone="UTC", empty_day="skip", created_by=1, now=NOW
    )
    await db.close()
    db = await open_state_db()  # reopening must not re-run or fail migrations
    assert await db.schema_version() == len(MIGRATIONS)
    assert await db.get_meta("tree_hash") == "abc"
    sub = await subscription_store(db).get(1)
    assert sub is not None
    assert sub.empty_day == "skip"
    assert {"meta", "daily_subscriptions", "daily_pending"} <= await tables(db)


async def tables(db: StateDatabase) -> set[str]:
    if isinstance(db, PostgresDatabase):
        rows = await db.fetchall("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    else:
        rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(row["name"]) for row in rows}


async def test_later_migration_applies_on_top_of_existing_data(open_state_db: Opener) -> None:
    db = await open_state_db()
    await db.set_meta("k", "v")
    await db.close()
    extra = Migration("add notes", ("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",))
    db = await open_state_db(migrations=(*MIGRATIONS, extra))
    assert await db.schema_version() == len(MIGRATIONS) + 1
    assert await db.get_meta("k") == "v"
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO notes (id, body) VALUES (1, 'x')")
    assert [r["body"] for r in await db.fetchall("SELECT body FROM notes")] == ["x"]


async def test_failed_migration_rolls_back_completely(open_state_db: Opener) -> None:
    broken = Migration("broken", ("CREATE TABLE half (x INTEGER)", "THIS IS NOT SQL"))
    with pytest.raises(Exception, match="syntax error"):
        await open_state_db(migrations=(*MIGRATIONS, broken))
    db = await open_state_db(migrations=())  # look without migrating
    assert await db.schema_version() == 0
    assert not {"half", "meta"} & await tables(db)
    await db.close()
    db = await open_state_db()  # the good migrations still apply afterwards
    assert await db.schema_version() == len(MIGRATIONS)


async def test_each_dialect_has_its_own_types(open_state_db: Opener) -> None:
    """One migrations module, two dialects: PostgreSQL keeps ids as BIGINT and times as TIMESTAMPTZ."""
    db = await open_state_db()
    store = subscription_store(db)
    big = 1_234_567_890_123_456_789  # a Discord snowflake, past 32 bits
    await subscribe(store, big, guild=big + 1)
    sub = await store.get(big)
    assert sub is not None
    assert (sub.channel_id, sub.guild_id) == (big, big + 1)
    if isinstance(db, PostgresDatabase):
        rows = await db.fetchall(
            "SELECT column_name AS name, data_type AS type FROM information_schema.columns "
            "WHERE table_name = 'daily_subscriptions'"
        )
        types = {row["name"]: row["type"] for row in rows}
        assert types["channel_id"] == "bigint"
        assert types["created_at"] == "timestamp with time zone"
        assert types["last_posted_date"] == "date"
        assert types["starts_on"] == "date"
        assert types["post_time"] == "time without time zone"


async def test_version_1_database_with_rows_migrates_to_the_first_post_date(tmp_path: Path) -> None:
    """A state file written before ``starts_on`` existed keeps every row and posts as it did."""
    path = tmp_path / "bot.sqlite3"
    stamp = "2024-04-01T08:00:00.000000+00:00"
    async with await Database.open(path, migrations=MIGRATIONS[:1]) as db:
        assert await db.schema_version() == 1
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO daily_subscriptions (channel_id, guild_id, post_time, timezone, empty_day, "
                "created_by, created_at, updated_at, last_posted_date, last_posted_at, last_message_ids, "
                "paused_reason, paused_at) VALUES (?, ?, ?, ?, ?, 7, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (10, GUILD, "09:00", "Asia/Yerevan", "upcoming", stamp, stamp,
                     "2024-04-30", stamp, "501,502", None, None),
                    (11, GUILD, "21:30", "Europe/Paris", "skip", stamp, stamp,
                     None, None, "", "The channel was deleted.", stamp),
                ],
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO daily_pending (channel_id, local_date, nonce, started_at, attempts) "
                "VALUES (10, '2024-05-01', '12345', ?, 2)",
                (stamp,),
            )
        await db.set_meta("command_tree_hash", "abc")
    async with await Database.open(path) as db:
        assert await db.schema_version() == len(MIGRATIONS) > 1
        assert await db.get_meta("command_tree_hash") == "abc"
        store = subscription_store(db)
        kept, paused = await store.get(10), await store.get(11)
        assert kept is not None
        assert paused is not None
        assert (kept.post_time, kept.timezone, kept.empty_day) == (dt.time(9, 0), "Asia/Yerevan", "upcoming")
        assert (kept.last_posted_date, kept.last_message_ids) == (dt.date(2024, 4, 30), (501, 502))
        assert kept.created_at == dt.datetime(2024, 4, 1, 8, 0, tzinfo=dt.UTC)
        assert (kept.starts_on, paused.starts_on) == (None, None)  # no first date: no limit
        assert (paused.empty_day, paused.paused_reason) == ("skip", "The channel was deleted.")
        pending = await store.pending(10)
        assert pending is not None
        assert (pending.local_date, pending.nonce, pending.attempts) == (dt.date(2024, 5, 1), "12345", 2)
        retry = await store.begin_post(10, dt.date(2024, 5, 1), "99999", NOW)  # the retry goes on
        assert retry is not None
        assert (retry.nonce, retry.attempts) == ("12345", 3)
        resumed = await subscribe(store, 11, starts_on=dt.date(2024, 6, 1))  # an update keeps no limit
        assert (resumed.active, resumed.starts_on) == (True, None)
        new = await subscribe(store, 12, starts_on=dt.date(2024, 5, 2))
        assert new.starts_on == dt.date(2024, 5, 2)


async def test_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 3}")
    conn.close()
    with pytest.raises(SchemaTooNewError, match="Upgrade the bot"):
        await Database.open(path)


async def test_newer_schema_is_refused_on_both_backends(open_state_db: Opener) -> None:
    newer = (*MIGRATIONS, Migration("from the future", ("CREATE TABLE future (x INTEGER)",)))
    db = await open_state_db(migrations=newer)
    await db.close()
    with pytest.raises(SchemaTooNewError, match=f"schema version {len(newer)}, but this bot only knows"):
        await open_state_db()


async def test_meta_set_get_replace_delete(db: StateDatabase) -> None:
    assert await db.get_meta("command_tree_hash") is None
    await db.set_meta("command_tree_hash", "one")
    await db.set_meta("command_tree_hash", "two")
    assert await db.get_meta("command_tree_hash") == "two"
    assert await db.delete_meta("command_tree_hash") is True
    assert await db.delete_meta("command_tree_hash") is False
    assert await db.get_meta("command_tree_hash") is None


async def test_meta_keys_by_prefix_with_like_wildcards_taken_literally(db: StateDatabase) -> None:
    for key in ("sync:1:global", "sync:1:guild:5", "sync:10:global", "sync_1_x", "other"):
        await db.set_meta(key, "v")
    assert await db.meta_keys("sync:1:") == ["sync:1:global", "sync:1:guild:5"]
    assert await db.meta_keys("sync_1") == ["sync_1_x"]  # "_" is no wildcard
    assert await db.meta_keys("%") == []
    assert await db.meta_keys("nothing") == []


async def test_transaction_rolls_back_on_error(db: StateDatabase) -> None:
    async def insert_then_fail() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await insert_then_fail()
    assert await db.get_meta("x") is None


async def test_concurrent_writers_do_not_interleave_transactions(db: StateDatabase) -> None:
    await asyncio.gather(*(db.set_meta(f"k{i}", str(i)) for i in range(200)))
    rows = await db.fetchall("SELECT COUNT(*) AS n FROM meta")
    assert rows[0]["n"] == 200


async def test_memory_database_works(tmp_path: Path) -> None:
    async with await Database.open(":memory:") as db:
        assert db.path is None
        await db.set_meta("a", "b")
        assert await db.get_meta("a") == "b"


# --- subscriptions ------------------------------------------------------------------------------


async def test_subscribe_get_and_fields(store: SubscriptionStore) -> None:
    sub = await subscribe(store, 10, time=dt.time(21, 30), timezone="Europe/Paris", empty_day="skip")
    assert sub == await store.get(10)
    assert (sub.guild_id, sub.channel_id) == (GUILD, 10)
    assert sub.post_time == dt.time(21, 30)
    assert sub.timezone == "Europe/Paris"
    assert sub.empty_day == "skip"
    assert sub.created_by == 42
    assert sub.last_posted_date is None
    assert sub.last_posted_at is None
    assert sub.paused_reason is None
    assert sub.last_error is None
    assert sub.starts_on is None
    assert sub.active
    assert sub.created_at == NOW
    assert sub.created_at.tzinfo is not None
    assert await store.get(999) is None


async def test_datetimes_are_stored_in_utc(store: SubscriptionStore, db: StateDatabase) -> None:
    yerevan_noon = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=4)))
    await subscribe(store, 10, now=yerevan_noon)
    row = await db.fetchone("SELECT created_at FROM daily_subscriptions WHERE channel_id = 10")
    assert row is not None
    if isinstance(db, PostgresDatabase):  # TIMESTAMPTZ, read back in UTC
        assert row["created_at"] == dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)
        assert row["created_at"].utcoffset() == dt.timedelta(0)
    else:  # ISO text in UTC
        assert row["created_at"] == "2024-05-01T08:00:00.000000+00:00"
    sub = await store.get(10)
    assert sub is not None
    assert sub.created_at == yerevan_noon


async def test_naive_now_is_refused(store: SubscriptionStore) -> None:
    naive = dt.datetime(2024, 5, 1, 8, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        await subscribe(store, 10, now=naive)
    assert await store.get(10) is None


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"timezone": "../../etc/passwd"}, "unknown time zone"),
        ({"time": dt.time(9, 0, 30)}, "whole minutes"),
        ({"empty_day": "sometimes"}, "empty_day"),
    ],
)
async def test_subscribe_rejects_bad_input(store: SubscriptionStore, kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await subscribe(store, 10, **kw)
    assert await store.get(10) is None


async def test_list_for_guild_all_active_and_count(store: SubscriptionStore) -> None:
    await subscribe(store, 30)
    await subscribe(store, 10)
    await subscribe(store, 20, guild=OTHER_GUILD)
    await store.pause(30, "The channel was deleted.", NOW)
    assert [s.channel_id for s in await store.list_for_guild(GUILD)] == [10, 30]
    assert [s.channel_id for s in await store.list_for_guild(OTHER_GUILD)] == [20]
    assert [s.channel_id for s in await store.all_active()] == [10, 20]
    assert await store.count_for_guild(GUILD) == 2
    assert await store.count_for_guild(999) == 0


async def test_unsubscribe(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    assert await store.unsubscribe(OTHER_GUILD, 10) is False  # another guild cannot remove it
    assert await store.get(10) is not None
    assert await store.unsubscribe(GUILD, 10) is True
    assert await store.get(10) is None
    assert await store.unsubscribe(GUILD, 10) is False


async def test_remove_guild(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    await subscribe(store, 11)
    await subscribe(store, 20, guild=OTHER_GUILD)
    assert await store.remove_guild(GUILD) == 2
    assert [s.channel_id for s in await store.all_active()] == [20]


async def test_pause_and_record_error(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    later = NOW + dt.timedelta(hours=1)
    assert await store.record_error(10, "HTTP 503 from Discord", later) is True
    sub = await store.get(10)
    assert sub is not None
    assert sub.last_error == "HTTP 503 from Discord"
    assert sub.last_error_at == later
    assert sub.active  # a transient error does not pause
    assert await store.pause(10, "Missing permission: Send Messages", later) is True
    sub = await store.get(10)
    assert sub is not None
    assert sub.paused_reason == "Missing permission: Send Messages"
    assert sub.paused_at == later
    assert not sub.active
    assert await store.pause(999, "x", later) is False
    assert await store.record_error(999, "x", later) is False


async def test_long_error_text_is_clipped(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    await store.record_error(10, "x" * 5000, NOW)
    sub = await store.get(10)
    assert sub is not None
    assert sub.last_error is not None
    assert len(sub.last_error) == 500


async def test_resubscribe_updates_clears_pause_and_keeps_last_posted(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    await store.mark_posted(10, dt.date(2024, 5, 1), [555], NOW)
    await store.record_error(10, "HTTP 500", NOW)
    await store.pause(10, "The channel was deleted.", NOW)
    later = NOW + dt.timedelta(days=2)
    sub = await subscribe(
        store, 10, time=dt.time(7, 15), timezone="America/Los_Angeles", created_by=43, now=later
    )
    assert sub.active
    assert sub.paused_reason is None
    assert sub.last_error is None
    assert sub.post_time == dt.time(7, 15)
    assert sub.timezone == "America/Los_Angeles"
    assert sub.created_by == 43
    assert sub.created_at == NOW
    assert sub.updated_at == later
    assert sub.last_posted_date == dt.date(2024, 5, 1)
    assert [s.channel_id for s in await store.all_active()] == [10]


async def test_first_post_date_is_set_once_and_limits_begin_post(store: SubscriptionStore) -> None:
    first = dt.date(2024, 5, 2)
    sub = await subscribe(store, 10, starts_on=first)
    assert sub.starts_on == first
    assert sub == await store.get(10)
    assert await store.begin_post(10, first - dt.timedelta(days=1), "1", NOW) is None  # before the first
    assert await store.pending(10) is None
    # subscribing again (a change or a resume) keeps the first date, like the last posted date
    later = await subscribe(store, 10, time=dt.time(23, 0), starts_on=dt.date(2024, 5, 1), now=NOW)
    assert (later.starts_on, later.post_time, later.last_posted_date) == (first, dt.time(23, 0), None)
    pending = await store.begin_post(10, first, "2", NOW + dt.timedelta(days=1))
    assert pending is not None
    assert pending.local_date == first
    await store.mark_posted(10, first, [70], NOW + dt.timedelta(days=1))
    saved = await store.get(10)
    assert saved is not None
    assert (saved.starts_on, saved.last_posted_date, saved.last_message_ids) == (first, first, (70,))


async def test_begin_post_then_mark_posted(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    day = dt.date(2024, 5, 1)
    pending = await store.begin_post(10, day, "1234", NOW)
    assert pending is not None
    assert (pending.local_date, pending.nonce, pending.attempts) == (day, "1234", 1)
    assert await store.pending(10) == pending
    posted_at = NOW + dt.timedelta(seconds=3)
    assert await store.mark_posted(10, day, [7001, 7002], posted_at) is True
    assert await store.pending(10) is None
    sub = await store.get(10)
    assert sub is not None
    assert sub.last_posted_date == day
    assert sub.last_posted_at == posted_at
    assert sub.last_message_ids == (7001, 7002)


async def test_begin_post_retry_keeps_first_nonce_and_counts(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    day = dt.date(2024, 5, 1)
    first = await store.begin_post(10, day, "1111", NOW)
    again = await store.begin_post(10, day, "2222", NOW + dt.timedelta(minutes=1))
    assert first is not None
    assert again is not None
    assert again.nonce == "1111"
    assert again.attempts == 2
    assert again.started_at == NOW
    next_day = await store.begin_post(10, day + dt.timedelta(days=1), "3333", NOW + dt.timedelta(days=1))
    assert next_day is not None
    assert (next_day.nonce, next_day.attempts) == ("3333", 1)


async def test_begin_post_refuses_posted_paused_and_missing(store: SubscriptionStore) -> None:
    day = dt.date(2024, 5, 1)
    assert await store.begin_post(10, day, "1", NOW) is None  # no subscription
    await subscribe(store, 10)
    await store.mark_posted(10, day, [1], NOW)
    assert await store.begin_post(10, day, "1", NOW) is None  # already posted that date
    assert await store.begin_post(10, day - dt.timedelta(days=1), "1", NOW) is None
    await store.pause(10, "gone", NOW)
    assert await store.begin_post(10, day + dt.timedelta(days=1), "1", NOW) is None


async def test_mark_posted_never_moves_backwards(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    await store.mark_posted(10, dt.date(2024, 5, 2), [1], NOW)
    await store.mark_posted(10, dt.date(2024, 5, 1), [2], NOW)
    sub = await store.get(10)
    assert sub is not None
    assert sub.last_posted_date == dt.date(2024, 5, 2)


async def test_mark_posted_clears_error_and_unsubscribed_returns_false(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    await store.record_error(10, "HTTP 500", NOW)
    await store.mark_posted(10, dt.date(2024, 5, 1), [], NOW)
    sub = await store.get(10)
    assert sub is not None
    assert sub.last_error is None
    assert sub.last_message_ids == ()
    assert await store.mark_posted(999, dt.date(2024, 5, 1), [1], NOW) is False


async def test_unsubscribe_removes_pending(store: SubscriptionStore, db: StateDatabase) -> None:
    await subscribe(store, 10)
    await store.begin_post(10, dt.date(2024, 5, 1), "1", NOW)
    await store.unsubscribe(GUILD, 10)
    assert await store.pending(10) is None
    rows = await db.fetchall("SELECT * FROM daily_pending")
    assert rows == []


async def test_mark_posted_is_atomic(db: StateDatabase, store: SubscriptionStore) -> None:
    """A failure inside mark_posted leaves both the date and the pending marker untouched."""
    await subscribe(store, 10)
    await store.begin_post(10, dt.date(2024, 5, 1), "1", NOW)
    # Make the pending delete fail after the subscription update ran inside the transaction.
    async with db.transaction() as conn:
        if isinstance(db, PostgresDatabase):
            await conn.execute(
                "CREATE FUNCTION no_delete() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk trouble'; END $$"
            )
            await conn.execute(
                "CREATE TRIGGER no_delete BEFORE DELETE ON daily_pending "
                "FOR EACH ROW EXECUTE FUNCTION no_delete()"
            )
        else:
            await conn.execute(
                "CREATE TRIGGER no_delete BEFORE DELETE ON daily_pending "
                "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
            )
    with pytest.raises(Exception, match="disk trouble"):
        await store.mark_posted(10, dt.date(2024, 5, 1), [9], NOW)
    sub = await store.get(10)
    assert sub is not None
    assert sub.last_posted_date is None
    assert await store.pending(10) is not None


# --- claims: one post, several processes -------------------------------------------------------

LEASE = dt.timedelta(minutes=2)
DAY = dt.date(2024, 5, 1)


async def test_a_claim_keeps_others_out_until_its_lease_runs_out(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    mine = await store.claim_post(10, DAY, owner="bot-a", nonce="111", now=NOW, lease=LEASE)
    assert mine is not None
    assert (mine.local_date, mine.nonce, mine.attempts) == (DAY, "111", 1)
    assert (mine.claimed_by, mine.lease_until) == ("bot-a", NOW + LEASE)
    assert await store.pending(10) == mine
    # another process, while the lease runs: refused, nothing changed
    later = NOW + dt.timedelta(minutes=1)
    assert await store.claim_post(10, DAY, owner="bot-b", nonce="222", now=later, lease=LEASE) is None
    assert await store.pending(10) == mine
    # the owner renews: same nonce, one more attempt, a new lease
    renewed = await store.claim_post(10, DAY, owner="bot-a", nonce="333", now=later, lease=LEASE)
    assert renewed is not None
    assert (renewed.nonce, renewed.attempts, renewed.lease_until) == ("111", 2, later + LEASE)
    # the lease runs out (bot-a died): bot-b takes over with the first nonce, so a re-send is a duplicate
    expired = later + LEASE
    taken = await store.claim_post(10, DAY, owner="bot-b", nonce="444", now=expired, lease=LEASE)
    assert taken is not None
    assert (taken.claimed_by, taken.nonce, taken.attempts, taken.started_at) == ("bot-b", "111", 3, NOW)


async def test_only_the_claims_owner_records_the_result(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    await store.claim_post(10, DAY, owner="bot-a", nonce="111", now=NOW, lease=LEASE)
    taken_at = NOW + LEASE
    await store.claim_post(10, DAY, owner="bot-b", nonce="222", now=taken_at, lease=LEASE)
    # bot-a comes back late: the post is bot-b's now, bot-a records nothing
    assert await store.finish_post(10, DAY, owner="bot-a", message_ids=[1], now=taken_at) is False
    sub = await store.get(10)
    assert sub is not None
    assert sub.last_posted_date is None
    assert await store.pending(10) is not None
    assert await store.finish_post(10, DAY, owner="bot-b", message_ids=[7, 8], now=taken_at) is True
    sub = await store.get(10)
    assert sub is not None
    assert (sub.last_posted_date, sub.last_message_ids, sub.last_posted_at) == (DAY, (7, 8), taken_at)
    assert await store.pending(10) is None
    # done: nobody claims or records that date again
    assert await store.claim_post(10, DAY, owner="bot-a", nonce="9", now=taken_at, lease=LEASE) is None
    assert await store.finish_post(10, DAY, owner="bot-b", message_ids=[9], now=taken_at) is False
    tomorrow = DAY + dt.timedelta(days=1)
    nxt = await store.claim_post(10, tomorrow, owner="bot-a", nonce="5", now=NOW, lease=LEASE)
    assert nxt is not None
    assert (nxt.nonce, nxt.attempts, nxt.claimed_by) == ("5", 1, "bot-a")


async def test_claims_refuse_what_must_not_be_posted(store: SubscriptionStore) -> None:
    claim = {"owner": "bot-a", "nonce": "1", "now": NOW, "lease": LEASE}
    assert await store.claim_post(10, DAY, **claim) is None  # no subscription
    await subscribe(store, 10, starts_on=DAY)
    assert await store.claim_post(10, DAY - dt.timedelta(days=1), **claim) is None  # before the first date
    assert await store.claim_post(10, DAY + dt.timedelta(days=1), **claim) is not None
    # an older date never displaces a newer one's claim, even the same owner's
    assert await store.claim_post(10, DAY, **claim) is None
    assert (await store.pending(10) or pytest.fail("no claim")).local_date == DAY + dt.timedelta(days=1)
    await store.pause(10, "gone", NOW)
    assert await store.claim_post(10, DAY + dt.timedelta(days=2), **claim) is None  # paused


async def test_two_processes_claiming_everything_at_once_post_each_channel_once(
    open_state_db: Opener,
) -> None:
    """Two connections (two processes' databases on one state) claim the same 60 due posts
    at the same moment: each post is claimed by exactly one of them, then recorded by it."""
    first, second = subscription_store(await open_state_db()), subscription_store(await open_state_db())
    channels = range(100, 160)
    for channel in channels:
        await subscribe(first, channel)

    async def claim_all(store: SubscriptionStore, owner: str) -> list[int]:
        won = await asyncio.gather(
            *(store.claim_post(c, DAY, owner=owner, nonce=f"n{c}", now=NOW, lease=LEASE) for c in channels)
        )
        return [claim.channel_id for claim in won if claim is not None]

    got_a, got_b = await asyncio.gather(claim_all(first, "bot-a"), claim_all(second, "bot-b"))
    assert sorted(got_a + got_b) == list(channels)  # every post claimed, none twice
    finished = await asyncio.gather(
        *(first.finish_post(c, DAY, owner="bot-a", message_ids=[c], now=NOW) for c in channels),
        *(second.finish_post(c, DAY, owner="bot-b", message_ids=[c], now=NOW) for c in channels),
    )
    assert finished.count(True) == len(channels)
    for channel in channels:
        sub = await second.get(channel)
        assert sub is not None
        assert (sub.last_posted_date, sub.last_message_ids) == (DAY, (channel,))


async def test_begin_post_leaves_a_running_claim_and_a_newer_date_alone(store: SubscriptionStore) -> None:
    await subscribe(store, 10)
    claim = await store.claim_post(10, DAY, owner="bot-a", nonce="111", now=NOW, lease=LEASE)
    assert await store.begin_post(10, DAY, "222", NOW) is None  # bot-a is posting it
    assert await store.pending(10) == claim
    after = await store.begin_post(10, DAY, "333", NOW + LEASE)  # its lease ran out
    assert after is not None
    assert (after.nonce, after.attempts, after.claimed_by, after.lease_until) == ("111", 2, None, None)
    tomorrow = DAY + dt.timedelta(days=1)
    assert await store.begin_post(10, tomorrow, "444", NOW) is not None
    assert await store.begin_post(10, DAY, "555", NOW) is None  # never back to an earlier date
    assert (await store.pending(10) or pytest.fail("no pending post")).local_date == tomorrow
