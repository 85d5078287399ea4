"""The accepted datasets on both state backends: :class:`bot.core.dataset_sync.DatasetLedger`.

Tables ``dataset_versions`` (one row per revision: version, digest, source, who, when) and
``dataset_files`` (each file's SHA-256 and text). Storing a revision is one transaction: the rows,
the pruning (only the newest ``keep`` revisions keep their texts; older ones keep their rows and
hashes, so a data folder holding one is still recognised) and, on PostgreSQL, the announcement
(``pg_notify``, delivered when the transaction commits) under a transaction advisory lock, so
revisions are numbered in the order they commit.

On PostgreSQL, :meth:`PostgresDatasetLedger.watch` listens on a connection of its own; when that
connection is lost it reconnects (with backoff) and asks for a catch-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import asyncpg

from bot.core.backoff import Backoff
from bot.core.datafiles import FILE_NAMES, FileKind
from bot.core.dataset_sync import CHANNEL, DatasetLedger, StoredVersion
from bot.core.reloading import DataFiles, file_hash, files_digest
from bot.storage.database import Database
from bot.storage.postgres import PostgresDatabase
from bot.storage.records import Row, aware_utc, utc_text

log = logging.getLogger(__name__)

#: The key of the advisory lock held while storing a revision ("artsakhD").
STORE_LOCK = int.from_bytes(b"artsakhD", "big")
RECONNECT = Backoff(first=1.0, cap=30.0)
CHECK_SECONDS = 30.0  # how often the listening connection is checked (a half-open one never ends)
Sleep = Callable[[float], Awaitable[None]]

_VERSION_COLUMNS = "revision, version, digest, source, reloaded_by, reloaded_at"
#: A file's row, added only when the last value is true (see :meth:`SqliteDatasetLedger.store`).
_SQLITE_INSERT_FILE = "INSERT INTO dataset_files (revision, kind, sha256, content) SELECT ?, ?, ?, ? WHERE ?"


def _file_columns(with_files: bool) -> str:
    """The columns of a revision's files: their texts only when asked (megabytes each at scale)."""
    return "kind, sha256, content" if with_files else "kind, sha256, NULL AS content"


def _kind(value: str) -> FileKind:
    for kind in FILE_NAMES:
        if kind == value:
            return kind
    raise ValueError(f"unknown dataset file kind {value!r}")


def _version(row: Row, files: Iterable[Row], *, with_files: bool) -> StoredVersion:
    when = row["reloaded_at"]
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when)
    files = list(files)
    contents = {_kind(f["kind"]): f["content"] for f in files}
    complete = with_files and bool(contents) and all(text is not None for text in contents.values())
    return StoredVersion(
        revision=int(row["revision"]),
        version=str(row["version"]),
        digest=str(row["digest"]),
        source=str(row["source"]),
        reloaded_by=str(row["reloaded_by"]),
        reloaded_at=aware_utc(when),
        hashes={_kind(f["kind"]): str(f["sha256"]) for f in files},
        files={kind: str(text).encode("utf-8") for kind, text in contents.items()} if complete else None,
    )


def _texts(files: DataFiles) -> list[tuple[FileKind, str, str]]:
    """Each file's kind, hash and text (the caller checked that they are UTF-8 text)."""
    return [(kind, file_hash(data), data.decode("utf-8")) for kind, data in sorted(files.items())]


