"""The one reader of times of day (``HH:MM``, 24-hour), and suggestions while one is typed.

Used by ``/daily subscribe`` (its transformer and autocomplete) and by the configuration's
``daily.default_time``.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.core.i18n import N_, _

TIME_HINT = N_("Use a 24-hour time like 09:00.")
MAX_CHOICES = 25
_HHMM = re.compile(r"(\d{1,2})\s*[:.hH]\s*(\d{2})")
_SEPARATORS = re.compile(r"\s*[:.hH]\s*")
# Shown for empty input, and first among the times a prefix allows.
COMMON_TIMES: tuple[dt.time, ...] = tuple(
    dt.time(hour) for hour in (9, 8, 10, 12, 18, 20, 7, 6, 21, 0)
)


def parse_hhmm(text: str) -> dt.time:
    """Parse a 24-hour ``HH:MM`` (also ``9:30``, ``09.30``, ``9h30``); ValueError says how to fix it."""
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        shown = " ".join(text.split())[:20]  # one line, whatever was typed
        if not shown:
            raise ValueError(_(TIME_HINT))
        raise ValueError(_("“{typed}” is not a time. Use a 24-hour time like 09:00.").format(typed=shown))
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(
            _("{time} is not a valid time of day. Use a 24-hour time like 09:00.").format(
                time=f"{match[1]}:{match[2]}"
            )
        )
    return dt.time(hour, minute)


def _minute_rank(minute: int) -> int:
    """Round times first: :00, then :30, then quarters, then the rest."""
    if minute == 0:
        return 0
    if minute == 30:
        return 1
    return 2 if minute % 15 == 0 else 3


def _all_times() -> list[dt.time]:
    common = set(COMMON_TIMES)
    rest = sorted(
        (dt.time(h, m) for h in range(24) for m in range(60) if dt.time(h, m) not in common),
        key=lambda t: (_minute_rank(t.minute), t),
    )
    return [*COMMON_TIMES, *rest]


_ORDERED = _all_times()


def suggest_times(text: str, limit: int = MAX_CHOICES) -> list[str]:
    """``HH:MM`` times that complete what is typed (``9`` → 09:00, 09:30…), best first, at most ``limit``."""
    limit = max(0, min(limit, MAX_CHOICES))
    typed = _SEPARATORS.sub(":", text.strip())[:5]
    if not typed:
        return [f"{t:%H:%M}" for t in COMMON_TIMES][:limit]
    try:
        return [f"{parse_hhmm(text):%H:%M}"][:limit]
    except ValueError:
        pass
    out: list[str] = []
    for time in _ORDERED:
        forms = (f"{time:%H:%M}", f"{time.hour}:{time:%M}", f"{time:%H%M}")
        if any(form.startswith(typed) for form in forms):
            out.append(f"{time:%H:%M}")
            if len(out) >= limit:
                break
    return out
