"""The dataset every process serves, on both state backends: stored reloads, the data folder rule, following.

Each "process" is a DataStore with its own data folder (as on its own machine) and its own
connection to the one state database, joined by a DatasetSync; the clock is a ManualClock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Opener
from pgserver import PostgresServer

from bot.core import reloading
from bot.core.clock import ManualClock
from bot.core.dataset_sync import DatasetSync, StoredVersion
from bot.core.model import Dataset
from bot.core.reloading import DataStore, ReloadReport, file_hash, files_digest, read_folder
from bot.storage.datasets import PostgresDatasetLedger, dataset_ledger
from bot.storage.postgres import PostgresDatabase
from bot.storage.state import StateDatabase

MINI = Path(__file__).resolve().parent / "data" / "mini"
START = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def build(ds: Dataset) -> tuple[str, int]:
    """A stand-in for the query engine: something derived from the dataset."""
    return ds.info.version, len(ds.records)


def resolutions(version: str, extra: str = "") -> bytes:
    text = (MINI / "resolutions.yaml").read_text(encoding="utf-8")
    return text.replace('version: "test-1"', f'version: "{version}"{extra}').encode()


def folder(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(MINI, target)
    return target


class Process:
    """One process: its data folder, its DataStore and DatasetSync on its own database connection."""

    def __init__(
        self, data_dir: Path, db: StateDatabase, clock: ManualClock, name: str, keep: int = 20
    ) -> None:
        self.store: DataStore[tuple[str, int]] = DataStore(data_dir, build, clock=clock)  # type: ignore[arg-type]
        self.sync = DatasetSync(self.store, dataset_ledger(db), clock=clock, keep=keep, process=name)

    @property
    def version(self) -> str:
        return self.store.current.dataset.info.version


async def process(tmp_path: Path, open_db: Opener, clock: ManualClock, name: str, **kw: int) -> Process:
    data_dir = tmp_path / name
    if not data_dir.exists():
        folder(tmp_path, name)
    p = Process(data_dir, await open_db(), clock, name, **kw)
    await p.sync.start()
    return p


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


# ---------------------------------------------------------------------------- the ledger


async def test_a_stored_version_keeps_each_files_text_hash_version_who_and_when(
    state_db: StateDatabase,
) -> None:
    ledger = dataset_ledger(state_db)
    assert await ledger.latest() is None
    files = read_folder(MINI)
    stored = await ledger.store(files, version="test-1", source="disk", by="Ani (1)", at=START, keep=20)
    latest = await ledger.latest(with_files=True)
    assert latest is not None
    assert (latest.revision, latest.version, latest.source, latest.reloaded_by, latest.reloaded_at) == (
        stored.revision, "test-1", "disk", "Ani (1)", START
    )
    assert latest.files == files  # byte for byte
    assert latest.hashes == {kind: file_hash(data) for kind, data in files.items()}
    assert latest.digest == files_digest(files)
    assert (await ledger.latest()).files is None  # type: ignore[union-attr] # not fetched unless asked
    assert (await ledger.find(files_digest(files))) == (await ledger.latest())
    assert await ledger.find("0" * 64) is None


async def test_only_the_newest_versions_keep_their_texts(state_db: StateDatabase) -> None:
    ledger = dataset_ledger(state_db)
    base = read_folder(MINI)
    revisions = []
    for n in range(5):
        files = {**base, "resolutions": resolutions(f"v{n}")}
        stored = await ledger.store(files, version=f"v{n}", source="x.yaml", by="mod", at=START, keep=3)
        revisions.append(stored.revision)
    history = await ledger.history()
    assert [v.revision for v in history] == revisions[::-1]  # every row is kept (hashes, who, when)
    assert revisions == sorted(revisions)
    latest = await ledger.latest(with_files=True)
    assert latest is not None
    assert latest.files is not None
    assert latest.files["resolutions"] == resolutions("v4")
    oldest = await ledger.find(files_digest({**base, "resolutions": resolutions("v0")}))
    assert oldest is not None
    assert oldest.revision == revisions[0]  # an old folder is still recognised
    counts = await state_db.fetchall("SELECT revision, content IS NOT NULL AS kept FROM dataset_files")
    kept = {int(row["revision"]) for row in counts if row["kept"]}
    assert kept == set(revisions[-3:])
    # each revision has a row per file, no more (the SQLite ledger binds its statement again after)
    assert sorted(int(row["revision"]) for row in counts) == sorted(r for r in revisions for _ in base)


# ---------------------------------------------------------------------------- the data folder rule


async def test_a_new_data_folder_is_stored_at_start_and_a_restart_stores_nothing_new(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    first = await process(tmp_path, open_state_db, clock, "a")
    latest = await first.sync.ledger.latest()
    assert latest is not None
    assert (latest.revision, latest.version, latest.source) == (first.sync.revision, "test-1", "deployment")
    assert latest.reloaded_by == "a at start"
    again = await process(tmp_path, open_state_db, clock, "a")  # the same folder
    assert again.sync.revision == latest.revision
    assert len(await again.sync.ledger.history()) == 1
    assert again.sync.last_error is None


async def test_a_process_started_later_with_an_old_folder_serves_the_latest_version(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    folder(tmp_path, "b")  # machine b got the first deployment only
    a = await process(tmp_path, open_state_db, clock, "a")
    report = await a.store.reload_with_upload("resolutions.yaml", resolutions("test-2"), by="mod")
    assert report.ok
    assert report.revision is not None
    b = await process(tmp_path, open_state_db, clock, "b")
    assert b.version == "test-2"
    assert b.sync.revision == report.revision
    assert (tmp_path / "b" / "resolutions.yaml").read_bytes() == (MINI / "resolutions.yaml").read_bytes()


async def test_new_files_in_a_folder_are_a_new_deployment_even_after_later_uploads(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    assert (await a.store.reload_with_upload("resolutions.yaml", resolutions("test-2"))).ok
    folder(tmp_path, "b")
    (tmp_path / "b" / "resolutions.yaml").write_bytes(resolutions("test-3"))  # the operator deploys
    b = await process(tmp_path, open_state_db, clock, "b")
    assert b.version == "test-3"
    latest = await b.sync.ledger.latest()
    assert latest is not None
    assert (latest.version, latest.source, latest.revision) == ("test-3", "deployment", b.sync.revision)


async def test_a_reload_from_a_folder_holding_an_older_version_changes_nothing_and_says_why(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    b = await process(tmp_path, open_state_db, clock, "b")
    uploaded = await a.store.reload_with_upload("resolutions.yaml", resolutions("test-2"), by="Ani (1)")
    assert uploaded.ok
    await b.sync.catch_up()
    assert b.version == "test-2"
    report = await b.store.reload_from_disk(by="SIGHUP")  # b's folder still holds test-1
    assert not report.ok
    [problem] = report.problems
    assert problem.file == "data folder"
    assert "older than the latest revision 2 (version test-2, by Ani (1)" in problem.message
    assert "upload it" in problem.message
    assert b.version == "test-2"
    assert len(await b.sync.ledger.history()) == 2


async def test_an_upload_is_stored_and_identical_files_are_not_stored_twice(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    first = await a.store.reload_with_upload("events.yaml", (MINI / "events.yaml").read_bytes(), by="mod")
    assert first.ok
    assert first.revision == a.sync.revision  # the same files as the deployment: no new revision
    again = await a.store.reload_from_disk(by="mod")
    assert again.ok
    assert again.revision == first.revision
    assert len(await a.sync.ledger.history()) == 1


async def test_a_reload_that_cannot_be_stored_changes_nothing_in_memory_or_on_disk(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    before = read_folder(tmp_path / "a")
    db = await open_state_db()
    if open_state_db.backend == "sqlite":  # type: ignore[attr-defined]
        await db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON dataset_versions "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    else:
        await db.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
        )
        await db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON dataset_versions FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
    report = await a.store.reload_with_upload("resolutions.yaml", resolutions("test-2"), by="mod")
    assert not report.ok
    [problem] = report.problems
    assert problem.file == "database"
    assert problem.message.startswith("could not store the new data:")
    assert "disk full" in problem.message
    assert a.version == "test-1"
    assert read_folder(tmp_path / "a") == before  # the uploaded file was taken back out
    assert list((tmp_path / "a" / "history").iterdir()) == []
    assert len(await a.sync.ledger.history()) == 1


async def test_an_upload_when_the_database_is_gone_changes_nothing(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    before = read_folder(tmp_path / "a")
    lost = await open_state_db()
    a.sync.ledger = dataset_ledger(lost)
    await lost.close()  # the database is gone
    report = await a.store.reload_with_upload("resolutions.yaml", resolutions("test-2"), by="mod")
    assert not report.ok
    assert report.problems[0].file == "database"
    assert report.problems[0].message.startswith("could not read the data in use")
    assert a.version == "test-1"
    assert read_folder(tmp_path / "a") == before


async def test_an_upload_goes_with_the_other_files_in_use_not_a_stale_folder(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    b = await process(tmp_path, open_state_db, clock, "b")
    events = (MINI / "events.yaml").read_text(encoding="utf-8")
    new_events = events.replace("Proclamation of the Republic", "Proclamation of the Republic (new)").encode()
    assert (await a.store.reload_with_upload("events.yaml", new_events, by="mod")).ok
    await b.sync.catch_up()
    report = await b.store.reload_with_upload("resolutions.yaml", resolutions("test-3"), by="mod")
    assert report.ok
    latest = await b.sync.ledger.latest(with_files=True)
    assert latest is not None
    assert latest.files is not None
    assert latest.files["events"] == new_events  # not b's folder's old events.yaml
    assert latest.files["resolutions"] == resolutions("test-3")


async def test_an_upload_to_a_read_only_data_folder_is_kept_in_the_database(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    before = read_folder(tmp_path / "a")

    def read_only(target: Path, data: bytes) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(reloading, "atomic_write", read_only)
    report = await a.store.reload_with_upload("resolutions.yaml", resolutions("test-2"), by="mod")
    assert report.ok
    assert not report.in_folder
    assert a.version == "test-2"
    assert read_folder(tmp_path / "a") == before
    latest = await a.sync.ledger.latest()
    assert latest is not None
    assert (latest.revision, latest.version) == (report.revision, "test-2")


# ---------------------------------------------------------------------------- following


async def test_a_version_that_does_not_load_here_leaves_the_old_one_served_and_says_so(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    b = await process(tmp_path, open_state_db, clock, "b")
    told: list[tuple[ReloadReport, StoredVersion]] = []

    async def refused(report: ReloadReport, stored: StoredVersion) -> None:
        told.append((report, stored))

    b.sync.on_refused = refused
    # a process of a newer bot stored a file this one does not read (an unknown top-level key)
    files = {**read_folder(MINI), "resolutions": resolutions("test-9", "\nfuture_field: 1")}
    await a.sync.ledger.store(files, version="test-9", source="disk", by="newer bot", at=START, keep=20)
    report = await b.sync.catch_up()
    assert report is not None
    assert not report.ok
    assert b.version == "test-1"
    assert b.sync.last_error is not None
    assert b.sync.last_error.startswith("could not load dataset revision 2 (version test-9, by newer bot")
    assert "still serving test-1 (revision 1)" in b.sync.last_error
    [(told_report, stored)] = told
    assert stored.revision == 2
    assert told_report.problems == report.problems
    assert any("could not load dataset revision 2" in r.getMessage() for r in caplog.records)
    assert await b.sync.catch_up() is None  # not tried again, not reported again
    assert len(told) == 1
    fixed = await a.store.reload_with_upload("resolutions.yaml", resolutions("test-10"), by="mod")
    assert fixed.ok
    await b.sync.catch_up()
    assert b.version == "test-10"
    assert b.sync.last_error is None


async def test_readers_see_the_old_or_the_new_version_during_a_follow(
    tmp_path: Path, open_state_db: Opener, clock: ManualClock
) -> None:
    a = await process(tmp_path, open_state_db, clock, "a")
    b = await process(tmp_path, open_state_db, clock, "b")
    assert (await a.store.reload_with_upload("resolutions.yaml", resolutions("test-2"))).ok
    seen: set[str] = set()
    following = asyncio.ensure_future(b.sync.catch_up())
    while not following.done():
        seen.add(b.store.current.built[0])
        await asyncio.sleep(0)
    assert seen <= {"test-1", "test-2"}
    assert b.store.current.built == ("test-2", b.store.current.built[1])


# ---------------------------------------------------------------------------- PostgreSQL: the announcements


async def wait_until(sync: DatasetSync, done: Callable[[], bool]) -> None:
    async with asyncio.timeout(20):
        await sync.until(done)


async def test_a_reload_is_announced_to_the_other_processes_and_followed_after_a_lost_connection(
    tmp_path: Path, postgres_server: PostgresServer, clock: ManualClock
) -> None:
    url = postgres_server.take_database()
    dbs = [await PostgresDatabase.open(url, password=postgres_server.password) for _ in range(2)]
    followers: list[asyncio.Task[None]] = []
    try:
        folder(tmp_path, "a")
        folder(tmp_path, "b")
        a, b = (Process(tmp_path / n, db, clock, n) for n, db in zip("ab", dbs, strict=True))
        reconnects = asyncio.Event()

        async def quick(_seconds: float) -> None:
            reconnects.set()
            await asyncio.sleep(0.05)

        b.sync.ledger = PostgresDatasetLedger(dbs[1], sleep=quick)
        for p in (a, b):
            await p.sync.start()
            followers.append(asyncio.create_task(p.sync.run()))
        report = await a.store.reload_with_upload("resolutions.yaml", resolutions("test-2"), by="mod")
        assert report.ok
        await wait_until(b.sync, lambda: b.sync.revision == report.revision)
        assert b.version == "test-2"

        postgres_server.restart()  # every connection is cut, b's listener too
        async with asyncio.timeout(20):
            await reconnects.wait()
        for _ in range(100):  # the pool's connections were cut too: a reload may fail (nothing changes)
            later = await a.store.reload_with_upload("resolutions.yaml", resolutions("test-3"), by="mod")
            if later.ok:
                break
        assert later.ok
        await wait_until(b.sync, lambda: b.sync.revision == later.revision)
        assert b.version == "test-3"
        assert b.sync.last_error is None  # a fetch that met a cut connection is forgotten once one works
    finally:
        for task in followers:
            task.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
        for db in dbs:
            await db.close()
        postgres_server.give_back(url)
