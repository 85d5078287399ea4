"""The daily scheduler over a real SQLite file, a ManualClock and a fake poster.

``FakeChannels`` stands in for Discord's side of a channel send: it keeps the messages and, like
Discord with ``enforce_nonce``, returns the existing message when a nonce is repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import Opener

from bot.core.clock import ManualClock
from bot.core.daily import (
    CHANNEL_GONE_REASON,
    DailyScheduler,
    PostOutcome,
    RunResult,
    part_nonce,
    post_nonce,
)
from bot.core.schedule import post_instant
from bot.core.subscriptions import SubscriptionStore
from bot.storage import Database, Subscription
from bot.storage import SubscriptionStore as SqliteSubscriptionStore
from bot.storage.state import subscription_store

UTC = dt.UTC
GUILD = 500
YEREVAN = ZoneInfo("Asia/Yerevan")
LA = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")
DAY = dt.date(2024, 6, 1)


class Crash(BaseException):
    """The process dies (not an Exception: nothing in the bot catches it)."""


class FakeChannels:
    """Messages per channel, de-duplicated by nonce like Discord does."""

    def __init__(self) -> None:
        self.messages: dict[int, list[tuple[int, dt.date, str]]] = defaultdict(list)
        self._by_nonce: dict[tuple[int, str], int] = {}
        self._next_id = 9000

    def send(self, channel_id: int, day: dt.date, nonce: str) -> int:
        known = self._by_nonce.get((channel_id, nonce))
        if known is not None:
            return known
        self._next_id += 1
        self._by_nonce[channel_id, nonce] = self._next_id
        self.messages[channel_id].append((self._next_id, day, nonce))
        return self._next_id


class FakePoster:
    """A scripted Poster. ``script[channel]`` lists behaviours for successive calls; default "ok"."""

    def __init__(
        self, channels: FakeChannels, script: dict[int, list[str]] | None = None, delay: float = 0.0
    ) -> None:
        self.channels = channels
        self.delay = delay  # how long a send takes
        self.script = script or {}
        self.calls: list[tuple[int, dt.date, str, dt.datetime | None]] = []
        self.clock: ManualClock | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.on_post: list[asyncio.Event] = []

    async def post(
        self, sub: Subscription, local_date: dt.date, nonce: str
    ) -> tuple[PostOutcome, list[int], str | None]:
        self.calls.append((sub.channel_id, local_date, nonce, self.clock.now() if self.clock else None))
        steps = self.script.get(sub.channel_id)
        step = steps.pop(0) if steps else "ok"
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)  # let other posts start, so concurrency is real
            return await self._do(step, sub, local_date, nonce)
        finally:
            self.in_flight -= 1
            for event in self.on_post:
                event.set()

    async def _do(
        self, step: str, sub: Subscription, local_date: dt.date, nonce: str
    ) -> tuple[PostOutcome, list[int], str | None]:
        channel = sub.channel_id
        match step:
            case "ok":
                return PostOutcome.SENT, [self.channels.send(channel, local_date, nonce)], None
            case "skip":
                return PostOutcome.SKIPPED, [], None
            case "gone":
                return PostOutcome.CHANNEL_GONE, [], None
            case "forbidden":
                return PostOutcome.FORBIDDEN, [], "Missing permission: Embed Links"
            case "transient":
                return PostOutcome.TRANSIENT_ERROR, [], "503 Service Unavailable"
            case "raise":
                raise RuntimeError(f"poster bug for channel {channel}")
            case "send_then_raise":
                self.channels.send(channel, local_date, nonce)
                raise ConnectionResetError("connection lost after the send")
            case "send_then_crash":
                self.channels.send(channel, local_date, nonce)
                raise Crash
            case "hang":
                await asyncio.Event().wait()
        raise AssertionError(step)


@pytest.fixture
async def store(open_state_db: Opener) -> SubscriptionStore:
    """The subscription store on each backend in turn (SQLite, PostgreSQL)."""
    return subscription_store(await open_state_db())


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteSubscriptionStore]:
    """SQLite only, for the runs of thousands of scheduler steps or rows (a minute of them over a
    network connection); the store's contract itself is tested on both backends."""
    db = await Database.open(tmp_path / "state" / "bot.sqlite3")
    yield SqliteSubscriptionStore(db)
    await db.close()


