"""The list of live bot processes (``bot_processes``) on SQLite and on PostgreSQL.

Implements :class:`bot.core.processes.ProcessRegistry`. Each call is one statement. SQLite keeps
datetimes as ISO text in UTC (which sorts and compares as time does); PostgreSQL as ``TIMESTAMPTZ``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.processes import STALE_AFTER, ProcessRecord, ProcessRegistry
from bot.storage.database import Database
from bot.storage.postgres import PostgresDatabase
from bot.storage.records import aware_utc, utc_text

_COLUMNS = (
    "process_id, host, pid, shard_ids, shard_count, started_at, last_beat, latency, dataset_version, backlog"
)


def _shards_text(ids: tuple[int, ...]) -> str:
    return ",".join(str(int(i)) for i in ids)


def _when(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return aware_utc(value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value))


def _record(row: Any) -> ProcessRecord:  # noqa: ANN401 - a row of either backend
    started, beat = _when(row["started_at"]), _when(row["last_beat"])
    assert started is not None
    assert beat is not None
    latency = row["latency"]
    return ProcessRecord(
        process_id=str(row["process_id"]),
        host=str(row["host"]),
        pid=int(row["pid"]),
        shard_ids=tuple(int(part) for part in str(row["shard_ids"]).split(",") if part),
        shard_count=None if row["shard_count"] is None else int(row["shard_count"]),
        started_at=started,
        last_beat=beat,
        latency=None if latency is None else float(latency),
        dataset_version=row["dataset_version"],
        backlog=int(row["backlog"]),
        last_error=row["last_error"],
        last_error_at=_when(row["last_error_at"]),
    )


class SqliteProcessRegistry:
    """The live processes in SQLite (one process per file, but the same list and the same command)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def beat(self, record: ProcessRecord) -> None:
        """Insert or update the row of ``record`` (its last error is left as it is)."""
        await self._db.execute(
            f"""
            INSERT INTO bot_processes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (process_id) DO UPDATE SET
                host = excluded.host, pid = excluded.pid, shard_ids = excluded.shard_ids,
                shard_count = excluded.shard_count, last_beat = excluded.last_beat,
                latency = excluded.latency, dataset_version = excluded.dataset_version,
                backlog = excluded.backlog
            """,  # noqa: S608 - the column list is a constant
            (
                record.process_id, record.host, record.pid, _shards_text(record.shard_ids),
                record.shard_count, utc_text(record.started_at), utc_text(record.last_beat),
                record.latency, record.dataset_version, record.backlog,
            ),
        )  # fmt: skip

    async def set_error(self, process_id: str, error: str | None, now: dt.datetime) -> bool:
        """Record (None: clear) the process's last error; True if its row exists."""
        stamp = None if error is None else utc_text(now)
        rows = await self._db.execute(
            "UPDATE bot_processes SET last_error = ?, last_error_at = ? WHERE process_id = ? "
            "RETURNING process_id",
            (error, stamp, process_id),
        )
        return bool(rows)

    async def set_dataset_version(self, process_id: str, version: str) -> bool:
        """Record the dataset version the process serves; True if its row exists."""
        rows = await self._db.execute(
            "UPDATE bot_processes SET dataset_version = ? WHERE process_id = ? RETURNING process_id",
            (version, process_id),
        )
        return bool(rows)

    async def live(self, now: dt.datetime, stale_after: dt.timedelta = STALE_AFTER) -> list[ProcessRecord]:
        """The processes that beat at most ``stale_after`` before ``now``, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM bot_processes WHERE last_beat >= ? ORDER BY started_at, process_id",
            (utc_text(now - stale_after),),
        )
        return [_record(row) for row in rows]

    async def remove(self, process_id: str) -> bool:
        """Remove the process's row; True if there was one."""
        rows = await self._db.execute(
            "DELETE FROM bot_processes WHERE process_id = ? RETURNING process_id", (process_id,)
        )
        return bool(rows)


class PostgresProcessRegistry:
    """The live processes in PostgreSQL, shared by every process of the bot."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def beat(self, record: ProcessRecord) -> None:
        """Insert or update the row of ``record`` (its last error is left as it is)."""
        await self._db.execute(
            f"""
            INSERT INTO bot_processes ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (process_id) DO UPDATE SET
                host = excluded.host, pid = excluded.pid, shard_ids = excluded.shard_ids,
                shard_count = excluded.shard_count, last_beat = excluded.last_beat,
                latency = excluded.latency, dataset_version = excluded.dataset_version,
                backlog = excluded.backlog
            """,  # noqa: S608 - the column list is a constant
            record.process_id, record.host, record.pid, _shards_text(record.shard_ids),
            record.shard_count, aware_utc(record.started_at), aware_utc(record.last_beat),
            record.latency, record.dataset_version, record.backlog,
        )  # fmt: skip

    async def set_error(self, process_id: str, error: str | None, now: dt.datetime) -> bool:
        """Record (None: clear) the process's last error; True if its row exists."""
        stamp = None if error is None else aware_utc(now)
        rows = await self._db.execute(
            "UPDATE bot_processes SET last_error = $1, last_error_at = $2 WHERE process_id = $3 "
            "RETURNING process_id",
            error,
            stamp,
            process_id,
        )
        return bool(rows)

    async def set_dataset_version(self, process_id: str, version: str) -> bool:
        """Record the dataset version the process serves; True if its row exists."""
        rows = await self._db.execute(
            "UPDATE bot_processes SET dataset_version = $1 WHERE process_id = $2 RETURNING process_id",
            version,
            process_id,
        )
        return bool(rows)

    async def live(self, now: dt.datetime, stale_after: dt.timedelta = STALE_AFTER) -> list[ProcessRecord]:
        """The processes that beat at most ``stale_after`` before ``now``, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM bot_processes WHERE last_beat >= $1 ORDER BY started_at, process_id",
            aware_utc(now - stale_after),
        )
        return [_record(row) for row in rows]

    async def remove(self, process_id: str) -> bool:
        """Remove the process's row; True if there was one."""
        rows = await self._db.execute(
            "DELETE FROM bot_processes WHERE process_id = $1 RETURNING process_id", process_id
        )
        return bool(rows)


def process_registry(db: Database | PostgresDatabase) -> ProcessRegistry:
    """The list of live processes on ``db``'s backend."""
    if isinstance(db, PostgresDatabase):
        return PostgresProcessRegistry(db)
    return SqliteProcessRegistry(db)
