"""The list of live processes in the state database, their heartbeats, each one's share of Discord's limit.

On both backends (``state_db``), with ManualClocks: two processes that beat are both live and each
paces its daily posts at 25 requests a second; one that stops beating is no longer counted after
three missed beats; a clean stop removes its row at once. The pacer is driven through the manual
clock (its waits move the clock), so the pace is counted, never timed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_config import error, load

from bot.core.clock import ManualClock
from bot.core.processes import (
    BEAT_SECONDS,
    ERROR_LIMIT,
    STALE_AFTER,
    ProcessHeartbeat,
    Vitals,
    share_of_limit,
)
from bot.discordbot.daily_post import Pacer
from bot.storage.processes import process_registry
from bot.storage.state import StateDatabase

START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def heartbeat(
    db: StateDatabase,
    clock: ManualClock,
    pid: int,
    *,
    shards: tuple[int, ...] = (0,),
    backlog: int = 0,
    max_rate: float | None = None,
) -> ProcessHeartbeat:
    def vitals() -> Vitals:
        return Vitals(shards, 2, 0.042, "2026.12", backlog)

    return ProcessHeartbeat(
        process_registry(db), clock, host=f"host-{pid}", pid=pid, vitals=vitals, max_rate=max_rate
    )


def paced(clock: ManualClock, heartbeat: ProcessHeartbeat) -> Pacer:
    """A pacer at ``heartbeat``'s rate whose waits move ``clock`` (nothing sleeps)."""

    async def sleep(seconds: float) -> None:
        clock.advance(dt.timedelta(seconds=seconds))

    return Pacer(lambda: heartbeat.rate, now=lambda: clock.now().timestamp(), sleep=sleep)


async def sent_at(clock: ManualClock, pacer: Pacer, requests: int) -> list[float]:
    """When each of ``requests`` requests went out, in seconds after the first."""
    stamps = []
    for _ in range(requests):
        await pacer.wait()
        stamps.append(clock.now().timestamp())
    return [round(s - stamps[0], 6) for s in stamps]


async def test_two_live_processes_each_pace_daily_posts_at_25_a_second(state_db: StateDatabase) -> None:
    clock = ManualClock(START)
    first, second = heartbeat(state_db, clock, 101), heartbeat(state_db, clock, 202, shards=(1,))
    assert first.rate == 50.0  # alone until the first beat counts
    await first.beat()
    live = await second.beat()
    assert [p.pid for p in live] == [101, 202]
    await first.beat()
    assert (first.live_count, second.live_count) == (2, 2)
    assert first.rate == second.rate == 25.0
    for process in (first, second):
        own = ManualClock(START)
        stamps = await sent_at(own, paced(own, process), 100)
        assert stamps[:25] == [0.0] * 25  # a second's share at once
        assert stamps[25] == 1.0  # the 26th waits for the window to move
        assert stamps[-1] == 3.0  # 100 requests: 4 seconds' worth
        assert all(stamps[i + 25] - stamps[i] >= 1.0 for i in range(75)), "never 26 in one second"


async def test_a_process_that_stops_beating_is_not_counted_and_a_clean_stop_leaves(
    state_db: StateDatabase,
) -> None:
    clock = ManualClock(START)
    staying, dying, leaving = (heartbeat(state_db, clock, pid) for pid in (1, 2, 3))
    for process in (staying, dying, leaving):
        await process.beat()
    assert len(await staying.beat()) == 3
    assert staying.rate == pytest.approx(50 / 3)
    await leaving.stop()  # a clean stop: gone at once
    assert [p.pid for p in await staying.beat()] == [1, 2]
    clock.advance(STALE_AFTER)  # the dying one missed three beats: still counted at the edge
    assert [p.pid for p in await staying.beat()] == [1, 2]
    clock.advance(dt.timedelta(seconds=1))
    assert [p.pid for p in await staying.beat()] == [1]
    assert staying.rate == 50.0
    registry = process_registry(state_db)
    assert [p.pid for p in await registry.live(clock.now())] == [1]
    assert [p.pid for p in await registry.live(clock.now(), dt.timedelta(hours=1))] == [1, 2]


