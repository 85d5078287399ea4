"""Reloading the dataset while the bot runs: validate first, swap in one assignment.

A :class:`DataStore` holds the current dataset and an object built from it (the query
engine) as one immutable :class:`Snapshot`. Reloads are serialized by a lock. Everything but
the swap runs in a worker thread: parsing (only the items that changed, :mod:`bot.core.incremental`),
validating, building, the diff against the data in use, and, once the report is made, freeing
the old snapshot (taken apart a piece at a time, :mod:`bot.core.release`, so the event loop
keeps running) and saving the new one's snapshot; the next reload waits for those
(:meth:`DataStore.settled`). After the swap the new data is frozen out of the cyclic garbage
collector's way (``gc.freeze``). On any problem nothing changes (neither memory nor
disk). An uploaded file replaces its file on disk atomically, after the previous version
is copied into a history folder.

Every process serving one database serves the same dataset (:mod:`bot.core.dataset_sync`): with a
:class:`Publisher` attached, a reload's validated files are stored in the database (and announced
to the other processes) before the swap; if they cannot be stored, nothing changes.
:meth:`DataStore.reload_stored` swaps in a version another process stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import errno
import gc
import hashlib
import logging
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from bot.core.clock import Clock
from bot.core.datafiles import FILE_NAMES, FileKind, LoadResult, Problem, data_files
from bot.core.diskfull import DISK_FULL_ERRNOS, STORAGE_FULL
from bot.core.files import atomic_write
from bot.core.incremental import IncrementalLoader
from bot.core.loader import identify_file, load_dataset, load_files
from bot.core.model import Dataset, Event, NonAct, Record
from bot.core.release import give_back_memory, release
from bot.core.snapshot import SnapshotCache, snapshot_key
from bot.core.steps import switching_often

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_UPLOAD_BYTES = 1024 * 1024
UPLOAD_SUFFIXES = (".yaml", ".yml")
DEFAULT_HISTORY_KEEP = 20
#: A data folder the bot may not write (docker-compose mounts it read-only): with a publisher, an
#: upload is then kept in the database only.
READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
#: A dataset's files by kind, as read (the bytes that were validated).
DataFiles = Mapping[FileKind, bytes]
_HISTORY_RE = re.compile(r"^(resolutions|events|non_acts)-(\d{8}T\d{6}Z)(?:-(\d+))?\.yaml$")


class DataLoadError(Exception):
    """The dataset on disk has problems (raised when a store cannot start)."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"the dataset has {len(problems)} problem(s): {shown}{more}")


@dataclass(frozen=True, slots=True)
class Snapshot(Generic[T]):
    """The dataset in use and what was built from it, as one immutable value."""

    dataset: Dataset
    built: T
    loaded_at: dt.datetime
    source: str  # "disk", the uploaded file's name, or "database"
    digest: str = ""  # of the files it was read from (files_digest); "" when not read from files
    revision: int | None = None  # the stored version it is (bot.core.dataset_sync); None: not stored


def file_hash(data: bytes) -> str:
    """The SHA-256 of one file, in hex."""
    return hashlib.sha256(data).hexdigest()


def files_digest(files: DataFiles) -> str:
    """The SHA-256 of a set of files: their kinds and hashes, in kind order (names play no part)."""
    lines = "".join(f"{kind} {file_hash(files[kind])}\n" for kind in sorted(files))
    return hashlib.sha256(lines.encode()).hexdigest()


def read_folder(data_dir: Path) -> dict[FileKind, bytes]:
    """The data folder's files as bytes (OSError when one cannot be read)."""
    return {kind: path.read_bytes() for kind, path in data_files(data_dir).items()}


def folder_digest(data_dir: Path) -> str:
    """:func:`files_digest` of the data folder, or "" when its files cannot be read."""
    try:
        return files_digest(read_folder(data_dir))
    except OSError:
        return ""