def local(tz: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)  # type: ignore[misc]


async def sub(
    store: SubscriptionStore, channel: int, wall: dt.time = dt.time(9, 0), tz: str = "Asia/Yerevan", **kw
) -> Subscription:
    return await store.subscribe(
        kw.get("guild", GUILD),
        channel,
        time=wall,
        timezone=tz,
        empty_day=kw.get("empty_day", "upcoming"),
        created_by=1,
        now=dt.datetime(2024, 1, 1, tzinfo=UTC),
        starts_on=kw.get("starts_on"),
    )


def make(store: SubscriptionStore, clock: ManualClock, poster: FakePoster, **kw) -> DailyScheduler:
    poster.clock = clock
    return DailyScheduler(store, poster, clock, **kw)


# --- nonces -------------------------------------------------------------------------------------


def test_post_nonce_is_deterministic_short_and_distinct() -> None:
    nonce = post_nonce(1234567890123456789, DAY)
    assert nonce == post_nonce(1234567890123456789, DAY)
    assert nonce.isdigit()
    assert len(nonce) <= 25
    others = {post_nonce(1234567890123456789, DAY + dt.timedelta(days=i)) for i in range(1, 366)}
    others |= {post_nonce(c, DAY) for c in range(1, 1000)}
    assert nonce not in others
    assert len(others) == 365 + 999


def test_part_nonce() -> None:
    nonce = post_nonce(42, DAY)
    assert part_nonce(nonce, 0) == nonce
    parts = {part_nonce(nonce, i) for i in range(10)}
    assert len(parts) == 10
    assert all(len(p) <= 25 for p in parts)
    with pytest.raises(ValueError, match="part"):
        part_nonce(nonce, 1000)


# --- basic flow ---------------------------------------------------------------------------------


async def test_posts_once_when_time_is_reached(store: SubscriptionStore) -> None:
    await sub(store, 1)
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 8, 59))
    channels = FakeChannels()
    scheduler = make(store, clock, FakePoster(channels))
    assert await scheduler.run_once() == []
    clock.advance(dt.timedelta(minutes=1))
    results = await scheduler.run_once()
    assert [(r.channel_id, r.local_date, r.outcome, r.attempt) for r in results] == [
        (1, DAY, PostOutcome.SENT, 1)
    ]
    assert results[0].nonce == post_nonce(1, DAY)
    assert len(channels.messages[1]) == 1
    saved = await store.get(1)
    assert saved is not None
    assert saved.last_posted_date == DAY
    assert saved.last_posted_at == clock.now()
    assert saved.last_message_ids == results[0].message_ids
    assert await store.pending(1) is None
    for _ in range(5):  # later wakes the same day do nothing
        clock.advance(dt.timedelta(minutes=7))
        assert await scheduler.run_once() == []
    assert len(channels.messages[1]) == 1


async def test_skipped_day_counts_as_done(store: SubscriptionStore) -> None:
    await sub(store, 1, empty_day="skip")
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    poster = FakePoster(FakeChannels(), {1: ["skip"]})
    scheduler = make(store, clock, poster)
    [result] = await scheduler.run_once()
    assert result.outcome is PostOutcome.SKIPPED
    assert await scheduler.run_once() == []
    saved = await store.get(1)
    assert saved is not None
    assert saved.last_posted_date == DAY
    assert saved.last_message_ids == ()


