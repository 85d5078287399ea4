"""Per-user command cooldowns: a sliding window that can refund a charge.

A user may run ``per_window`` commands in any ``window_seconds``. A command whose input turned
out to be invalid gives its charge back, so typos never cost anyone a turn. Time comes from the
injected clock, so tests move it by hand.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

import discord

from bot.core.clock import Clock

log = logging.getLogger(__name__)

_PRUNE_EVERY = 1024  # charges between sweeps of idle users


@dataclass(frozen=True, slots=True)
class Charge:
    """One taken turn, so it can be given back exactly once."""

    key: int
    at: float


class Cooldowns:
    """A sliding-window limiter keyed by user id. ``per_window`` 0 disables it."""

    def __init__(self, per_window: int, window_seconds: float, clock: Clock) -> None:
        if per_window < 0 or window_seconds < 0:
            raise ValueError("cooldown numbers cannot be negative")
        self.per_window = per_window
        self.window = float(window_seconds)
        self._clock = clock
        self._log: dict[int, deque[float]] = {}
        self._since_prune = 0

    @property
    def enabled(self) -> bool:
        """False when the configuration turned cooldowns off."""
        return self.per_window > 0 and self.window > 0

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _window_of(self, key: int, now: float) -> deque[float]:
        times = self._log.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def take(self, key: int) -> Charge | float:
        """Charge one turn to ``key``: a :class:`Charge`, or the seconds left to wait."""
        now = self._now()
        if not self.enabled:
            return Charge(key, now)
        times = self._window_of(key, now)
        if len(times) >= self.per_window:
            return max(times[0] + self.window - now, 0.0)
        times.append(now)
        self._since_prune += 1
        if self._since_prune >= _PRUNE_EVERY:
            self._prune(now)
        return Charge(key, now)

    def refund(self, charge: Charge) -> None:
        """Give back one charge (for invalid input or our own failure)."""
        times = self._log.get(charge.key)
        if not times:
            return
        try:
            times.remove(charge.at)
        except ValueError:
            return  # already expired or refunded

    def remaining(self, key: int) -> int:
        """How many turns ``key`` has left in the current window."""
        if not self.enabled:
            return self.per_window
        return self.per_window - len(self._window_of(key, self._now()))

    def _prune(self, now: float) -> None:
        self._since_prune = 0
        for key in [k for k, v in self._log.items() if not v or v[-1] <= now - self.window]:
            del self._log[key]


CHARGE_KEY = "artsakh.cooldown_charge"


def limiter_of(interaction: discord.Interaction[Any]) -> Cooldowns | None:
    """The bot's limiter, when the client has one."""
    limiter = getattr(interaction.client, "cooldowns", None)
    return limiter if isinstance(limiter, Cooldowns) else None


def refund(interaction: discord.Interaction[Any]) -> bool:
    """Give back the turn this interaction was charged, if any; True when one was refunded."""
    charge = interaction.extras.pop(CHARGE_KEY, None)
    limiter = limiter_of(interaction)
    if isinstance(charge, Charge) and limiter is not None:
        limiter.refund(charge)
        return True
    return False
