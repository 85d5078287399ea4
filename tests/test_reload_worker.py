"""A reload does its work in a worker thread: commands asked meanwhile are all answered.

The loop-lag numbers are measured by ``bench/bench_reload.py``; these tests check behaviour
only: what is answered, from which data, and that the old data is let go.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sys
import threading
import weakref
from pathlib import Path

import pytest

from bot.core import reloading
from bot.core.answers import Status
from bot.core.clock import ManualClock
from bot.core.engine import QueryEngine
from bot.core.model import Dataset
from bot.core.release import map_large_blocks, release
from bot.core.reloading import DataStore

MINI = Path(__file__).resolve().parent / "data" / "mini"
START = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)
ASKED_DURING_RELOAD = 30


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


def bumped(version: str) -> bytes:
    text = (MINI / "resolutions.yaml").read_text(encoding="utf-8")
    return text.replace('version: "test-1"', f'version: "{version}"').encode()


async def test_a_reload_under_load_answers_every_concurrent_command(data_dir: Path) -> None:
    """The build waits until the loop has answered commands: it can only finish if they run meanwhile."""
    answered_during = threading.Event()
    threads: dict[str, set[str]] = {"build": set(), "diff": set(), "release": set()}

    def build(ds: Dataset) -> QueryEngine:
        threads["build"].add(threading.current_thread().name)
        if ds.info.version == "test-2":
            assert answered_during.wait(10), "no command was answered while the reload was building"
        return QueryEngine(ds)

    real_diff, real_release = reloading.diff_datasets, reloading.release

    def diff(old: Dataset, new: Dataset) -> reloading.DatasetDiff:
        threads["diff"].add(threading.current_thread().name)
        return real_diff(old, new)

    def spy_release(holder: list[object]) -> int:
        threads["release"].add(threading.current_thread().name)
        return real_release(holder)

    store = DataStore(data_dir, build, clock=ManualClock(START))
    old_engine = weakref.ref(store.current.built)
    loop_thread = threading.current_thread().name
    answers: list[tuple[bool, str, Status]] = []  # (asked while reloading, version, status)

    async def user(n: int) -> None:
        while True:
            busy = store.busy
            snapshot = store.current
            engine = snapshot.built
            query = ("california", "glendale", "resolution", "2014")[n % 4]
            answer = engine.jurisdiction(query) if n % 2 else engine.resolution(query)
            answers.append((busy, snapshot.dataset.info.version, answer.status))
            del engine, snapshot
            if sum(1 for was_busy, _, _ in answers if was_busy) >= ASKED_DURING_RELOAD:
                answered_during.set()
            if not busy and answered_during.is_set():
                return
            await asyncio.sleep(0)

    reloading.diff_datasets, reloading.release = diff, spy_release  # spies: they call the real ones
    try:
        users = [asyncio.create_task(user(n)) for n in range(4)]
        await asyncio.sleep(0)
        report = await store.reload_with_upload("resolutions.yaml", bumped("test-2"))
        await asyncio.gather(*users)
        await store.settled()  # the old data is freed after the report: the spies stay until then
    finally:
        reloading.diff_datasets, reloading.release = real_diff, real_release

    assert report.ok, report.problems
    assert report.diff is not None
    assert report.version_new == "test-2"
    during = [a for a in answers if a[0]]
    assert len(during) >= ASKED_DURING_RELOAD
    # every command got a real answer, from the old data or the new, never an error
    assert all(status is not Status.INVALID for _, _, status in answers)
    assert {version for _, version, _ in answers} <= {"test-1", "test-2"}
    assert answers[-1][1] == "test-2"
    # the build (after the start-up one), the diff and the freeing of the old data ran off the loop
    assert loop_thread not in threads["diff"]
    assert threads["diff"]
    assert any(name != loop_thread for name in threads["build"])
    assert threads["release"]  # freed after the report, beside the commands
    assert loop_thread not in threads["release"]
    assert old_engine() is None  # the old engine is gone once the reload has settled


async def test_an_old_engine_still_in_use_survives_its_release(data_dir: Path) -> None:
    store = DataStore(data_dir, QueryEngine, clock=ManualClock(START))
    in_use = store.current.built  # a command still holding the engine of the old data
    before = in_use.jurisdiction("california")
    report = await store.reload_with_upload("resolutions.yaml", bumped("test-2"))
    assert report.ok
    assert store.current.built is not in_use
    again = in_use.jurisdiction("california")
    assert again.status is before.status is Status.FOUND
    assert again.records == before.records


def test_release_takes_apart_the_snapshot_a_reload_retires(data_dir: Path) -> None:
    """The retired snapshot is taken apart a piece at a time, not freed in one go with everything in it."""
    store = DataStore(data_dir, QueryEngine, clock=ManualClock(START))
    snapshot = store.current
    engine = weakref.ref(snapshot.built)
    del store
    holder: list[object] = [snapshot]
    del snapshot
    pieces = release(holder)
    assert engine() is None
    # the snapshot, its dataset, the engine and each of its parts, the indexes' tables...
    assert pieces > 20


def test_release_takes_apart_only_what_nobody_else_holds(data_dir: Path) -> None:
    engine = QueryEngine(DataStore(data_dir, QueryEngine, clock=ManualClock(START)).current.dataset)
    record = engine.dataset.records[0]
    kept = engine.jurisdiction("california")  # an answer shown in an open view
    gone = weakref.ref(engine)
    holder: list[object] = [engine]
    del engine
    assert release(holder) > 0
    assert gone() is None
    assert holder == []
    # what others hold is intact and usable
    assert record.id
    assert record.title
    assert record.sources
    assert kept.status is Status.FOUND
    assert kept.records
    assert kept.records[0].sources


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_large_blocks_are_kept_in_pages_of_their_own_on_glibc() -> None:
    assert map_large_blocks()  # glibc took the fixed threshold (as `python -m bot run` sets it)