async def test_first_post_is_on_the_first_date(store: SubscriptionStore) -> None:
    """Subscribed after today's time: nothing today (nothing recorded either), then tomorrow's post."""
    tomorrow = DAY + dt.timedelta(days=1)
    await sub(store, 1, starts_on=tomorrow)
    await sub(store, 2)
    channels = FakeChannels()
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    scheduler = make(store, clock, FakePoster(channels))
    [result] = await scheduler.run_once()
    assert result.channel_id == 2
    waiting = await store.get(1)
    assert waiting is not None
    assert (waiting.last_posted_date, waiting.last_posted_at) == (None, None)
    assert await store.pending(1) is None
    clock.set(local(YEREVAN, 2024, 6, 1, 23, 59))
    assert await scheduler.run_once() == []
    clock.set(local(YEREVAN, 2024, 6, 2, 9, 0))
    results = await scheduler.run_once()
    assert [(r.channel_id, r.local_date, r.outcome) for r in results] == [
        (1, tomorrow, PostOutcome.SENT),
        (2, tomorrow, PostOutcome.SENT),
    ]
    assert [day for _, day, _ in channels.messages[1]] == [tomorrow]


async def test_catch_up_after_downtime_same_day_but_not_missed_days(store: SubscriptionStore) -> None:
    await sub(store, 1)
    channels = FakeChannels()
    poster = FakePoster(channels)
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 8, 0))
    scheduler = make(store, clock, poster)
    assert await scheduler.run_once() == []
    clock.set(local(YEREVAN, 2024, 6, 1, 17, 45))  # the bot was down from 08:00 to 17:45
    [result] = await scheduler.run_once()
    assert (result.local_date, result.outcome) == (DAY, PostOutcome.SENT)
    clock.set(local(YEREVAN, 2024, 6, 4, 8, 30))  # down for two whole days
    assert await scheduler.run_once() == []  # June 2 and 3 are not posted late
    clock.set(local(YEREVAN, 2024, 6, 4, 9, 0))
    [result] = await scheduler.run_once()
    assert result.local_date == dt.date(2024, 6, 4)
    assert [day for _, day, _ in channels.messages[1]] == [DAY, dt.date(2024, 6, 4)]


# --- restarts and crashes -----------------------------------------------------------------------


async def test_restart_does_not_post_twice(open_state_db: Opener) -> None:
    channels = FakeChannels()
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 5))
    async with await open_state_db() as db:
        store = subscription_store(db)
        await sub(store, 1)
        await sub(store, 2, dt.time(12, 0))
        [result] = await make(store, clock, FakePoster(channels)).run_once()
        assert result.channel_id == 1
    clock.set(local(YEREVAN, 2024, 6, 1, 13, 0))  # restarted later the same day
    async with await open_state_db() as db:
        poster = FakePoster(channels)
        results = await make(subscription_store(db), clock, poster).run_once()
        # channel 2's 12:00 passed while the bot was down: caught up once; channel 1 not again
        assert [(r.channel_id, r.outcome) for r in results] == [(2, PostOutcome.SENT)]
        assert await make(subscription_store(db), clock, poster).run_once() == []
    assert {c: len(m) for c, m in channels.messages.items()} == {1: 1, 2: 1}


async def test_crash_between_send_and_record_resends_with_same_nonce(open_state_db: Opener) -> None:
    channels = FakeChannels()
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    async with await open_state_db() as db:
        store = subscription_store(db)
        await sub(store, 1)
        first = FakePoster(channels, {1: ["send_then_crash"]})
        with pytest.raises(Crash):
            await make(store, clock, first).run_once()
        pending = await store.pending(1)
        assert pending is not None
        assert pending.local_date == DAY
    assert len(channels.messages[1]) == 1  # the message did go out before the crash
    [(sent_id, _, sent_nonce)] = channels.messages[1]

    clock.advance(dt.timedelta(minutes=3))  # the bot comes back
    async with await open_state_db() as db:
        store = subscription_store(db)
        second = FakePoster(channels)
        [result] = await make(store, clock, second).run_once()
        assert result.nonce == sent_nonce == first.calls[0][2] == second.calls[0][2]
        assert result.attempt == 2
        assert result.message_ids == (sent_id,)  # Discord returned the existing message
        assert await store.pending(1) is None
        saved = await store.get(1)
        assert saved is not None
        assert saved.last_posted_date == DAY
    assert len(channels.messages[1]) == 1  # exactly one message in the channel


