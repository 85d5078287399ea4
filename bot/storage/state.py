"""Opening the state the configuration names: a SQLite file, or a PostgreSQL database.

:func:`open_state` is the one way the bot opens its state; :func:`subscription_store` gives
the core's :class:`~bot.core.subscriptions.SubscriptionStore` on either backend.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.subscriptions import SubscriptionStore as SubscriptionStoreProtocol
from bot.storage.database import Database
from bot.storage.postgres import PostgresDatabase
from bot.storage.postgres_subscriptions import PostgresSubscriptionStore
from bot.storage.subscriptions import SubscriptionStore

StateDatabase = Database | PostgresDatabase


async def open_state(
    *, sqlite_path: Path | None = None, postgres_url: str | None = None, password: str | None = None
) -> StateDatabase:
    """Open (and migrate) the state: the SQLite file ``sqlite_path``, or the PostgreSQL ``postgres_url``.

    Exactly one of the two is given. ``password`` (PostgreSQL only) wins over one in the URL.
    """
    if (sqlite_path is None) == (postgres_url is None):
        raise ValueError("give either a SQLite path or a PostgreSQL URL")
    if postgres_url is not None:
        return await PostgresDatabase.open(postgres_url, password=password)
    assert sqlite_path is not None
    return await Database.open(sqlite_path)


def subscription_store(db: StateDatabase) -> SubscriptionStoreProtocol:
    """The subscription store on ``db``'s backend."""
    if isinstance(db, PostgresDatabase):
        return PostgresSubscriptionStore(db)
    return SubscriptionStore(db)


def describe(db: StateDatabase) -> str:
    """Where the state is, for a log line (no password)."""
    return db.url if isinstance(db, PostgresDatabase) else str(db.path or "memory")
