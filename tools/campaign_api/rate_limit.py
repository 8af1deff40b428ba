"""A naive in-memory sliding-window rate limiter, keyed by whatever the caller chooses (a client IP here).

It lives in one process: several API workers each count on their own, and a restart forgets everything. That
is enough to slow a script hammering the public lead form; a shared limiter belongs in the gateway.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from threading import Lock


class SlidingWindowLimiter:
    """At most ``limit`` hits per key within any ``window_s`` seconds."""

    def __init__(
        self,
        *,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if limit < 1 or window_s <= 0 or max_keys < 1:
            raise ValueError("limit and max_keys must be ≥ 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = Lock()  # sync routes run in a thread pool, so two requests may count at once

    def allow(self, key: str) -> bool:
        """Count one hit for ``key``; False (and not counted) when the key is over its limit."""
        with self._lock:
            now = self._clock()
            hits = self._hits.get(key)
            if hits is None:
                self._make_room(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def retry_after_s(self, key: str) -> int:
        """Whole seconds until ``key`` may try again (0 when it may now)."""
        with self._lock:
            hits = self._hits.get(key)
            if not hits or len(hits) < self.limit:
                return 0
            return max(1, int(hits[0] + self.window_s - self._clock() + 0.999))

    def _make_room(self, now: float) -> None:
        """Forget keys with no recent hits; if still full, the oldest-seen key goes, bounding memory."""
        if len(self._hits) < self._max_keys:
            return
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window_s]:
            del self._hits[key]
        while len(self._hits) >= self._max_keys:
            del self._hits[next(iter(self._hits))]