async def test_lost_response_retries_with_same_nonce(store: SubscriptionStore) -> None:
    await sub(store, 1)
    channels = FakeChannels()
    poster = FakePoster(channels, {1: ["send_then_raise"]})
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    scheduler = make(store, clock, poster)
    [first] = await scheduler.run_once()
    assert first.outcome is PostOutcome.TRANSIENT_ERROR
    assert first.error == "Unexpected error: ConnectionResetError"
    clock.advance(dt.timedelta(minutes=1))
    [second] = await scheduler.run_once()
    assert second.outcome is PostOutcome.SENT
    assert second.nonce == first.nonce
    assert len(channels.messages[1]) == 1


# --- failures -----------------------------------------------------------------------------------


async def test_one_failing_channel_does_not_stop_the_others(
    store: SubscriptionStore, caplog: pytest.LogCaptureFixture
) -> None:
    for channel in range(1, 6):
        await sub(store, channel)
    channels = FakeChannels()
    poster = FakePoster(channels, {3: ["raise"]})
    scheduler = make(store, ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0)), poster, max_concurrency=2)
    with caplog.at_level(logging.ERROR, logger="bot.core.daily"):
        results = await scheduler.run_once()
    outcomes = {r.channel_id: r.outcome for r in results}
    assert outcomes == {
        1: PostOutcome.SENT,
        2: PostOutcome.SENT,
        3: PostOutcome.TRANSIENT_ERROR,
        4: PostOutcome.SENT,
        5: PostOutcome.SENT,
    }
    assert sorted(channels.messages) == [1, 2, 4, 5]
    assert any("channel 3" in r.getMessage() and r.exc_info for r in caplog.records)
    failed = await store.get(3)
    assert failed is not None
    assert failed.last_error == "Unexpected error: RuntimeError"
    assert failed.active


async def test_channel_gone_and_forbidden_pause_with_reason(store: SubscriptionStore) -> None:
    await sub(store, 1)
    await sub(store, 2)
    await sub(store, 3)
    poster = FakePoster(FakeChannels(), {1: ["gone"], 2: ["forbidden"]})
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    scheduler = make(store, clock, poster)
    results = await scheduler.run_once()
    assert [(r.channel_id, r.outcome) for r in results] == [
        (1, PostOutcome.CHANNEL_GONE),
        (2, PostOutcome.FORBIDDEN),
        (3, PostOutcome.SENT),
    ]
    gone, forbidden = await store.get(1), await store.get(2)
    assert gone is not None
    assert forbidden is not None
    assert gone.paused_reason == CHANNEL_GONE_REASON == "The channel was deleted."
    assert forbidden.paused_reason == "Missing permission: Embed Links"
    assert [s.channel_id for s in await store.all_active()] == [3]
    calls_before = len(poster.calls)
    for _ in range(3):  # paused channels are not retried every minute
        clock.advance(dt.timedelta(minutes=1))
        assert await scheduler.run_once() == []
    assert len(poster.calls) == calls_before
    # re-subscribing resumes the same day (the date was never posted)
    await sub(store, 1)
    [result] = await scheduler.run_once()
    assert (result.channel_id, result.outcome) == (1, PostOutcome.SENT)


