"""One dataset for every process on one database: accepted reloads are stored, and the others follow.

An accepted reload (``/admin reload``, an upload, SIGHUP) stores its files (each one's text and
SHA-256), the dataset's version, who reloaded and when as a new *revision* in the database
(:class:`DatasetLedger`, implemented in :mod:`bot.storage.datasets`) before the process swaps it in;
if it cannot be stored, nothing changes. The database then tells the other processes (PostgreSQL
``NOTIFY``), and each fetches the latest revision, validates it as ``check-data`` does (in a worker
thread) and swaps it in (:meth:`DatasetSync.catch_up`). A process that cannot load it keeps serving
what it serves and says so: a log line, :attr:`DatasetSync.last_error`, and the moderators' log
channel (:attr:`DatasetSync.on_refused`). After a lost connection to the database the process
catches up to the latest revision. On SQLite (one process) the same code runs without a listener.

The data folder and the database, at start and on a reload from the data folder:

- the folder's files (their digest) were never stored: a new deployment. They are validated,
  stored as a new revision and announced;
- the folder holds the latest revision: nothing to do;
- the folder holds an older stored revision (a machine the deployment did not reach, or a
  folder left behind by later uploads): the latest revision wins. At start the process loads
  it; a reload from the folder is refused and nothing changes. To go back to an older file,
  upload it (an upload is always stored as a new revision).

So an operator's deployed data is never dropped silently: new files are always stored, and a
refusal says which revision the folder holds and which one is served.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.datafiles import FileKind, Problem
from bot.core.model import Dataset
from bot.core.reloading import (
    DataFiles,
    DataStore,
    PublishRefused,
    ReloadReport,
    files_digest,
    read_folder,
)

log = logging.getLogger(__name__)

#: The PostgreSQL channel on which a new revision's number is announced.
CHANNEL = "artsakh_dataset"
DEPLOYMENT = "deployment"  # the source of a data folder stored at start
FETCH_FAILED = "could not fetch the latest dataset"


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One accepted dataset as stored: ``files`` is None when not fetched, or pruned from history."""

    revision: int
    version: str  # the dataset's own version (resolutions.yaml)
    digest: str  # files_digest of its files
    source: str  # "disk", the uploaded file's name, or "deployment" (a data folder stored at start)
    reloaded_by: str
    reloaded_at: dt.datetime  # aware UTC
    hashes: Mapping[FileKind, str]  # each file's SHA-256
    files: DataFiles | None = None

    def describe(self) -> str:
        """``revision 7 (version 2026.12.01, by Ani (1) with /admin reload, 2026-12-07 15:00 UTC)``."""
        by = f"by {self.reloaded_by}, " if self.reloaded_by else ""
        when = self.reloaded_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"revision {self.revision} (version {self.version}, {by}{when})"


class DatasetLedger(Protocol):
    """Where accepted datasets are kept (both state backends implement it)."""

    @property
    def shared(self) -> bool:
        """True when other processes may use the same database (they are told of new revisions)."""
        ...

    async def store(
        self, files: DataFiles, *, version: str, source: str, by: str, at: dt.datetime, keep: int
    ) -> StoredVersion:
        """Store ``files`` as a new revision (and announce it), keeping the texts of the newest ``keep``."""
        ...

    async def latest(self, *, with_files: bool = False) -> StoredVersion | None:
        """The newest revision (with its files' bytes if asked), or None before any."""
        ...

    async def find(self, digest: str) -> StoredVersion | None:
        """The newest revision whose files have ``digest`` (without the files), or None."""
        ...

    async def get(self, revision: int) -> StoredVersion | None:
        """Stored ``revision`` with its files (``files`` None when pruned), or None."""
        ...

    async def history(self, limit: int = 20) -> list[StoredVersion]:
        """The newest revisions first (without the files)."""
        ...

    async def watch(self, wake: Callable[[int | None], None]) -> None:
        """Call ``wake(revision)`` for each announced revision, ``wake(None)`` after each (re)connection.

        Runs until cancelled; returns at once when nothing is shared.
        """
        ...


