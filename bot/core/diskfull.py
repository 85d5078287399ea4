"""Recognising a full disk, whichever layer hit it: SQLite, PostgreSQL or the file system.

SQLite says "database or disk is full", PostgreSQL ``disk_full`` (SQLSTATE 53100), a file
write ENOSPC or EDQUOT.

Used by the data store (saving an upload) and by the Discord error handler, so a full disk
reaches people as "the bot's storage is full" instead of "something went wrong".
"""

from __future__ import annotations

import errno

STORAGE_FULL = "the bot's storage is full"
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SQLITE_FULL = 13  # SQLite's result code for "database or disk is full"
_SQLITE_FULL_TEXT = "database or disk is full"
POSTGRES_DISK_FULL = "53100"  # PostgreSQL's SQLSTATE disk_full (asyncpg's DiskFullError)


def is_disk_full(error: BaseException | None) -> bool:
    """True when ``error``, or an error it was raised from, says the disk (or the database) is full."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS:
            return True
        # sqlite3.Error (not imported: the core has no storage dependency)
        if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL or _SQLITE_FULL_TEXT in str(error):
            return True
        # asyncpg's PostgresError (not imported either)
        if getattr(error, "sqlstate", None) == POSTGRES_DISK_FULL:
            return True
        error = error.__cause__ or error.__context__
    return False
