"""Servers' settings (``/settings``) on both state backends, each change kept with who and when.

Implements :class:`bot.core.settings.SettingsStore` over SQLite (:class:`SqliteSettingsStore`) and
PostgreSQL (:class:`PostgresSettingsStore`): the same tables (migration "server settings and their
changes"), one transaction per change: the new value and its line in ``guild_settings_log``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bot.core.settings import (
    AnswersMode,
    GuildSettings,
    Setting,
    SettingChange,
    SettingsStore,
    checked_value,
)
from bot.storage.database import Database
from bot.storage.postgres import PostgresDatabase
from bot.storage.records import aware_utc, checked_timezone, utc_text

log = logging.getLogger(__name__)

_COLUMNS: dict[Setting, str] = {"language": "language", "timezone": "timezone", "answers": "answers"}


def _value(setting: Setting, value: str | None) -> str | None:
    checked = checked_value(setting, value)
    if setting == "timezone" and checked is not None:
        checked_timezone(checked)
    return checked


def _settings(guild_id: int, row: Any) -> GuildSettings:  # noqa: ANN401 - a row of either backend
    if row is None:
        return GuildSettings(guild_id)
    answers: AnswersMode | None = None
    if row["answers"] == "private":
        answers = "private"
    elif row["answers"] == "public":
        answers = "public"
    return GuildSettings(guild_id, row["language"], row["timezone"], answers)


def _change(row: Any) -> SettingChange:  # noqa: ANN401 - a row of either backend
    when = row["changed_at"]
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when)
    setting: Setting = "language"
    for name in _COLUMNS:
        if row["setting"] == name:
            setting = name
    return SettingChange(
        int(row["guild_id"]),
        setting,
        row["old_value"],
        row["new_value"],
        int(row["changed_by"]),
        aware_utc(when),
    )


def _logged(change: SettingChange) -> SettingChange:
    log.info(
        "Guild %d: %s changed from %s to %s by user %d",
        change.guild_id,
        change.setting,
        change.old or "(default)",
        change.new or "(default)",
        change.changed_by,
    )
    return change


KEPT = 10_000  # servers whose settings a SQLite store keeps in memory (the most recently read)


class SqliteSettingsStore:
    """Servers' settings in the SQLite state.

    Every interaction reads its server's settings, so they are kept in memory once read: the
    SQLite file belongs to this one process (it holds the file's lock) and every change goes
    through :meth:`change`, which drops the kept copy. (PostgreSQL's state is shared by several
    processes, each of which may change a setting: that store reads the database every time.)
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._kept: dict[int, GuildSettings] = {}
        self._changes = 0  # changes made so far: a read that overlapped one is not kept

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings (all None when it never set any)."""
        kept = self._kept.get(guild_id)
        if kept is not None:
            return kept
        changes = self._changes
        row = await self._db.fetchone("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        settings = _settings(guild_id, row)
        if changes == self._changes:
            if len(self._kept) >= KEPT:
                del self._kept[next(iter(self._kept))]  # the one kept longest
            self._kept[guild_id] = settings
        return settings

    async def change(
        self, guild_id: int, setting: Setting, value: str | None, *, by: int, now: dt.datetime
    ) -> SettingChange:
        """Set (or with None, reset) one setting and keep the change, in one transaction."""
        column = _COLUMNS[setting]
        new = _value(setting, value)
        stamp = utc_text(now)
        async with self._db.transaction() as conn:
            rows = list(await conn.execute_fetchall(
                f"SELECT {column} AS old FROM guild_settings WHERE guild_id = ?", (guild_id,)  # noqa: S608
            ))
            old = rows[0]["old"] if rows else None
            await conn.execute(
                f"INSERT INTO guild_settings (guild_id, {column}, updated_by, updated_at) "  # noqa: S608
                f"VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column}, "
                "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (guild_id, new, by, stamp),
            )
            await conn.execute(
                "INSERT INTO guild_settings_log"
                " (guild_id, setting, old_value, new_value, changed_by, changed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, setting, old, new, by, stamp),
            )
        self._changes += 1
        self._kept.pop(guild_id, None)
        return _logged(SettingChange(guild_id, setting, old, new, by, aware_utc(now)))

    async def history(self, guild_id: int, limit: int = 20) -> list[SettingChange]:
        """The server's latest changes, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM guild_settings_log WHERE guild_id = ? ORDER BY id DESC LIMIT ?", (guild_id, limit)
        )
        return [_change(row) for row in rows]


class PostgresSettingsStore:
    """Servers' settings in the PostgreSQL state."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings (all None when it never set any)."""
        row = await self._db.fetchone("SELECT * FROM guild_settings WHERE guild_id = $1", guild_id)
        return _settings(guild_id, row)

    async def change(
        self, guild_id: int, setting: Setting, value: str | None, *, by: int, now: dt.datetime
    ) -> SettingChange:
        """Set (or with None, reset) one setting and keep the change, in one transaction."""
        column = _COLUMNS[setting]
        new = _value(setting, value)
        stamp = aware_utc(now)
        async with self._db.transaction() as conn:
            old = await conn.fetchval(
                f"SELECT {column} FROM guild_settings WHERE guild_id = $1 FOR UPDATE", guild_id  # noqa: S608
            )
            await conn.execute(
                f"INSERT INTO guild_settings AS g (guild_id, {column}, updated_by, updated_at) "  # noqa: S608
                f"VALUES ($1, $2, $3, $4) ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column}, "
                "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                guild_id, new, by, stamp,
            )
            await conn.execute(
                "INSERT INTO guild_settings_log"
                " (guild_id, setting, old_value, new_value, changed_by, changed_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                guild_id, setting, old, new, by, stamp,
            )
        return _logged(SettingChange(guild_id, setting, old, new, by, stamp))

    async def history(self, guild_id: int, limit: int = 20) -> list[SettingChange]:
        """The server's latest changes, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM guild_settings_log WHERE guild_id = $1 ORDER BY id DESC LIMIT $2", guild_id, limit
        )
        return [_change(row) for row in rows]


def settings_store(db: Database | PostgresDatabase) -> SettingsStore:
    """The settings store on ``db``'s backend."""
    if isinstance(db, PostgresDatabase):
        return PostgresSettingsStore(db)
    return SqliteSettingsStore(db)
