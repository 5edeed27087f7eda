"""Where the abuse limits are counted: Redis (or this process's memory), in moving windows.

One `Counts` per app, shared by the per-person limits (api/limits.py) and the failed-
authentication lockout (api/lockout.py), over the `limits` library. Counting never fails a
request: a Redis that refuses or hangs (each call gives up after 0.3 s, so a hung broker's
Redis does not hold up the writes the outbox accepts meanwhile) is set aside and the counts go
on in this process's memory; it is tried again 1 s later, then after 2, 4 ... at most 32 s.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from workers.clock import Clock
from workers.settings import Settings

log = logging.getLogger(__name__)

KEY_PREFIX = "interview-calendar"
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
STORAGE_TIMEOUT = 0.3  # seconds, per Redis call
FIRST_RETRY, LAST_RETRY = 1.0, 32.0  # seconds a storage that failed is left alone

T = TypeVar("T")


def storage_url(settings: Settings) -> str:
    """RATE_LIMIT_STORAGE_URL; else a Redis broker's own Redis; else this process's memory."""
    if settings.rate_limit_storage_url:
        return settings.rate_limit_storage_url
    if settings.broker_url and settings.broker_url.startswith(REDIS_SCHEMES):
        return settings.broker_url
    return "memory://"


class Counts:
    """Moving-window counters in one storage, with this process's memory standing in for it
    while it cannot be reached."""

    def __init__(self, url: str, clock: Clock) -> None:
        options: dict[str, float | str | bool] = (
            {"socket_timeout": STORAGE_TIMEOUT, "socket_connect_timeout": STORAGE_TIMEOUT}
            if url.startswith(REDIS_SCHEMES) else {})
        self._storage: Storage = storage_from_string(url, **options)  # type: ignore[assignment]
        self._shared = MovingWindowRateLimiter(self._storage)
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._clock = clock
        self._retry_at: float | None = None  # monotonic time of the next try, while set aside
        self._pause = FIRST_RETRY
        self._trying = threading.Lock()  # one request tries the storage, the others go on

    def spend(self, item: RateLimitItem, *identifiers: str) -> float | None:
        """Count one more under `item`: None once counted; if it would pass the limit, nothing
        is counted and the answer is when the window lets one more in (Unix time)."""
        def count(strategy: MovingWindowRateLimiter) -> float | None:
            if strategy.hit(item, KEY_PREFIX, *identifiers):
                return None
            return strategy.get_window_stats(item, KEY_PREFIX, *identifiers).reset_time

        return self._counted(count)

    def _counted(self, count: Callable[[MovingWindowRateLimiter], T]) -> T:
        strategy = self._strategy()
        try:
            return count(strategy)
        except Exception:
            if strategy is self._memory:
                raise
            log.warning("the rate limits' storage failed: counting in memory meanwhile",
                        exc_info=True)
            self._set_aside(FIRST_RETRY)
            return count(self._memory)

    def _strategy(self) -> MovingWindowRateLimiter:
        if self._retry_at is None:
            return self._shared
        if self._clock.monotonic() < self._retry_at or not self._trying.acquire(blocking=False):
            return self._memory
        try:
            if not self._storage.check():
                self._set_aside(min(2 * self._pause, LAST_RETRY))
                return self._memory
            log.info("the rate limits' storage is back")
            self._retry_at, self._pause = None, FIRST_RETRY
            return self._shared
        finally:
            self._trying.release()

    def _set_aside(self, pause: float) -> None:
        self._pause = pause
        self._retry_at = self._clock.monotonic() + pause
