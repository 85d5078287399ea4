"""Opening the state the configuration names: a SQLite file, or a PostgreSQL database.

:func:`open_state` is the one way the bot opens its state; :func:`subscription_store` gives
the core's :class:`~bot.core.subscriptions.SubscriptionStore` on either backend.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from bot.core.daily import SINGLE_PROCESS
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


def post_owner(db: StateDatabase, process_id: str) -> str:
    """The name this process claims daily posts under (:class:`bot.core.daily.DailyScheduler`).

    On PostgreSQL, several processes share the state: each claims under its own id, so two that
    both run a shard get each post once. On SQLite one process holds the state file
    (:mod:`bot.storage.lock`): every start claims under one name, so a restart after a crash
    takes over its predecessor's posts at once, as before there were claims.
    """
    return process_id if isinstance(db, PostgresDatabase) else SINGLE_PROCESS


def describe(db: StateDatabase) -> str:
    """Where the state is, for a log line (no password)."""
    return db.url if isinstance(db, PostgresDatabase) else str(db.path or "memory")


def open_failure(error: BaseException) -> str:
    """Why the state could not be opened, in a few words for a log line (the driver's text otherwise)."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the server running, at that host and port?)"
    if isinstance(error, socket.gaierror):
        return f"the host name could not be resolved ({error.strerror})"
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if isinstance(error, OSError) and error.errno and error.filename is None:  # a file error names its file
        return os.strerror(error.errno)
    return str(error) or type(error).__name__
