"""Exponential backoff: how long to wait after the n-th failure in a row, up to a cap.

Used for retrying Discord at start (a few seconds) and for daily posts during an outage
(30 seconds up to 30 minutes per subscription). Pure arithmetic: callers own the clock.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """``first`` seconds after one failure, times ``factor`` after each further one, at most ``cap``."""

    first: float
    cap: float
    factor: float = 2.0

    def __post_init__(self) -> None:
        if self.first <= 0 or self.cap < self.first or self.factor < 1:
            raise ValueError("need 0 < first <= cap and factor >= 1")

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row (1 or more)."""
        if failures < 1:
            return 0.0
        # the exponent is capped so a long outage never overflows a float
        return min(self.cap, self.first * self.factor ** min(failures - 1, 64))