async def test_transient_errors_retry_with_same_nonce_until_sent(store: SubscriptionStore) -> None:
    await sub(store, 1)
    poster = FakePoster(FakeChannels(), {1: ["transient", "transient", "ok"]})
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    scheduler = make(store, clock, poster)
    [r1] = await scheduler.run_once()
    assert (r1.outcome, r1.error, r1.attempt) == (PostOutcome.TRANSIENT_ERROR, "503 Service Unavailable", 1)
    saved = await store.get(1)
    assert saved is not None
    assert saved.last_error == "503 Service Unavailable"
    assert saved.active
    clock.advance(dt.timedelta(minutes=1))
    [r2] = await scheduler.run_once()
    clock.advance(dt.timedelta(minutes=1))
    [r3] = await scheduler.run_once()
    assert (r2.outcome, r2.attempt, r3.outcome, r3.attempt) == (
        PostOutcome.TRANSIENT_ERROR,
        2,
        PostOutcome.SENT,
        3,
    )
    assert len({c[2] for c in poster.calls}) == 1  # one nonce for all three attempts
    saved = await store.get(1)
    assert saved is not None
    assert saved.last_error is None
    assert saved.last_posted_date == DAY


async def test_a_hanging_post_times_out_and_retries(store: SubscriptionStore) -> None:
    await sub(store, 1)
    poster = FakePoster(FakeChannels(), {1: ["hang"]})
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    scheduler = make(store, clock, poster, post_timeout=0.05)
    [r1] = await scheduler.run_once()
    assert r1.outcome is PostOutcome.TRANSIENT_ERROR
    assert r1.error == "The post timed out; retrying."
    assert await scheduler.run_once() == []  # backing off: the next try is 30 s later
    clock.advance(dt.timedelta(seconds=30))
    [r2] = await scheduler.run_once()
    assert (r2.outcome, r2.nonce) == (PostOutcome.SENT, r1.nonce)


async def test_unknown_time_zone_in_the_database_pauses(store: SubscriptionStore) -> None:
    await sub(store, 1)
    await sub(store, 2)
    async with store.db.transaction() as conn:  # e.g. tzdata dropped a name
        await conn.execute("UPDATE daily_subscriptions SET timezone = 'Mars/Olympus' WHERE channel_id = 1")
    scheduler = make(store, ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0)), FakePoster(FakeChannels()))
    results = await scheduler.run_once()
    assert [r.channel_id for r in results] == [2]
    broken = await store.get(1)
    assert broken is not None
    assert broken.paused_reason == "Unknown time zone Mars/Olympus; subscribe again with a valid one."


async def test_unsubscribed_during_a_run_is_not_posted(store: SubscriptionStore) -> None:
    await sub(store, 1)
    await sub(store, 2)

    class UnsubscribingPoster(FakePoster):
        async def post(
            self, sub: Subscription, local_date: dt.date, nonce: str
        ) -> tuple[PostOutcome, list[int], str | None]:
            await store.unsubscribe(GUILD, 2)  # a moderator runs /daily unsubscribe meanwhile
            return await super().post(sub, local_date, nonce)

    poster = UnsubscribingPoster(FakeChannels())
    scheduler = make(store, ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0)), poster, max_concurrency=1)
    results = await scheduler.run_once()
    assert [r.channel_id for r in results] == [1]
    assert [c[0] for c in poster.calls] == [1]


# --- scale --------------------------------------------------------------------------------------


async def test_two_thousand_due_at_once_bounded_and_exactly_once(
    sqlite_store: SqliteSubscriptionStore,
) -> None:
    store = sqlite_store
    total = 2000
    stamp = "2024-01-01T00:00:00.000000+00:00"
    db = store.db
    async with db.transaction() as conn:  # bulk insert; subscribe() is tested elsewhere
        await conn.executemany(
            "INSERT INTO daily_subscriptions (channel_id, guild_id, post_time, timezone, empty_day, "
            "created_by, created_at, updated_at) VALUES (?, ?, '09:00', ?, 'upcoming', 1, ?, ?)",
            [
                (10_000 + i, i % 37, ("Asia/Yerevan", "Asia/Dubai")[i % 2], stamp, stamp)
                for i in range(total)
            ],
        )  # fmt: skip
    channels = FakeChannels()
    poster = FakePoster(channels, delay=0.001)
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    scheduler = make(store, clock, poster, max_concurrency=5)
    results = await scheduler.run_once()
    assert len(results) == total
    assert all(r.outcome is PostOutcome.SENT for r in results)
    assert 1 < poster.max_in_flight <= 5
    assert sorted(channels.messages) == [10_000 + i for i in range(total)]
    assert all(len(m) == 1 for m in channels.messages.values())
    clock.advance(dt.timedelta(minutes=1))
    assert await scheduler.run_once() == []
    assert len(poster.calls) == total
    assert len(await store.all_active()) == total


