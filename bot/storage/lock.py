"""One bot process per state file: an exclusive lock taken at start, released when the process ends.

Two processes on one SQLite file would both run the daily scheduler and post twice. ``run``
takes an advisory ``flock`` on ``<database>.lock`` (next to the database) and writes its pid
there; a second process finds the lock held and stops with one line naming that pid. The
kernel drops the lock when the process ends, however it ends (even SIGKILL), so a crash
never leaves a stale lock behind: the file stays, the lock does not.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"


class StateLockedError(Exception):
    """Another process holds the state lock; ``pid`` is the one written in the lock file (or None)."""

    def __init__(self, database: Path, pid: int | None) -> None:
        self.database = database
        self.pid = pid
        who = f"pid {pid}" if pid is not None else "a process whose pid could not be read"
        super().__init__(
            f"Another instance of the bot ({who}) is already using {database}; "
            "stop it first, or give this one its own storage.url."
        )


def lock_path(database: Path) -> Path:
    """Where the lock of ``database`` lives: ``bot.sqlite3`` → ``bot.sqlite3.lock``."""
    return database.with_name(database.name + LOCK_SUFFIX)


def _read_pid(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text else None
    return None


class StateLock:
    """The held lock on a state file; :meth:`release` it (or leave it to the end of the process)."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def acquire(cls, database: Path) -> Self:
        """Lock ``database`` for this process; :class:`StateLockedError` when another one has it."""
        path = lock_path(database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if sys.platform == "win32":  # no flock: one instance per state file is up to the operator
            log.info("No state lock on this platform; run one instance per %s", database)
            return cls(path, None)
        import fcntl  # noqa: PLC0415 - POSIX only

        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise StateLockedError(database, pid) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return cls(path, fd)

    def release(self) -> None:
        """Let another process take the state (the file is kept: removing it would race)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor drops the flock

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
