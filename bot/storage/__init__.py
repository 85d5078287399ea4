"""SQLite state: the database, its migrations and the daily-post subscriptions."""

from bot.core.subscriptions import EMPTY_DAY_CHOICES, EmptyDay, PendingPost, Subscription
from bot.storage.database import MIGRATIONS, Database, Migration, SchemaTooNewError
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
