"""The heartbeat file: the bot writes the time into it while connected to Discord.

``python -m bot health`` (the Docker ``HEALTHCHECK``) reads it: fresh means the gateway was
connected within :data:`MAX_AGE_SECONDS`. The file sits in the state folder (next to the SQLite
database, or ``state/`` with PostgreSQL); the bot
writes it every :data:`BEAT_SECONDS` while connected, and removes it when it stops.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.core.files import atomic_write

HEARTBEAT_FILE = "heartbeat"
BEAT_SECONDS = 20.0
MAX_AGE_SECONDS = 90.0  # a few missed beats; a reconnect usually takes seconds


def heartbeat_path(state_dir: Path) -> Path:
    """Where the bot whose own files are in ``state_dir`` keeps its heartbeat."""
    return state_dir / HEARTBEAT_FILE


def write_beat(path: Path, when: dt.datetime) -> None:
    """Record ``when`` (aware) as the last moment the bot was connected; atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (when.astimezone(dt.UTC).isoformat() + "\n").encode())


def clear_beat(path: Path) -> None:
    """Remove the heartbeat (the bot stopped): the health check fails at once."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@dataclass(frozen=True, slots=True)
class Health:
    """The health check's verdict and its one line."""

    ok: bool
    line: str


def check_health(path: Path, now: dt.datetime, max_age: float = MAX_AGE_SECONDS) -> Health:
    """Healthy when the heartbeat in ``path`` is at most ``max_age`` seconds old at ``now``."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return Health(False, f"unhealthy: no heartbeat at {path} (the bot is stopped or not connected yet)")
    except (OSError, UnicodeDecodeError) as err:
        return Health(False, f"unhealthy: cannot read the heartbeat {path}: {err}")
    try:
        beat = dt.datetime.fromisoformat(text)
    except ValueError:
        beat = None
    if beat is None or beat.tzinfo is None:
        return Health(False, f"unhealthy: {path} does not hold a heartbeat time ({text[:40]!r})")
    age = (now - beat).total_seconds()
    if age > max_age:
        last = f"{beat.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
        return Health(False, f"unhealthy: not connected to Discord for {_span(age)} (last heartbeat {last})")
    if age < -max_age:
        return Health(False, f"unhealthy: the heartbeat is {_span(-age)} in the future; check the clock")
    return Health(True, f"healthy: connected to Discord, last heartbeat {_span(max(age, 0.0))} ago")


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
