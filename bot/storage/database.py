"""The bot's SQLite state: one connection, WAL, versioned migrations and a key-value table.

Every write is atomic: one statement (:meth:`Database.execute`, its own transaction) or a block
in :meth:`Database.transaction` (``BEGIN IMMEDIATE`` … ``COMMIT``). Both are serialised by an
asyncio lock, because one aiosqlite connection is shared by every task.
The schema version lives in ``PRAGMA user_version``; :data:`~bot.storage.migrations.MIGRATIONS`
is applied in order, in one transaction, when the database is opened.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.storage.migrations import MIGRATIONS, Migration, too_new

log = logging.getLogger(__name__)

MEMORY = ":memory:"


class Database:
    """An open SQLite database. Create it with :meth:`open`; close it with :meth:`close`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path | None) -> None:
        self._conn = conn
        self._path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout_ms: int = 5000,
    ) -> Database:
        """Open (creating parent folders and the file) and migrate the database at ``path``.

        ``":memory:"`` opens a private in-memory database (no WAL there).
        Raises :class:`~bot.storage.migrations.SchemaTooNewError` if the file is newer than ``migrations``.
        """
        file: Path | None = None
        if os.fspath(path) != MEMORY:
            file = Path(path)
            file.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(file if file is not None else MEMORY, isolation_level=None)
        db = cls(conn, file)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            mode = await db._pragma("journal_mode = WAL")
            if file is not None and str(mode).lower() != "wal":
                log.warning("SQLite refused WAL mode for %s (journal_mode=%s)", file, mode)
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await db._migrate(migrations)
        except BaseException:
            await conn.close()
            raise
        return db

    @property
    def path(self) -> Path | None:
        """The file, or None for an in-memory database."""
        return self._path

    async def close(self) -> None:
        """Close the connection (waits for a running transaction to finish)."""
        async with self._lock:
            await self._conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the block as one write transaction; commit on success, roll back on any error.

        Not re-entrant: do not open a transaction inside another.
        """
        async with self._lock:
            await self._conn.execute_fetchall("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute_fetchall("ROLLBACK")
                raise
            await self._conn.execute_fetchall("COMMIT")

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Run one write statement as its own (atomic) transaction; returns its rows (``RETURNING``)."""
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query and return every row."""
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """Run a read query and return its first row, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def schema_version(self) -> int:
        """The applied schema version (``PRAGMA user_version``)."""
        async with self._lock:
            return int(await self._pragma("user_version"))

    async def journal_mode(self) -> str:
        """The journal mode in use ("wal" for a file database)."""
        async with self._lock:
            return str(await self._pragma("journal_mode")).lower()

    async def foreign_keys(self) -> bool:
        """Whether foreign keys are enforced."""
        async with self._lock:
            return bool(await self._pragma("foreign_keys"))

    async def get_meta(self, key: str) -> str | None:
        """The value stored under ``key`` in the ``meta`` table, or None."""
        row = await self.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    async def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` (replacing any old value)."""
        await self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def delete_meta(self, key: str) -> bool:
        """Remove ``key``; True if it was there."""
        return bool(await self.execute("DELETE FROM meta WHERE key = ? RETURNING key", (key,)))

    async def meta_keys(self, prefix: str) -> list[str]:
        """Every key of the ``meta`` table that starts with ``prefix``, sorted."""
        rows = await self.fetchall(
            "SELECT key FROM meta WHERE substr(key, 1, ?) = ? ORDER BY key", (len(prefix), prefix)
        )
        return [str(row["key"]) for row in rows]

    async def _pragma(self, pragma: str) -> Any:  # noqa: ANN401 - a PRAGMA returns any SQLite value
        async with self._conn.execute(f"PRAGMA {pragma}") as cur:
            row = await cur.fetchone()
        return None if row is None else row[0]

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        """Bring the schema up to ``len(migrations)`` in one transaction."""
        target = len(migrations)
        async with self.transaction():
            current = int(await self._pragma("user_version"))
            if current > target:
                raise too_new(str(self._path or MEMORY), current, target)
            for version in range(current + 1, target + 1):
                step = migrations[version - 1]
                log.info("Migrating %s to schema version %d: %s", self._path or MEMORY, version, step.name)
                for statement in step.statements("sqlite"):
                    await self._conn.execute(statement)
                await self._conn.execute(f"PRAGMA user_version = {version}")