async def test_overlapping_runs_do_not_double_post(store: SubscriptionStore) -> None:
    for channel in range(1, 21):
        await sub(store, channel)
    channels = FakeChannels()
    poster = FakePoster(channels)
    scheduler = make(store, ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0)), poster)
    first, second = await asyncio.gather(scheduler.run_once(), scheduler.run_once())
    assert len(first) + len(second) == 20
    assert len(poster.calls) == 20


async def test_a_long_pass_does_not_hold_up_a_claim_that_ran_out(store: SubscriptionStore) -> None:
    """A dead process's claim that runs out is taken by the next pass, while this process is
    still busy with a post of its own (it used to wait for the whole earlier pass)."""
    for channel in (1, 2):
        await sub(store, channel)
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    lease = dt.timedelta(seconds=30)
    held = await store.claim_post(  # a process that died holding channel 1's post
        1, DAY, owner="dead", nonce=post_nonce(1, DAY), now=clock.now(), lease=lease
    )
    assert held is not None
    channels = FakeChannels()
    poster = FakePoster(channels, {2: ["hang"]})  # channel 2's post never ends
    posted = asyncio.Event()
    poster.on_post.append(posted)
    scheduler = make(store, clock, poster, owner="alive", lease=lease, post_timeout=None)
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run_forever(0.01, stop))
    try:
        async def first_pass() -> None:  # 1 is held by the dead process, 2 hangs
            while [c[0] for c in poster.calls] != [2]:
                await asyncio.sleep(0)

        await asyncio.wait_for(first_pass(), timeout=10)
        # channel 2, being posted (a later pass may be trying channel 1's claim meanwhile and count
        # it too, for as long as the database takes to refuse it)
        assert scheduler.backlog in (1, 2)
        clock.advance(lease)  # the dead process's claim runs out
        await asyncio.wait_for(posted.wait(), timeout=10)
        assert [c[0] for c in poster.calls] == [2, 1]
        # posted once, with the nonce of the dead process's claim
        assert [nonce for _, _, nonce in channels.messages[1]] == [post_nonce(1, DAY)]
        assert 2 not in channels.messages  # still hanging

        async def recorded() -> None:  # the post of channel 1 is recorded as done
            while (saved := await store.get(1)) is None or saved.last_posted_date != DAY:
                await asyncio.sleep(0)

        await asyncio.wait_for(recorded(), timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --- DST, minute by minute through the scheduler -----------------------------------------------


WALLS = [dt.time(0, 0), dt.time(1, 30), dt.time(2, 30), dt.time(3, 0), dt.time(9, 0), dt.time(23, 59)]


@pytest.mark.parametrize(
    ("tz", "change_day"),
    [
        (LA, dt.date(2024, 3, 10)),  # spring forward 02:00 → 03:00
        (LA, dt.date(2024, 11, 3)),  # fall back, 01:00–02:00 twice
        (PARIS, dt.date(2024, 3, 31)),  # spring forward 02:00 → 03:00
        (PARIS, dt.date(2024, 10, 27)),  # fall back, 02:00–03:00 twice
    ],
    ids=["la-spring", "la-fall", "paris-spring", "paris-fall"],
)
async def test_dst_change_one_post_per_local_day(
    sqlite_store: SqliteSubscriptionStore, tz: ZoneInfo, change_day: dt.date
) -> None:
    store = sqlite_store
    for number, wall in enumerate(WALLS, start=1):
        await sub(store, number, wall, tz.key)
    start = dt.datetime.combine(change_day - dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    end = dt.datetime.combine(change_day + dt.timedelta(days=2), dt.time(0, 0), tzinfo=tz)
    clock = ManualClock(start)
    channels = FakeChannels()
    poster = FakePoster(channels)
    scheduler = make(store, clock, poster)
    sent: list[RunResult] = []
    while clock.now() < end:
        sent += await scheduler.run_once()
        clock.advance(dt.timedelta(minutes=1))
    days = [change_day + dt.timedelta(days=i) for i in (-1, 0, 1)]
    for number, wall in enumerate(WALLS, start=1):
        posts = [(day, when) for channel, day, _, when in poster.calls if channel == number]
        assert [day for day, _ in posts] == days, wall  # exactly one post per local day
        for day, when in posts:
            assert when == post_instant(day, wall, tz)
            assert when is not None
            shown = when.astimezone(tz)
            in_gap = day == change_day and day.month == 3 and wall == dt.time(2, 30)
            if in_gap:  # 02:30 does not exist that day: posted when the gap ends
                assert shown.time() == dt.time(3, 0)
            else:
                assert shown.time() == wall
                assert shown.fold == 0  # the first of two 01:30s / 02:30s
    assert len(sent) == len(WALLS) * 3
    assert all(len(m) == 3 for m in channels.messages.values())


# --- run_forever --------------------------------------------------------------------------------


class FlakyClock(ManualClock):
    """A clock whose first reading fails, to make a whole run blow up."""

    def __init__(self, start: dt.datetime) -> None:
        super().__init__(start)
        self.failures = 1

    def now(self) -> dt.datetime:
        if self.failures:
            self.failures -= 1
            raise OSError("clock unavailable")
        return super().now()


async def test_run_forever_survives_errors_and_stops(
    store: SubscriptionStore, caplog: pytest.LogCaptureFixture
) -> None:
    await sub(store, 1)
    clock = FlakyClock(local(YEREVAN, 2024, 6, 1, 9, 0))
    poster = FakePoster(FakeChannels())
    stop = asyncio.Event()
    poster.on_post.append(stop)  # stop once something was posted
    scheduler = DailyScheduler(store, poster, clock)
    with caplog.at_level(logging.ERROR, logger="bot.core.daily"):
        await asyncio.wait_for(scheduler.run_forever(0.01, stop), timeout=5)
    assert any("run failed" in r.getMessage() for r in caplog.records)  # the first run blew up
    assert [c[0] for c in poster.calls] == [1]  # and a later wake still posted
    saved = await store.get(1)
    assert saved is not None
    assert saved.last_posted_date == DAY


async def test_run_forever_wakes_on_stop_without_waiting_the_interval(store: SubscriptionStore) -> None:
    await sub(store, 1)
    poster = FakePoster(FakeChannels())
    posted = asyncio.Event()
    poster.on_post.append(posted)
    scheduler = DailyScheduler(store, poster, ManualClock(local(YEREVAN, 2024, 6, 1, 9, 0)))
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run_forever(3600, stop))
    await asyncio.wait_for(posted.wait(), timeout=5)  # the first run: next one in an hour
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, timeout=1)
    assert [c[0] for c in poster.calls] == [1]


async def test_each_step_posts_what_the_clock_makes_due(store: SubscriptionStore) -> None:
    await sub(store, 1, dt.time(9, 0))
    clock = ManualClock(local(YEREVAN, 2024, 6, 1, 8, 58))
    poster = FakePoster(FakeChannels())
    scheduler = make(store, clock, poster)
    assert await scheduler.run_once() == []  # 08:58: not yet
    assert poster.calls == []
    clock.advance(dt.timedelta(minutes=2))
    [posted] = await scheduler.run_once()
    assert (posted.channel_id, posted.local_date, posted.outcome) == (1, DAY, PostOutcome.SENT)
    for _ in range(3):  # later steps the same day: still one post
        clock.advance(dt.timedelta(minutes=1))
        assert await scheduler.run_once() == []
    assert [(c[0], c[1]) for c in poster.calls] == [(1, DAY)]