class PublishRefused(Exception):
    """The publisher did not accept a validated dataset (the reload fails; ``problem`` says why)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Publisher(Protocol):
    """Where an accepted reload is stored before its swap (:class:`bot.core.dataset_sync.DatasetSync`)."""

    async def publish(self, files: DataFiles, dataset: Dataset, *, source: str, by: str) -> int:
        """Store the validated ``files``; their revision. Raises :class:`PublishRefused`."""
        ...

    async def stored_files(self, revision: int) -> DataFiles:
        """The files of stored ``revision`` (an upload replaces one). Raises :class:`PublishRefused`."""
        ...


@dataclass(frozen=True, slots=True)
class DatasetDiff:
    """What changed between two datasets (ids, sorted)."""

    records_added: tuple[str, ...]
    records_removed: tuple[str, ...]
    records_changed: tuple[str, ...]
    events_added: tuple[str, ...]
    events_removed: tuple[str, ...]
    events_changed: tuple[str, ...]
    records_before: int
    records_after: int
    events_before: int
    events_after: int
    non_acts_added: tuple[str, ...] = ()
    non_acts_removed: tuple[str, ...] = ()
    non_acts_changed: tuple[str, ...] = ()
    non_acts_before: int = 0
    non_acts_after: int = 0

    @property
    def empty(self) -> bool:
        """True when no record, event or non-act was added, removed or changed."""
        return not (
            self.records_added or self.records_removed or self.records_changed
            or self.events_added or self.events_removed or self.events_changed
            or self.non_acts_added or self.non_acts_removed or self.non_acts_changed
        )

    def summary(self) -> str:
        """``records 85 → 86 (+1 added, 2 changed); events 30 (unchanged)``; then non-acts, if any."""
        sides = [
            _side("records", (self.records_before, self.records_after),
                  (self.records_added, self.records_removed, self.records_changed)),
            _side("events", (self.events_before, self.events_after),
                  (self.events_added, self.events_removed, self.events_changed)),
        ]
        if self.non_acts_before or self.non_acts_after:
            sides.append(
                _side("non-acts", (self.non_acts_before, self.non_acts_after),
                      (self.non_acts_added, self.non_acts_removed, self.non_acts_changed))
            )
        return "; ".join(sides)


def _side(noun: str, counts: tuple[int, int], ids: tuple[tuple[str, ...], ...]) -> str:
    before, after = counts
    added, removed, changed = ids
    shown = f"{before} → {after}" if before != after else str(before)
    parts = [f"+{len(added)} added"] * bool(added) + [f"-{len(removed)} removed"] * bool(removed)
    parts += [f"{len(changed)} changed"] * bool(changed)
    return f"{noun} {shown} ({', '.join(parts) or 'unchanged'})"


@dataclass(frozen=True, slots=True)
class ReloadReport:
    """How a reload went. On failure nothing changed and ``problems`` says why."""

    ok: bool
    source: str  # "disk" or the uploaded file's name
    problems: tuple[Problem, ...] = ()
    version_old: str | None = None
    version_new: str | None = None
    diff: DatasetDiff | None = None
    file_kind: FileKind | None = None  # which file an upload replaced
    backup: Path | None = None  # where the replaced file was copied, if any
    in_folder: bool = True  # False: an upload kept in the database only (the data folder is read-only)
    revision: int | None = None  # the stored version now served (ok), or the one refused (source "database")

    def describe(self) -> str:
        """A short plain-text account for a moderator."""
        if not self.ok:
            return f"Reload from {self.source} failed; nothing changed. {len(self.problems)} problem(s)."
        version = (
            f"version {self.version_old} → {self.version_new}"
            if self.version_old != self.version_new else f"version {self.version_new}"
        )
        what = f" ({self.file_kind} file replaced)" if self.file_kind else ""
        diff = f"; {self.diff.summary()}" if self.diff else ""
        return f"Reloaded from {self.source}{what}: {version}{diff}."


def _same(a: Record | Event | NonAct, b: Record | Event | NonAct) -> bool:
    """Equal but for the line they are on (a moved item is no change)."""
    return a is b or a == b or (a.line != b.line and a == dataclasses.replace(b, line=a.line))


def _diff_items(
    old: Iterable[Record | Event | NonAct], new: Iterable[Record | Event | NonAct]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if old is new:  # the very same items (a reload of the files in use): nothing to compare
        return (), (), ()
    before = {i.id: i for i in old}
    after = {i.id: i for i in new}
    added = tuple(sorted(after.keys() - before.keys()))
    removed = tuple(sorted(before.keys() - after.keys()))
    changed = tuple(sorted(k for k in before.keys() & after.keys() if not _same(before[k], after[k])))
    return added, removed, changed


def diff_datasets(old: Dataset, new: Dataset) -> DatasetDiff:
    """Records, events and non-acts added, removed or changed (a moved line alone is no change)."""
    ra, rr, rc = _diff_items(old.records, new.records)
    ea, er, ec = _diff_items(old.events, new.events)
    na, nr, nc = _diff_items(old.non_acts, new.non_acts)
    return DatasetDiff(
        records_added=ra, records_removed=rr, records_changed=rc,
        events_added=ea, events_removed=er, events_changed=ec,
        records_before=len(old.records), records_after=len(new.records),
        events_before=len(old.events), events_after=len(new.events),
        non_acts_added=na, non_acts_removed=nr, non_acts_changed=nc,
        non_acts_before=len(old.non_acts), non_acts_after=len(new.non_acts),
    )


def _release_often(retired: list[object]) -> None:
    """:func:`release` in a worker thread, switching often (the event loop runs meanwhile)."""
    with switching_often():
        release(retired)
    give_back_memory()


def _clean_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or "upload"


def size_text(size: int) -> str:
    """``1.0 MB (1,048,597 bytes)``, ``12 KB (12,288 bytes)`` or ``12 bytes``: rounded, then exact."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB ({size:,} bytes)"
    if size >= 1024:
        return f"{round(size / 1024)} KB ({size:,} bytes)"
    return f"{size:,} byte{'' if size == 1 else 's'}"


