"""The bot's state: SQLite (the default) or PostgreSQL, the same schema and migrations on both.

:func:`bot.storage.state.open_state` opens the backend ``storage.url`` names; each backend has
its database (:class:`Database`, :class:`PostgresDatabase`) and its implementation of the
core's :class:`bot.core.subscriptions.SubscriptionStore`.

The names below are imported on first use, so a module of this package that needs no
database (the heartbeat, read by ``python -m bot health``) loads none.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.subscriptions import EMPTY_DAY_CHOICES, EmptyDay, PendingPost, Subscription
    from bot.storage.database import Database
    from bot.storage.migrations import MIGRATIONS, Migration, SchemaTooNewError
    from bot.storage.subscriptions import SubscriptionStore

_WHERE = {
    "EMPTY_DAY_CHOICES": "bot.core.subscriptions",
    "EmptyDay": "bot.core.subscriptions",
    "PendingPost": "bot.core.subscriptions",
    "Subscription": "bot.core.subscriptions",
    "Database": "bot.storage.database",
    "MIGRATIONS": "bot.storage.migrations",
    "Migration": "bot.storage.migrations",
    "SchemaTooNewError": "bot.storage.migrations",
    "SubscriptionStore": "bot.storage.subscriptions",
}

__all__ = [
    "EMPTY_DAY_CHOICES",
    "MIGRATIONS",
    "Database",
    "EmptyDay",
    "Migration",
    "PendingPost",
    "SchemaTooNewError",
    "Subscription",
    "SubscriptionStore",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the named module holds
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
