"""Faults and rate limits: injected failures and Discord's 429s."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from .rest.http import Reply, Route, error, path_matches
from .state import ServerState


@dataclass
class Fault:
    """An injected failure for the next matching request(s)."""

    method: str
    pattern: str | re.Pattern[str]
    status: int
    retry_after: float
    global_: bool
    code: int | None
    message: str | None
    times: int
    processed: bool
    drop: bool = False  # close the connection without an answer (a network failure)
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        return path_matches(self.pattern, path)

    def reply(self) -> Reply:
        if self.status == 429:
            body = {
                "message": self.message or "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.global_,
            }
            if self.code is not None:
                body["code"] = self.code
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, int(self.retry_after + 0.999))),
                "X-RateLimit-Scope": "global" if self.global_ else "user",
            }
            if self.global_:
                headers["X-RateLimit-Global"] = "true"
            return Reply(429, body, headers)
        default = {
            400: (50035, "Invalid Form Body"),
            401: (0, "401: Unauthorized"),
            403: (50013, "Missing Permissions"),
            404: (0, "404: Not Found"),
        }.get(self.status, (0, f"{self.status}: Server Error"))
        code = self.code if self.code is not None else default[0]
        return error(self.status, code, self.message or default[1])


class FaultInjection(ServerState):
    """Injected failures: ``fail_next`` and the faults it queues."""

    def fail_next(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        status: int,
        *,
        retry_after: float = 0.25,
        global_: bool = False,
        code: int | None = None,
        message: str | None = None,
        times: int = 1,
        processed: bool = False,
        drop: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status``.

        ``path_pattern``: glob on the path after /api/v10 ("/channels/*/messages") or a compiled regex.
        ``processed=True``: the request takes effect first and only the response is lost (tests retries).
        ``drop=True``: no answer at all: the connection is closed, as when the network fails (the
        client raises ``aiohttp.ServerDisconnectedError``; ``status`` is only recorded).
        """
        fault = Fault(
            method.upper(), path_pattern, status, retry_after, global_, code, message, times, processed, drop
        )
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, path):
                fault.hits += 1
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None


class RateLimits(ServerState):
    """Optional rate limits: per token (``global_rate_limit``) and per channel (``channel_rate_limit``)."""

    def _global_limit(self, route: Route) -> Reply | None:
        """Optional 50 req/s per token sliding window (interaction/webhook endpoints are exempt)."""
        if self.global_rate_limit is None or route.kind != "bot":
            return None
        now = time.monotonic()
        window = self._global_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.global_rate_limit:
            self.global_429_count += 1
            retry_after = round(max(0.001, window[0] + 1.0 - now), 3)
            return Reply(
                429,
                {
                    "message": "You are being rate limited.",
                    "retry_after": retry_after,
                    "global": True,
                    "code": 0,
                },
                {
                    "Via": "1.1 google",
                    "Retry-After": str(max(1, int(retry_after + 0.999))),
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                },
            )
        window.append(now)
        return None

    def _channel_bucket(self, channel_id: int) -> tuple[Reply | None, dict[str, str]]:
        """Optional per-channel message bucket (``channel_rate_limit = (5, 5.0)``), X-RateLimit-* headers."""
        if self.channel_rate_limit is None:
            return None, {}
        limit, period = self.channel_rate_limit
        now = time.monotonic()
        bucket = self._buckets.get(channel_id)
        if bucket is None or now >= bucket[0]:
            bucket = [now + period, float(limit)]
            self._buckets[channel_id] = bucket
        reset_after = max(0.0, bucket[0] - now)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": "fakecord-channel-messages",
        }
        if bucket[1] <= 0:
            self.route_429_count += 1
            headers.update({"X-RateLimit-Remaining": "0", "Via": "1.1 google", "X-RateLimit-Scope": "user"})
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(reset_after, 3),
                "global": False,
            }
            return Reply(429, body, headers), headers
        bucket[1] -= 1
        headers["X-RateLimit-Remaining"] = str(int(bucket[1]))
        return None, headers