def over_limit(size: int, limit: int) -> str:
    """``1.0 MB (1,048,597 bytes); the limit is 1,048,576 bytes``: exact, so the two never read alike."""
    return f"{size_text(size)}; the limit is {limit:,} bytes"


@dataclass(frozen=True, slots=True)
class _Built(Generic[T]):
    dataset: Dataset
    built: T
    diff: DatasetDiff
    files: DataFiles | None = None  # the bytes validated, when read as bytes
    digest: str = ""  # files_digest of those bytes (worked out in the worker, not on the loop)


class DataStore(Generic[T]):
    """The current dataset plus the object ``builder`` made from it, replaced atomically."""

    def __init__(
        self,
        data_dir: Path,
        builder: Callable[[Dataset], T],
        *,
        clock: Clock,
        history_dir: Path | None = None,
        history_keep: int = DEFAULT_HISTORY_KEEP,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
        dataset: Dataset | None = None,
        snapshot_dir: Path | None = None,
        successor: Callable[[T, Dataset], T] | None = None,
    ) -> None:
        """Start from ``dataset``, or load the data folder now (DataLoadError on problems).

        With ``snapshot_dir``, validated datasets are kept there (:mod:`bot.core.snapshot`), so
        files loaded before, unchanged, are not parsed again. With ``successor``, a reload builds
        with ``successor(built_in_use, new_dataset)`` (which may keep parts of what is in use)
        rather than ``builder(new_dataset)``.
        """
        if history_keep < 1:
            raise ValueError("history_keep must be at least 1")
        self.data_dir = data_dir
        self.history_dir = history_dir if history_dir is not None else data_dir / "history"
        self.history_keep = history_keep
        self.max_upload_bytes = max_upload_bytes
        self._builder = builder
        # On a reload: builds from the new dataset and what the data in use was built into (which
        # may keep its unchanged parts); ``builder`` alone when None.
        self._successor = successor
        self._clock = clock
        self._lock = asyncio.Lock()
        # the data is kept while the bot runs: equal values read from a snapshot are made one object
        self._snapshots = SnapshotCache(snapshot_dir, share=True) if snapshot_dir is not None else None
        # What reading the files in use made, chunk by chunk: a reload reads only what changed.
        self._incremental = IncrementalLoader()
        # A validated dataset read incrementally, whose snapshot is saved after the swap; what a
        # reload does after its swap and report (free the old data, save that snapshot), while it
        # runs: the next reload waits for it (:meth:`settled`).
        self._unsaved: tuple[DataFiles, Dataset] | None = None
        self._after_swap: asyncio.Future[None] | None = None
        #: Stores each accepted reload before its swap (set by bot.core.dataset_sync); None: local only.
        self.publisher: Publisher | None = None
        self.on_swap: list[Callable[[], None]] = []  # told after each swap (the snapshot in use changed)
        loaded_here = dataset is None
        digest = ""
        if dataset is None:
            paths = data_files(data_dir)
            names = {kind: str(path) for kind, path in paths.items()}
            try:  # the digest is of the very bytes validated
                read = read_folder(data_dir)
            except OSError:  # the loader tells which file is missing or unreadable
                result = self._cached(paths, lambda: load_dataset(data_dir), names)
            else:
                result = self._load_given(dict(read), names)
                digest = files_digest(read)
            if result.dataset is None:
                raise DataLoadError(result.problems)
            dataset = result.dataset
        else:  # loaded by the caller from the data folder, if anywhere
            digest = folder_digest(data_dir)
        self._snapshot: Snapshot[T] = Snapshot(dataset, builder(dataset), clock.now(), "disk", digest=digest)
        # The digest of files this store itself read and serves (a dataset given may differ from
        # the folder's): a reload of the very same files keeps what is in use.
        self._served_files = digest if loaded_here else ""

    @property
    def current(self) -> Snapshot[T]:
        """The snapshot in use now; it never changes under a reader."""
        return self._snapshot

    @property
    def busy(self) -> bool:
        """True while a reload is running."""
        return self._lock.locked()

    # ------------------------------------------------------------------ reloads

    async def reload_from_disk(self, *, by: str = "") -> ReloadReport:
        """Re-read the files from the data folder; swap only if they are all valid (and stored)."""
        async with self._lock:
            await self.settled()  # the last reload's snapshot is saved first
            outcome = await asyncio.to_thread(self._load_and_build, self._load_disk)
            if not isinstance(outcome, _Built):
                return self._failed("disk", outcome, self._snapshot)
            revision = await self._publish(outcome, "disk", by)
            if isinstance(revision, Problem):
                return self._failed("disk", (revision,), self._snapshot)
            return await self._swap("disk", outcome, revision=revision)

    async def reload_stored(self, files: DataFiles, revision: int) -> ReloadReport:
        """Swap in the files of stored ``revision`` (another process's reload) if they are valid here.

        Nothing is written to disk or stored. A revision no newer than the one served is skipped
        (a report with ``ok`` and no diff); on any problem nothing changes.
        """
        async with self._lock:
            await self.settled()  # the last reload's snapshot is saved first
            served = self._snapshot.revision
            if served is not None and revision <= served:
                version = self._snapshot.dataset.info.version
                return ReloadReport(
                    True, "database", version_old=version, version_new=version, revision=served
                )
            names: dict[FileKind, str] = dict(FILE_NAMES)
            outcome = await asyncio.to_thread(self._load_and_build, lambda: self._load_bytes(files, names))
            if not isinstance(outcome, _Built):
                return dataclasses.replace(
                    self._failed("database", outcome, self._snapshot), revision=revision
                )
            return await self._swap("database", outcome, revision=revision)

    def mark(self, revision: int, digest: str) -> bool:
        """Record that the data in use is stored ``revision`` (when its files' digest is ``digest``)."""
        if self._snapshot.digest != digest:
            return False
        self._snapshot = dataclasses.replace(self._snapshot, revision=revision)
        self._swapped()
        return True

    def _swapped(self) -> None:
        for hook in list(self.on_swap):
            try:
                hook()
            except Exception:
                log.exception("a hook after the swap failed")

    async def _publish(self, new: _Built[T], source: str, by: str) -> int | Problem | None:
        """Store the validated files with the publisher (None without one); a Problem if refused."""
        if self.publisher is None or new.files is None:
            return None
        try:
            return await self.publisher.publish(new.files, new.dataset, source=source, by=by)
        except PublishRefused as refused:
            return refused.problem

    async def reload_with_upload(self, filename: str, data: bytes, *, by: str = "") -> ReloadReport:
        """Validate an uploaded resolutions, events or non-acts file against the other files in use.

        The other files are those of the stored revision served (with a publisher), else the data
        folder's. On success the upload replaces its file on disk (the old one goes to history), the
        files are stored (with a publisher) and the new data is swapped in. On any problem nothing
        changes.
        """
        name = _clean_name(filename)
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            return ReloadReport(
                ok=False, source=name,
                problems=(Problem(name, 0, "only YAML files (.yaml or .yml) can be uploaded"),),
                version_old=self._snapshot.dataset.info.version,
            )
        if len(data) > self.max_upload_bytes:
            return ReloadReport(
                ok=False, source=name,
                problems=(Problem(
                    name, 0,
                    f"the file is {over_limit(len(data), self.max_upload_bytes)}",
                ),),
                version_old=self._snapshot.dataset.info.version,
            )
        async with self._lock:
            await self.settled()  # the last reload's snapshot is saved first
            kind, problems = await asyncio.to_thread(identify_file, data, name)
            if kind is None:
                return self._failed(name, problems, self._snapshot)
            served: DataFiles | None = None
            if self.publisher is not None and self._snapshot.revision is not None:
                try:
                    served = await self.publisher.stored_files(self._snapshot.revision)
                except PublishRefused as refused:
                    return self._failed(name, (refused.problem,), self._snapshot, kind)
            outcome = await asyncio.to_thread(
                self._load_and_build, lambda: self._load_upload(kind, name, data, served)
            )
            if not isinstance(outcome, _Built):
                return self._failed(name, outcome, self._snapshot, kind)
            in_folder = True
            try:
                backup = await asyncio.to_thread(self._install, kind, data)
            except OSError as err:
                if self.publisher is not None and err.errno in READ_ONLY_ERRNOS:
                    log.warning("The data folder %s cannot be written (%s): the uploaded %s file is "
                                "kept in the database only", self.data_dir, err.strerror or err, kind)
                    backup, in_folder = None, False
                else:
                    log.exception("could not save the uploaded %s file", kind)
                    why = STORAGE_FULL if err.errno in DISK_FULL_ERRNOS else (err.strerror or str(err))
                    problem = Problem(name, 0, f"could not save the file: {why}")
                    return self._failed(name, (problem,), self._snapshot, kind)
            revision = await self._publish(outcome, name, by)
            if isinstance(revision, Problem):
                if in_folder:
                    await asyncio.to_thread(self._uninstall, kind, backup)
                return self._failed(name, (revision,), self._snapshot, kind)
            report = await self._swap(name, outcome, kind, revision=revision)
            return dataclasses.replace(report, backup=backup, in_folder=in_folder)

    # ------------------------------------------------------------------ internals

    def _cached(
        self,
        files: Mapping[FileKind, Path | bytes],
        load: Callable[[], LoadResult],
        names: Mapping[FileKind, str],
    ) -> LoadResult:
        """``load()``, or the snapshot of these very files when one was kept (``names``: in problems)."""
        return load() if self._snapshots is None else self._snapshots.load_files(files, load, names)

    def _load_disk(self) -> tuple[LoadResult | None, DataFiles | None]:
        # problems name the bare files: moderators see "events.yaml:12: ...", not server paths
        try:
            files = read_folder(self.data_dir)
        except OSError:  # the loader tells which file is missing or unreadable
            result = self._cached(
                data_files(self.data_dir), lambda: load_dataset(self.data_dir, bare_names=True), FILE_NAMES
            )
            return result, None
        return self._load_bytes(files, FILE_NAMES)

    def _load_upload(
        self, kind: FileKind, name: str, data: bytes, served: DataFiles | None
    ) -> tuple[LoadResult, DataFiles | None]:
        """The upload with the other files of ``served`` (the stored revision in use), else of the folder."""
        files: DataFiles | None = served
        if files is None:
            try:
                files = read_folder(self.data_dir)
            except OSError:
                files = None
        given: dict[FileKind, Path | bytes] = dict(files or data_files(self.data_dir))
        given[kind] = data
        names: dict[FileKind, str] = dict(FILE_NAMES)
        names[kind] = name
        result = self._load_given(given, names)
        return result, None if files is None else {**files, kind: data}

    def _load_bytes(
        self, files: DataFiles, names: Mapping[FileKind, str]
    ) -> tuple[LoadResult | None, DataFiles]:
        """No result for the very files in use (see :meth:`_load_and_build`)."""
        if self._served_files and files_digest(files) == self._served_files:
            return None, files
        return self._load_given(dict(files), names), files

    def _load_given(
        self, files: Mapping[FileKind, Path | bytes], names: Mapping[FileKind, str]
    ) -> LoadResult:
        """The files' dataset: read incrementally when it can be, else in full (the cache told of them)."""
        given = {kind: data for kind, data in files.items() if isinstance(data, bytes)}
        if len(given) != len(files):
            given = {}
        quick = self._incremental.load(given) if given else None
        if quick is not None and quick.dataset is not None:
            if self._snapshots is not None:
                self._unsaved = (given, quick.dataset)
            return quick
        result = self._cached(files, lambda: load_files(
            files["resolutions"], files["events"], non_acts=files.get("non_acts"),
            resolutions_name=names["resolutions"], events_name=names["events"],
            non_acts_name=names.get("non_acts"),
        ), names)
        if given and result.dataset is not None:  # the next reload reads only what changed from these
            self._incremental.defer(given, result.dataset)
        return result

    def _save_snapshot(self, files: DataFiles, dataset: Dataset) -> None:
        """Runs in a worker thread: keep the snapshot of files read incrementally (for the next start)."""
        if self._snapshots is not None:
            self._snapshots.put(snapshot_key(files.items()), dataset)

    async def settled(self) -> None:
        """Wait until what the last reload does after its report is done (old data freed, snapshot saved)."""
        while self._after_swap is not None:
            running = self._after_swap
            with contextlib.suppress(Exception):
                await asyncio.shield(running)
            if self._after_swap is running:
                self._after_swap = None

    async def _settle(self, retired: list[object], unsaved: tuple[DataFiles, Dataset] | None) -> None:
        """After a swap, in worker threads: take the old data apart, then save the new data's snapshot."""
        try:
            await asyncio.to_thread(_release_often, retired)
            if unsaved is not None:
                await asyncio.to_thread(self._save_snapshot, *unsaved)
        except Exception:
            log.exception("cleaning up after a reload failed")

    def _load_and_build(
        self, load: Callable[[], tuple[LoadResult | None, DataFiles | None]]
    ) -> _Built[T] | tuple[Problem, ...]:
        """Runs in a worker thread: load, build, diff. Problems come back as a tuple.

        The reload lock is held, so the snapshot in use cannot change meanwhile. The very files
        in use (no result: the same bytes, under the same code) keep the dataset and engine in
        use: nothing is read, built or compared again.
        """
        with switching_often():  # the event loop waits less for its turn beside this thread
            return self._load_and_build_now(load)

    def _load_and_build_now(
        self, load: Callable[[], tuple[LoadResult | None, DataFiles | None]]
    ) -> _Built[T] | tuple[Problem, ...]:
        self._unsaved = None
        result, files = load()
        current = self._snapshot
        digest = files_digest(files) if files is not None else ""
        if result is None:
            same = current.dataset
            return _Built(same, current.built, diff_datasets(same, same), files, digest)
        if result.dataset is None:
            return result.problems
        try:
            if self._successor is not None:
                built = self._successor(current.built, result.dataset)
            else:
                built = self._builder(result.dataset)
        except Exception as err:
            log.exception("building from the new dataset failed")
            return (Problem("dataset", 0, f"the new data could not be indexed: {err}"),)
        return _Built(result.dataset, built, diff_datasets(current.dataset, result.dataset), files, digest)

    def _failed(
        self, source: str, problems: tuple[Problem, ...], old: Snapshot[T], kind: FileKind | None = None
    ) -> ReloadReport:
        log.warning("reload from %s rejected with %d problem(s)", source, len(problems))
        return ReloadReport(
            ok=False, source=source, problems=problems,
            version_old=old.dataset.info.version, file_kind=kind,
        )

    async def _swap(
        self, source: str, new: _Built[T], kind: FileKind | None = None, *, revision: int | None = None
    ) -> ReloadReport:
        version_old, version_new = self._snapshot.dataset.info.version, new.dataset.info.version
        # The old snapshot goes from here to the worker: no other local name may hold it.
        retired: list[object] = [self._snapshot]
        self._snapshot = Snapshot(  # the one assignment
            new.dataset, new.built, self._clock.now(), source, digest=new.digest, revision=revision
        )
        self._served_files = new.digest
        unsaved, self._unsaved = self._unsaved, None
        gc.freeze()  # the new data is long-lived: full collections need not walk it
        self._swapped()
        stored = f" (revision {revision})" if revision is not None else ""
        log.info("reloaded from %s: version %s -> %s%s; %s",
                 source, version_old, version_new, stored, new.diff.summary())
        report = ReloadReport(
            ok=True, source=source, version_old=version_old,
            version_new=version_new, diff=new.diff, file_kind=kind, revision=revision,
        )
        # The moderator has the report now; the old data is freed and the snapshot saved meanwhile.
        self._after_swap = asyncio.ensure_future(
            self._settle(retired, unsaved if unsaved is not None and unsaved[1] is new.dataset else None)
        )
        del retired
        return report

    def _install(self, kind: FileKind, data: bytes) -> Path | None:
        """Runs in a worker thread: back up the current file, then replace it atomically."""
        return replace_keeping_history(
            self.data_dir / FILE_NAMES[kind], data, kind,
            history_dir=self.history_dir, keep=self.history_keep, clock=self._clock,
        )

    def _uninstall(self, kind: FileKind, backup: Path | None) -> None:
        """Runs in a worker thread: put back the file an upload replaced (its history copy), if any."""
        target = self.data_dir / FILE_NAMES[kind]
        try:
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                atomic_write(target, backup.read_bytes())
                backup.unlink()
        except OSError:
            log.exception("could not put back the %s file that a refused upload replaced", kind)

    def history(self, kind: FileKind) -> list[Path]:
        """The kept versions of one file, oldest first."""
        return history_files(self.history_dir, kind)


def history_files(history_dir: Path, kind: FileKind) -> list[Path]:
    """The kept versions of one data file in ``history_dir``, oldest first."""
    if not history_dir.is_dir():
        return []
    found: list[tuple[tuple[str, int], Path]] = []
    for path in history_dir.iterdir():
        match = _HISTORY_RE.match(path.name)
        if match and match.group(1) == kind:
            found.append(((match.group(2), int(match.group(3) or 0)), path))
    return [path for _, path in sorted(found)]


def replace_keeping_history(
    target: Path, data: bytes, kind: FileKind, *, history_dir: Path, keep: int, clock: Clock
) -> Path | None:
    """Copy ``target`` into the history (if it exists), write ``data`` over it atomically, prune.

    Returns the history copy. Every replacement of a data file (an upload, a newer image's
    dataset) goes through here, so the history names and keeps them all alike.
    """
    backup: Path | None = None
    if target.exists():
        history_dir.mkdir(parents=True, exist_ok=True)
        backup = _history_name(history_dir, kind, clock)
        shutil.copyfile(target, backup)
    atomic_write(target, data)
    versions = history_files(history_dir, kind)
    for path in versions[: max(0, len(versions) - keep)]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return backup


def _history_name(history_dir: Path, kind: FileKind, clock: Clock) -> Path:
    stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = history_dir / f"{kind}-{stamp}.yaml"
    n = 1
    while path.exists():
        path = history_dir / f"{kind}-{stamp}-{n}.yaml"
        n += 1
    return path