async def test_the_row_holds_what_status_shows_and_the_last_error_outlives_beats(
    state_db: StateDatabase,
) -> None:
    clock = ManualClock(START)
    process = heartbeat(state_db, clock, 7, shards=(0, 2), backlog=12)
    registry = process_registry(state_db)
    await process.beat()
    [row] = await registry.live(clock.now())
    assert (row.process_id, row.host, row.pid) == (process.process_id, "host-7", 7)
    assert (row.shard_ids, row.shard_count, row.backlog) == ((0, 2), 2, 12)
    assert row.latency == pytest.approx(0.042)
    assert (row.dataset_version, row.last_error, row.last_error_at) == ("2026.12", None, None)
    assert row.started_at == row.last_beat == START
    clock.advance(dt.timedelta(seconds=BEAT_SECONDS))
    await process.report_error("The reload of 2026.13 failed:\n  resolutions.yaml:3: bad date " + "x" * 400)
    await process.serving("2026.11")
    [row] = await registry.live(clock.now())
    assert row.dataset_version == "2026.11"
    assert row.last_error is not None
    assert row.last_error.startswith("The reload of 2026.13 failed: resolutions.yaml:3: bad date xxx")
    assert len(row.last_error) == ERROR_LIMIT
    assert row.last_error_at == clock.now()
    clock.advance(dt.timedelta(seconds=BEAT_SECONDS))
    await process.beat()  # a beat reports the version it serves, and keeps the error
    [row] = await registry.live(clock.now())
    assert (row.dataset_version, row.last_beat, row.started_at) == ("2026.12", clock.now(), START)
    assert row.last_error is not None
    await process.report_error(None)
    [row] = await registry.live(clock.now())
    assert (row.last_error, row.last_error_at) == (None, None)


async def test_max_rate_fixes_the_share(state_db: StateDatabase) -> None:
    clock = ManualClock(START)
    fixed = heartbeat(state_db, clock, 1, max_rate=10)
    other = heartbeat(state_db, clock, 2)
    await other.beat()
    await fixed.beat()
    assert fixed.live_count == 2
    assert fixed.rate == 10
    own = ManualClock(START)
    stamps = await sent_at(own, paced(own, fixed), 21)
    assert (stamps[9], stamps[10], stamps[20]) == (0.0, 1.0, 2.0)


def test_a_fractional_share_is_rounded_down_so_the_processes_stay_under_the_limit() -> None:
    assert share_of_limit(3) == pytest.approx(16.67, abs=0.01)
    assert Pacer(lambda: share_of_limit(3)).rate == 16  # 3 x 16 = 48 <= 50
    assert Pacer(lambda: share_of_limit(200)).rate == 1  # never stops altogether


def test_daily_max_rate_and_lease_are_read_from_the_config(tmp_path: Path) -> None:
    config = load(tmp_path, "[daily]\nmax_rate = 20\nlease_seconds = 60\n")
    assert (config.daily.max_rate, config.daily.lease_seconds) == (20.0, 60.0)
    default = load(tmp_path)
    assert (default.daily.max_rate, default.daily.lease_seconds) == (None, 180.0)
    assert error(tmp_path, "[daily]\nmax_rate = 80\n") == (
        "config.toml: daily.max_rate must be at most 50 (Discord's limit for the whole bot), not 80"
    )
    too_slow = "config.toml: daily.max_rate must be at least 1, not 0.5"
    assert error(tmp_path, "[daily]\nmax_rate = 0.5\n") == too_slow
    assert "daily.lease_seconds must be at least 10" in error(tmp_path, "[daily]\nlease_seconds = 5\n")


async def test_a_problem_kept_elsewhere_is_shown_from_the_next_beat_until_it_ends(
    state_db: StateDatabase,
) -> None:
    clock = ManualClock(START)
    problems: list[str | None] = [None]
    process = heartbeat(state_db, clock, 5)
    process.problem = lambda: problems[-1]
    registry = process_registry(state_db)
    await process.beat()
    [row] = await registry.live(clock.now())
    assert row.last_error is None
    problems.append("could not load dataset revision 4 (version 2026.13): 1 problem(s)")
    clock.advance(dt.timedelta(seconds=BEAT_SECONDS))
    await process.beat()
    [row] = await registry.live(clock.now())
    assert (row.last_error, row.last_error_at) == (problems[-1], clock.now())
    clock.advance(dt.timedelta(seconds=BEAT_SECONDS))
    await process.beat()  # the same problem: still shown, with the time it was first seen
    [row] = await registry.live(clock.now())
    assert row.last_error_at == clock.now() - dt.timedelta(seconds=BEAT_SECONDS)
    problems.append(None)  # the next revision loaded
    await process.beat()
    [row] = await registry.live(clock.now())
    assert row.last_error is None
