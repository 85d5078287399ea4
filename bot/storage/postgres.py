"""The bot's state on PostgreSQL (``storage.url = postgresql://…``): a connection pool and the migrations.

The same schema as on SQLite (:mod:`bot.storage.migrations`, each step in both dialects).
Several processes may start together against one server: the migrations run under a session
advisory lock (``pg_advisory_lock``), so exactly one process applies each missing step and the
others find the schema up to date. The applied steps are rows of ``schema_migrations``.

Every write is atomic: one statement, or a block in :meth:`PostgresDatabase.transaction`.
The password is passed to the driver on its own, never inside the URL this module keeps,
logs or puts in an error.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeAlias

import asyncpg

from bot.core.urls import without_password
from bot.storage.migrations import MIGRATIONS, Migration, too_new

log = logging.getLogger(__name__)

#: The key of the advisory lock held while migrating (the bigint key space; "artsakhM").
MIGRATION_LOCK = int.from_bytes(b"artsakhM", "big")
SERVER_SETTINGS = {"application_name": "artsakh-bot", "timezone": "UTC"}

Record = asyncpg.Record
if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Connection: TypeAlias = PoolConnectionProxy[Record]  # a pooled connection, as the blocks get it


class PostgresDatabase:
    """An open PostgreSQL database. Create it with :meth:`open`; close it with :meth:`close`."""

    def __init__(
        self, pool: asyncpg.Pool, url: str, connect: Callable[[], Awaitable[asyncpg.Connection]] | None = None
    ) -> None:
        self._pool = pool
        self._url = url
        self._connect = connect

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        password: str | None = None,
        migrations: Sequence[Migration] = MIGRATIONS,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
    ) -> PostgresDatabase:
        """Connect to ``url`` (``postgresql://user@host:port/db``) and migrate the schema.

        ``password``, when given, is used instead of one in the URL. Raises
        :class:`~bot.storage.migrations.SchemaTooNewError` if the database is newer than
        ``migrations``, and asyncpg's or the OS's errors when the server cannot be reached.
        """
        safe = without_password(url)
        pool = await asyncpg.create_pool(
            url, password=password, min_size=min_size, max_size=max_size, timeout=timeout,
            command_timeout=60, server_settings=SERVER_SETTINGS,
        )  # fmt: skip
        connect = functools.partial(
            asyncpg.connect, url, password=password, timeout=timeout, server_settings=SERVER_SETTINGS
        )
        db = cls(pool, safe, connect)
        try:
            await db._migrate(migrations)
        except BaseException:
            await pool.close()
            raise
        return db

    @property
    def url(self) -> str:
        """Where the database is, without the password."""
        return self._url

    async def dedicated_connection(self) -> asyncpg.Connection:
        """A new connection of its own, outside the pool (for ``LISTEN``); the caller closes it."""
        if self._connect is None:
            raise RuntimeError("this database was not opened with PostgresDatabase.open")
        return await self._connect()

    async def close(self) -> None:
        """Close every connection (waits for running queries)."""
        await self._pool.close()

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
    async def connection(self) -> AsyncIterator[Connection]:
        """A connection of the pool for the block (each statement its own transaction)."""
        async with self._pool.acquire() as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """Run the block as one transaction (READ COMMITTED); commit on success, roll back on any error."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    async def execute(self, sql: str, *args: Any) -> list[Record]:  # noqa: ANN401 - any SQL value
        """Run one statement as its own (atomic) transaction; returns its rows (``RETURNING``)."""
        return list(await self._pool.fetch(sql, *args))

    async def fetchall(self, sql: str, *args: Any) -> list[Record]:  # noqa: ANN401 - any SQL value
        """Run a read query and return every row."""
        return list(await self._pool.fetch(sql, *args))

    async def fetchone(self, sql: str, *args: Any) -> Record | None:  # noqa: ANN401 - any SQL value
        """Run a read query and return its first row, or None."""
        return await self._pool.fetchrow(sql, *args)

    async def schema_version(self) -> int:
        """The applied schema version (the highest step in ``schema_migrations``)."""
        async with self._pool.acquire() as conn:
            return await _current_version(conn)

    async def get_meta(self, key: str) -> str | None:
        """The value stored under ``key`` in the ``meta`` table, or None."""
        value = await self._pool.fetchval("SELECT value FROM meta WHERE key = $1", key)
        return None if value is None else str(value)

    async def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` (replacing any old value)."""
        await self._pool.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            value,
        )

    async def delete_meta(self, key: str) -> bool:
        """Remove ``key``; True if it was there."""
        return bool(await self._pool.fetch("DELETE FROM meta WHERE key = $1 RETURNING key", key))

    async def meta_keys(self, prefix: str) -> list[str]:
        """Every key of the ``meta`` table that starts with ``prefix``, sorted."""
        rows = await self._pool.fetch(
            'SELECT key FROM meta WHERE starts_with(key, $1) ORDER BY key COLLATE "C"', prefix
        )
        return [str(row["key"]) for row in rows]

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        """Bring the schema up to ``len(migrations)``, one process at a time, in one transaction."""
        target = len(migrations)
        async with self._pool.acquire() as conn:
            # A session lock, waited for: a second process starting now blocks here until the
            # first has committed, then finds nothing left to do.
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                async with conn.transaction():
                    await conn.execute(
                        """
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            version    INTEGER     PRIMARY KEY,
                            name       TEXT        NOT NULL,
                            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                        )
                        """
                    )
                    current = await _current_version(conn)
                    if current > target:
                        raise too_new(self._url, current, target)
                    for version in range(current + 1, target + 1):
                        step = migrations[version - 1]
                        log.info("Migrating %s to schema version %d: %s", self._url, version, step.name)
                        for statement in step.statements("postgresql"):
                            await conn.execute(statement)
                        await conn.execute(
                            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                            version,
                            step.name,
                        )
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


async def _current_version(conn: Connection) -> int:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))