def text_problems(files: DataFiles) -> tuple[Problem, ...]:
    """Files the database cannot keep as text (not UTF-8, or with a NUL character)."""
    problems = []
    for kind, data in sorted(files.items()):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = "\0"
        if "\0" in text:
            problems.append(Problem(f"{kind}.yaml", 0, "the file must be UTF-8 text to be stored"))
    return tuple(problems)


Refused = Callable[[ReloadReport, StoredVersion], Awaitable[None]]


class DatasetSync:
    """Keeps one DataStore on the latest accepted revision of the ledger, and stores its reloads."""

    def __init__(
        self,
        store: DataStore[Any],
        ledger: DatasetLedger,
        *,
        clock: Clock,
        keep: int,
        process: str,
    ) -> None:
        """``keep``: revisions whose texts are kept; ``process``: this process, for logs and reports."""
        self.store = store
        self.ledger = ledger
        self.clock = clock
        self.keep = keep
        self.process = process
        self.last_error: str | None = None  # why the latest revision is not served here; None: it is
        self.on_refused: Refused | None = None  # told when a stored revision cannot be loaded here
        self.on_change: list[Callable[[], None]] = []  # told after every swap, follow attempt, publication
        self._refused: int | None = None  # the revision that failed here (not tried again)
        self._wake = asyncio.Event()
        self._tick = asyncio.Event()
        self._started = False
        store.publisher = self
        store.on_swap.append(self._changed)

    # ------------------------------------------------------------------ what this process serves

    @property
    def revision(self) -> int | None:
        """The stored revision served here (None: not stored, e.g. before :meth:`start`)."""
        return self.store.current.revision

    @property
    def version(self) -> str:
        """The dataset version served here."""
        return self.store.current.dataset.info.version

    def served(self) -> str:
        """``2026.12.01 (revision 7)``: what this process serves, for status lines."""
        revision = self.revision
        return self.version if revision is None else f"{self.version} (revision {revision})"

    async def until(self, done: Callable[[], bool]) -> None:
        """Wait until ``done()`` is true; checked after every follow attempt and publication."""
        while not done():
            tick = self._tick
            await tick.wait()

    def _changed(self) -> None:
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()
        for hook in list(self.on_change):
            hook()

    # ------------------------------------------------------------------ storing this process's reloads

    async def publish(self, files: DataFiles, dataset: Dataset, *, source: str, by: str) -> int:
        """Store a validated reload (called by the DataStore, under its lock); its revision.

        Files identical to the latest revision are not stored again. A reload from the data
        folder holding an older revision is refused (the latest wins). Raises PublishRefused.
        """
        digest = files_digest(files)
        try:
            latest = await self.ledger.latest()
            if latest is not None and latest.digest == digest:
                return latest.revision
            if source == "disk":
                known = await self.ledger.find(digest)
                if known is not None and latest is not None:
                    raise PublishRefused(Problem(
                        "data folder", 0,
                        f"it holds {known.describe()}, older than the latest {latest.describe()}: "
                        "the latest stays. To serve an older file again, upload it.",
                    ))
            problems = text_problems(files)
            if problems:
                raise PublishRefused(problems[0])
            stored = await self.ledger.store(
                files, version=dataset.info.version, source=source, by=by or self.process,
                at=self.clock.now(), keep=self.keep,
            )
        except PublishRefused:
            raise
        except Exception as err:  # the database's or the driver's error: nothing changes
            log.exception("Could not store the reloaded dataset in the database")
            raise PublishRefused(Problem("database", 0, f"could not store the new data: {err}")) from None
        log.info("Stored dataset version %s as %s", stored.version, stored.describe())
        self.last_error = None
        self._refused = None
        self._changed()
        return stored.revision

    async def stored_files(self, revision: int) -> DataFiles:
        """The files of stored ``revision`` (the one served: an upload replaces one of them)."""
        try:
            stored = await self.ledger.get(revision)
        except Exception as err:
            log.exception("Could not read dataset revision %d from the database", revision)
            raise PublishRefused(Problem("database", 0, f"could not read the data in use: {err}")) from None
        if stored is None or stored.files is None:
            raise PublishRefused(Problem(
                "database", 0,
                f"the files of revision {revision}, in use here, are no longer stored; reload from the "
                "data folder first",
            ))
        return stored.files

    # ------------------------------------------------------------------ start and follow

    async def start(self) -> None:
        """Apply the data folder rule (see the module): store a new folder, or serve the latest revision."""
        if self._started:
            return
        self._started = True
        current = self.store.current
        try:
            if current.digest:
                known = await self.ledger.find(current.digest)
                latest = await self.ledger.latest()
                if known is None:
                    await self._store_deployment(current.digest)
                    return
                if latest is not None and latest.digest == current.digest:
                    self.store.mark(latest.revision, current.digest)
                    log.info("Serving dataset %s (the data folder holds the latest)", latest.describe())
                    self._changed()
                    return
                log.info(
                    "The data folder holds %s; the latest is %s, which is loaded",
                    known.describe(), latest.describe() if latest else "?",
                )
            await self.catch_up()
        except Exception as err:  # a database error at start: serve the folder and say so
            log.exception("Could not compare the data folder with the stored datasets")
            self._fail(f"could not read the stored datasets: {err}")

    async def _store_deployment(self, digest: str) -> None:
        """Store the data folder's files (validated at start) as a new revision: a new deployment."""
        folder = self.store.data_dir
        files = await asyncio.to_thread(read_folder, Path(folder))
        if files_digest(files) != digest:  # changed since start: reload (validates and stores)
            report = await self.store.reload_from_disk(by=f"{self.process} at start")
            if not report.ok:
                self._fail(f"the data folder changed at start and has problems: {report.problems[0]}")
            return
        problems = text_problems(files)
        if problems:
            self._fail(f"the data folder cannot be stored: {problems[0]}")
            return
        stored = await self.ledger.store(
            files, version=self.version, source=DEPLOYMENT, by=f"{self.process} at start",
            at=self.clock.now(), keep=self.keep,
        )
        self.store.mark(stored.revision, digest)
        log.info("Stored the data folder as %s (a new deployment) and announced it", stored.describe())
        self._changed()

    def wake(self, revision: int | None = None) -> None:
        """A new revision was announced (or the connection came back): catch up soon."""
        if revision is not None:
            log.debug("Dataset revision %d announced", revision)
        self._wake.set()

    async def catch_up(self) -> ReloadReport | None:
        """Serve the latest stored revision if it is newer and loads here; None when nothing to do."""
        latest = await self.ledger.latest()
        served = self.revision
        if latest is None or (served is not None and latest.revision <= served):
            return None
        if latest.revision == self._refused:
            return None  # already tried and reported
        stored = await self.ledger.latest(with_files=True)
        if stored is None or stored.files is None:
            return None
        report = await self.store.reload_stored(stored.files, stored.revision)
        if report.ok:
            if report.diff is not None:  # swapped here (not already served by a reload meanwhile)
                log.info("Serving dataset %s, as every process", stored.describe())
            self.last_error = None
            self._refused = None
        else:
            self._refused = stored.revision
            first = f": {report.problems[0]}" if report.problems else ""
            self._fail(
                f"could not load dataset {stored.describe()}; still serving {self.served()}"
                f" ({len(report.problems)} problem(s){first})"
            )
            if self.on_refused is not None:
                try:
                    await self.on_refused(report, stored)
                except Exception:
                    log.exception("Could not report the refused dataset revision")
        self._changed()
        return report

    def _fail(self, message: str) -> None:
        self.last_error = message
        log.warning("Dataset: %s", message)
        self._changed()

    async def run(self) -> None:
        """Follow the announcements until cancelled (returns at once when nothing is shared)."""
        if not self.ledger.shared:
            return
        watcher = asyncio.create_task(self.ledger.watch(self.wake), name="dataset watch")
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                try:
                    await self.catch_up()
                except asyncio.CancelledError:
                    raise
                except Exception as err:  # the database went away: the watcher reconnects and wakes us
                    log.warning("Could not fetch the latest dataset: %s", err)
                    self.last_error = f"{FETCH_FAILED}: {err}"
                    self._changed()
                else:
                    if self.last_error is not None and self.last_error.startswith(FETCH_FAILED):
                        self.last_error = None  # fetched again: the latest is served (or refused, said so)
                        self._changed()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher
