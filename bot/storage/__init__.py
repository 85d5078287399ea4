"""The bot's state: SQLite (the default) or PostgreSQL, the same schema and migrations on both.

:func:`bot.storage.state.open_state` opens the backend ``storage.url`` names; each backend has
its database (:class:`Database`, :class:`PostgresDatabase`) and its implementation of the
core's :class:`bot.core.subscriptions.SubscriptionStore`.
"""

from bot.core.subscriptions import EMPTY_DAY_CHOICES, EmptyDay, PendingPost, Subscription
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS, Migration, SchemaTooNewError
from bot.storage.subscriptions import SubscriptionStore

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
