"""SQLite state: the database, its migrations and the daily-post subscriptions."""

from bot.storage.database import MIGRATIONS, Database, Migration, SchemaTooNewError
from bot.storage.subscriptions import (
    EMPTY_DAY_CHOICES,
    EmptyDay,
    PendingPost,
    Subscription,
    SubscriptionStore,
)

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
