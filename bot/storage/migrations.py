"""The schema of the bot's state, as numbered migrations declared once for both backends.

Each :class:`Migration` is one step, with its statements for SQLite and for PostgreSQL: the same
tables, columns, keys and constraints, in each dialect's types (SQLite keeps dates and times as
ISO text; PostgreSQL as ``DATE``, ``TIME`` and ``TIMESTAMPTZ``, and Discord ids as ``BIGINT``).
Step ``n`` takes the schema from version ``n - 1`` to ``n``; a new step is appended, never edited.
Each backend applies the missing steps in one transaction when the database is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Dialect = Literal["sqlite", "postgresql"]


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: a name for the log and its statements in each dialect.

    ``postgresql`` None: the SQLite statements are valid PostgreSQL too.
    """

    name: str
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...] | None = None

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        """The statements to run on ``dialect``."""
        if dialect == "postgresql" and self.postgresql is not None:
            return self.postgresql
        return self.sqlite


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the bot."""


def too_new(where: str, current: int, target: int) -> SchemaTooNewError:
    """The error for a database at schema ``current`` opened by a bot knowing up to ``target``."""
    return SchemaTooNewError(
        f"{where} has schema version {current}, but this bot only knows versions up to {target}. "
        "Upgrade the bot or use another state database."
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "meta table and daily subscriptions",
        sqlite=(
            """
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE daily_subscriptions (
                channel_id       INTEGER PRIMARY KEY,
                guild_id         INTEGER NOT NULL,
                post_time        TEXT    NOT NULL,
                timezone         TEXT    NOT NULL,
                empty_day        TEXT    NOT NULL CHECK (empty_day IN ('upcoming', 'skip')),
                created_by       INTEGER NOT NULL,
                created_at       TEXT    NOT NULL,
                updated_at       TEXT    NOT NULL,
                last_posted_date TEXT,
                last_posted_at   TEXT,
                last_message_ids TEXT    NOT NULL DEFAULT '',
                paused_reason    TEXT,
                paused_at        TEXT,
                last_error       TEXT,
                last_error_at    TEXT
            )
            """,
            "CREATE INDEX daily_subscriptions_guild ON daily_subscriptions (guild_id)",
            """
            CREATE TABLE daily_pending (
                channel_id INTEGER PRIMARY KEY
                           REFERENCES daily_subscriptions (channel_id) ON DELETE CASCADE,
                local_date TEXT    NOT NULL,
                nonce      TEXT    NOT NULL,
                started_at TEXT    NOT NULL,
                attempts   INTEGER NOT NULL DEFAULT 1
            )
            """,
        ),
        postgresql=(
            """
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE daily_subscriptions (
                channel_id       BIGINT      PRIMARY KEY,
                guild_id         BIGINT      NOT NULL,
                post_time        TIME        NOT NULL,
                timezone         TEXT        NOT NULL,
                empty_day        TEXT        NOT NULL CHECK (empty_day IN ('upcoming', 'skip')),
                created_by       BIGINT      NOT NULL,
                created_at       TIMESTAMPTZ NOT NULL,
                updated_at       TIMESTAMPTZ NOT NULL,
                last_posted_date DATE,
                last_posted_at   TIMESTAMPTZ,
                last_message_ids TEXT        NOT NULL DEFAULT '',
                paused_reason    TEXT,
                paused_at        TIMESTAMPTZ,
                last_error       TEXT,
                last_error_at    TIMESTAMPTZ
            )
            """,
            "CREATE INDEX daily_subscriptions_guild ON daily_subscriptions (guild_id)",
            """
            CREATE TABLE daily_pending (
                channel_id BIGINT      PRIMARY KEY
                           REFERENCES daily_subscriptions (channel_id) ON DELETE CASCADE,
                local_date DATE        NOT NULL,
                nonce      TEXT        NOT NULL,
                started_at TIMESTAMPTZ NOT NULL,
                attempts   INTEGER     NOT NULL DEFAULT 1
            )
            """,
        ),
    ),
    Migration(
        "first post date of daily subscriptions",
        # The local date of a subscription's first post; NULL (rows from version 1): no limit.
        sqlite=("ALTER TABLE daily_subscriptions ADD COLUMN starts_on TEXT",),
        postgresql=("ALTER TABLE daily_subscriptions ADD COLUMN starts_on DATE",),
    ),
    Migration(
        "leases on pending daily posts",
        # Who is posting (claim_post) and until when; NULL: a single process's begin_post.
        sqlite=(
            "ALTER TABLE daily_pending ADD COLUMN claimed_by TEXT",
            "ALTER TABLE daily_pending ADD COLUMN lease_until TEXT",
        ),
        postgresql=(
            "ALTER TABLE daily_pending ADD COLUMN claimed_by TEXT",
            "ALTER TABLE daily_pending ADD COLUMN lease_until TIMESTAMPTZ",
        ),
    ),
    Migration(
        "server settings and their changes",
        # /settings: NULL is "not set" (the default applies). Every change is kept in guild_settings_log.
        sqlite=(
            """
            CREATE TABLE guild_settings (
                guild_id   INTEGER PRIMARY KEY,
                language   TEXT,
                timezone   TEXT,
                answers    TEXT CHECK (answers IN ('public', 'private')),
                updated_by INTEGER NOT NULL,
                updated_at TEXT    NOT NULL
            )
            """,
            """
            CREATE TABLE guild_settings_log (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                guild_id   INTEGER NOT NULL,
                setting    TEXT    NOT NULL,
                old_value  TEXT,
                new_value  TEXT,
                changed_by INTEGER NOT NULL,
                changed_at TEXT    NOT NULL
            )
            """,
            "CREATE INDEX guild_settings_log_guild ON guild_settings_log (guild_id, id)",
        ),
        postgresql=(
            """
            CREATE TABLE guild_settings (
                guild_id   BIGINT      PRIMARY KEY,
                language   TEXT,
                timezone   TEXT,
                answers    TEXT CHECK (answers IN ('public', 'private')),
                updated_by BIGINT      NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE guild_settings_log (
                id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                guild_id   BIGINT      NOT NULL,
                setting    TEXT        NOT NULL,
                old_value  TEXT,
                new_value  TEXT,
                changed_by BIGINT      NOT NULL,
                changed_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX guild_settings_log_guild ON guild_settings_log (guild_id, id)",
        ),
    ),
    Migration(
        "the dataset versions every process serves",
        # Each accepted reload: its files' text and hash, the dataset's version, who and when
        # (bot/storage/datasets.py). The texts of the newest data.history_keep versions are kept;
        # an older version keeps its row (hashes, who, when) without its files.
        sqlite=(
            """
            CREATE TABLE dataset_versions (
                revision    INTEGER PRIMARY KEY AUTOINCREMENT,
                version     TEXT    NOT NULL,
                digest      TEXT    NOT NULL,
                source      TEXT    NOT NULL,
                reloaded_by TEXT    NOT NULL,
                reloaded_at TEXT    NOT NULL
            )
            """,
            "CREATE INDEX dataset_versions_digest ON dataset_versions (digest, revision)",
            """
            CREATE TABLE dataset_files (
                revision INTEGER NOT NULL REFERENCES dataset_versions (revision) ON DELETE CASCADE,
                kind     TEXT    NOT NULL CHECK (kind IN ('resolutions', 'events', 'non_acts')),
                sha256   TEXT    NOT NULL,
                content  TEXT,
                PRIMARY KEY (revision, kind)
            )
            """,
        ),
        postgresql=(
            """
            CREATE TABLE dataset_versions (
                revision    BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                version     TEXT        NOT NULL,
                digest      TEXT        NOT NULL,
                source      TEXT        NOT NULL,
                reloaded_by TEXT        NOT NULL,
                reloaded_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX dataset_versions_digest ON dataset_versions (digest, revision)",
            """
            CREATE TABLE dataset_files (
                revision BIGINT NOT NULL REFERENCES dataset_versions (revision) ON DELETE CASCADE,
                kind     TEXT   NOT NULL CHECK (kind IN ('resolutions', 'events', 'non_acts')),
                sha256   TEXT   NOT NULL,
                content  TEXT,
                PRIMARY KEY (revision, kind)
            )
            """,
        ),
    ),
    Migration(
        "the live bot processes",
        # One row per running process, written at each heartbeat, removed at a clean stop.
        # shard_ids: "0,1" (empty until the process knows them); latency in seconds.
        sqlite=(
            """
            CREATE TABLE bot_processes (
                process_id      TEXT    PRIMARY KEY,
                host            TEXT    NOT NULL,
                pid             INTEGER NOT NULL,
                shard_ids       TEXT    NOT NULL DEFAULT '',
                shard_count     INTEGER,
                started_at      TEXT    NOT NULL,
                last_beat       TEXT    NOT NULL,
                latency         REAL,
                dataset_version TEXT,
                backlog         INTEGER NOT NULL DEFAULT 0,
                last_error      TEXT,
                last_error_at   TEXT
            )
            """,
        ),
        postgresql=(
            """
            CREATE TABLE bot_processes (
                process_id      TEXT             PRIMARY KEY,
                host            TEXT             NOT NULL,
                pid             INTEGER          NOT NULL,
                shard_ids       TEXT             NOT NULL DEFAULT '',
                shard_count     INTEGER,
                started_at      TIMESTAMPTZ      NOT NULL,
                last_beat       TIMESTAMPTZ      NOT NULL,
                latency         DOUBLE PRECISION,
                dataset_version TEXT,
                backlog         INTEGER          NOT NULL DEFAULT 0,
                last_error      TEXT,
                last_error_at   TIMESTAMPTZ
            )
            """,
        ),
    ),
)