class SqliteDatasetLedger:
    """The accepted datasets in the SQLite state (one process: nobody to tell)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def shared(self) -> bool:
        """False: a SQLite state belongs to one process."""
        return False

    async def store(
        self, files: DataFiles, *, version: str, source: str, by: str, at: dt.datetime, keep: int
    ) -> StoredVersion:
        """Store ``files`` as a new revision, keeping the texts of the newest ``keep``."""
        digest = files_digest(files)
        async with self._db.transaction() as conn:
            rows = list(await conn.execute_fetchall(
                "INSERT INTO dataset_versions (version, digest, source, reloaded_by, reloaded_at) "
                "VALUES (?, ?, ?, ?, ?) "
                "RETURNING revision, version, digest, source, reloaded_by, reloaded_at",
                (version, digest, source, by, utc_text(at)),
            ))
            revision = int(rows[0]["revision"])
            texts = _texts(files)
            rows_in = [(revision, kind, sha, text, 1) for kind, sha, text in texts]
            await conn.executemany(_SQLITE_INSERT_FILE, rows_in)
            # SQLite keeps a statement's last bound values until they are bound again, and CPython's
            # sqlite3 keeps its statements for the life of the connection: the last text (megabytes
            # at scale) would stay in memory. Bound again with NULLs, it goes (and no row is added).
            await conn.execute(_SQLITE_INSERT_FILE, (None, None, None, None, 0))
            await conn.execute(
                "UPDATE dataset_files SET content = NULL WHERE content IS NOT NULL AND revision NOT IN "
                "(SELECT revision FROM dataset_versions ORDER BY revision DESC LIMIT ?)",
                (keep,),
            )
        hashes = [{"kind": kind, "sha256": sha, "content": text} for kind, sha, text in texts]
        return _version(rows[0], hashes, with_files=True)

    async def _files(self, revision: int, *, with_files: bool) -> list[Row]:
        return list(await self._db.fetchall(
            f"SELECT {_file_columns(with_files)} FROM dataset_files WHERE revision = ?", (revision,)  # noqa: S608
        ))

    async def _stored(self, row: Row, *, with_files: bool) -> StoredVersion:
        files = await self._files(int(row["revision"]), with_files=with_files)
        return _version(row, files, with_files=with_files)

    async def _one(self, where: str, params: tuple[Any, ...], *, with_files: bool) -> StoredVersion | None:
        row = await self._db.fetchone(
            f"SELECT {_VERSION_COLUMNS} FROM dataset_versions {where} ORDER BY revision DESC LIMIT 1",  # noqa: S608
            params,
        )
        if row is None:
            return None
        return await self._stored(row, with_files=with_files)

    async def latest(self, *, with_files: bool = False) -> StoredVersion | None:
        """The newest revision (with its files if asked), or None."""
        return await self._one("", (), with_files=with_files)

    async def find(self, digest: str) -> StoredVersion | None:
        """The newest revision whose files have ``digest``, or None."""
        return await self._one("WHERE digest = ?", (digest,), with_files=False)

    async def get(self, revision: int) -> StoredVersion | None:
        """Stored ``revision`` with its files (None when pruned), or None."""
        return await self._one("WHERE revision = ?", (revision,), with_files=True)

    async def history(self, limit: int = 20) -> list[StoredVersion]:
        """The newest revisions first (without the files)."""
        rows = await self._db.fetchall(
            f"SELECT {_VERSION_COLUMNS} FROM dataset_versions ORDER BY revision DESC LIMIT ?",  # noqa: S608
            (limit,),
        )
        return [await self._stored(row, with_files=False) for row in rows]

    async def watch(self, wake: Callable[[int | None], None]) -> None:
        """Nothing to watch: no other process uses this database."""
        return


class PostgresDatasetLedger:
    """The accepted datasets in the PostgreSQL state, announced with ``NOTIFY`` to every process."""

    def __init__(self, db: PostgresDatabase, *, sleep: Sleep = asyncio.sleep) -> None:
        self._db = db
        self._sleep = sleep

    @property
    def shared(self) -> bool:
        """True: other processes may use this database."""
        return True

    async def store(
        self, files: DataFiles, *, version: str, source: str, by: str, at: dt.datetime, keep: int
    ) -> StoredVersion:
        """Store ``files`` as a new revision, announce it, keep the texts of the newest ``keep``."""
        digest = files_digest(files)
        texts = _texts(files)
        async with self._db.transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", STORE_LOCK)
            row = await conn.fetchrow(
                "INSERT INTO dataset_versions (version, digest, source, reloaded_by, reloaded_at) "
                "VALUES ($1, $2, $3, $4, $5) "
                "RETURNING revision, version, digest, source, reloaded_by, reloaded_at",
                version, digest, source, by, aware_utc(at),
            )
            assert row is not None
            revision = int(row["revision"])
            await conn.executemany(
                "INSERT INTO dataset_files (revision, kind, sha256, content) VALUES ($1, $2, $3, $4)",
                [(revision, kind, sha, text) for kind, sha, text in texts],
            )
            await conn.execute(
                "UPDATE dataset_files SET content = NULL WHERE content IS NOT NULL AND revision NOT IN "
                "(SELECT revision FROM dataset_versions ORDER BY revision DESC LIMIT $1)",
                keep,
            )
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, str(revision))
        hashes = [{"kind": kind, "sha256": sha, "content": text} for kind, sha, text in texts]
        return _version(row, hashes, with_files=True)

    async def _files(self, revision: int, *, with_files: bool) -> list[Row]:
        return list(await self._db.fetchall(
            f"SELECT {_file_columns(with_files)} FROM dataset_files WHERE revision = $1", revision  # noqa: S608
        ))

    async def _stored(self, row: Row, *, with_files: bool) -> StoredVersion:
        files = await self._files(int(row["revision"]), with_files=with_files)
        return _version(row, files, with_files=with_files)

    async def latest(self, *, with_files: bool = False) -> StoredVersion | None:
        """The newest revision (with its files if asked), or None."""
        row = await self._db.fetchone(
            f"SELECT {_VERSION_COLUMNS} FROM dataset_versions ORDER BY revision DESC LIMIT 1"  # noqa: S608
        )
        if row is None:
            return None
        return await self._stored(row, with_files=with_files)

    async def get(self, revision: int) -> StoredVersion | None:
        """Stored ``revision`` with its files (None when pruned), or None."""
        row = await self._db.fetchone(
            f"SELECT {_VERSION_COLUMNS} FROM dataset_versions WHERE revision = $1", revision  # noqa: S608
        )
        if row is None:
            return None
        return await self._stored(row, with_files=True)

    async def find(self, digest: str) -> StoredVersion | None:
        """The newest revision whose files have ``digest``, or None."""
        row = await self._db.fetchone(
            f"SELECT {_VERSION_COLUMNS} FROM dataset_versions WHERE digest = $1 "  # noqa: S608
            "ORDER BY revision DESC LIMIT 1",
            digest,
        )
        if row is None:
            return None
        return await self._stored(row, with_files=False)

    async def history(self, limit: int = 20) -> list[StoredVersion]:
        """The newest revisions first (without the files)."""
        rows = await self._db.fetchall(
            f"SELECT {_VERSION_COLUMNS} FROM dataset_versions ORDER BY revision DESC LIMIT $1",  # noqa: S608
            limit,
        )
        return [await self._stored(row, with_files=False) for row in rows]

    async def watch(self, wake: Callable[[int | None], None]) -> None:
        """``LISTEN`` on a connection of its own until cancelled; reconnect when it is lost.

        ``wake(None)`` after every (re)connection: what was announced meanwhile was missed.
        """
        failures = 0
        while True:
            try:
                conn = await self._db.dedicated_connection()
            except Exception as err:  # unreachable, refused, timed out: tried again, never given up
                failures += 1
                delay = RECONNECT.delay(failures)
                log.warning(
                    "Cannot listen for dataset reloads (%s); trying again in %.0f s",
                    err or type(err).__name__, delay,
                )
                await self._sleep(delay)
                continue
            try:
                lost = asyncio.Event()
                conn.add_termination_listener(_setter(lost))
                await conn.add_listener(CHANNEL, _announced(wake))
                if failures:
                    log.info("Listening for dataset reloads again")
                failures = 0
                wake(None)  # catch up on anything announced while not listening
                await _until_lost(conn, lost)
            except Exception as err:  # the connection broke under the check or the LISTEN
                log.warning("The connection listening for dataset reloads failed: %s", err)
            finally:
                with contextlib.suppress(Exception):
                    await conn.close(timeout=1)
            failures += 1
            log.warning("Lost the database connection listening for dataset reloads; reconnecting")
            await self._sleep(RECONNECT.delay(failures))


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    """A termination listener that sets ``event``."""
    return lambda _conn: event.set()


def _announced(wake: Callable[[int | None], None]) -> Any:  # noqa: ANN401 - asyncpg's listener type
    """A ``LISTEN`` callback passing the announced revision to ``wake``."""

    def announced(_conn: object, _pid: int, _channel: str, payload: object) -> None:
        text = str(payload)
        wake(int(text) if text.isdigit() else None)

    return announced


async def _until_lost(conn: asyncpg.Connection, lost: asyncio.Event) -> None:
    """Return when ``conn`` is lost: its termination, or a check every CHECK_SECONDS that fails."""
    while not lost.is_set() and not conn.is_closed():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(lost.wait(), timeout=CHECK_SECONDS)
            return
        await conn.fetchval("SELECT 1", timeout=CHECK_SECONDS)


def dataset_ledger(db: Database | PostgresDatabase) -> DatasetLedger:
    """The dataset ledger on ``db``'s backend."""
    if isinstance(db, PostgresDatabase):
        return PostgresDatasetLedger(db)
    return SqliteDatasetLedger(db)
