"""Binance-style rate limits: request weight per IP per minute, order counts per account per 10 s and per day."""
from __future__ import annotations

import threading
from typing import Callable

from exchange_simulator.binance import errors
from exchange_simulator.config import BinanceLimits

MINUTE_MS = 60_000
TEN_SECONDS_MS = 10_000
DAY_MS = 86_400_000


class FixedWindowCounter:
    """Counts per key in windows aligned to the interval, which is how Binance resets its counters."""

    def __init__(self, interval_ms: int):
        self.interval_ms = interval_ms
        self._windows: dict[str, tuple[int, int]] = {}

    def _window_start(self, now_ms: int) -> int:
        return now_ms - now_ms % self.interval_ms

    def used(self, key: str, now_ms: int) -> int:
        start, count = self._windows.get(key, (0, 0))
        return count if start == self._window_start(now_ms) else 0

    def add(self, key: str, amount: int, now_ms: int) -> int:
        count = self.used(key, now_ms) + amount
        self._windows[key] = (self._window_start(now_ms), count)
        return count

    def seconds_to_reset(self, now_ms: int) -> int:
        remaining_ms = self._window_start(now_ms) + self.interval_ms - now_ms
        return max(1, -(-remaining_ms // 1000))


class RateLimiter:
    """Thread-safe limiter; each ``consume_*`` counts the request and raises once a limit is passed."""

    def __init__(self, limits: BinanceLimits, clock: Callable[[], int]):
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._weight = FixedWindowCounter(MINUTE_MS)
        self._orders_10s = FixedWindowCounter(TEN_SECONDS_MS)
        self._orders_day = FixedWindowCounter(DAY_MS)

    def consume_weight(self, ip: str, weight: int) -> None:
        now = self._clock()
        with self._lock:
            used = self._weight.add(ip, weight, now)
            retry_after = self._weight.seconds_to_reset(now)
        if used > self.limits.request_weight_per_minute:
            raise errors.too_many_requests(self.limits.request_weight_per_minute, retry_after, ip)

    def consume_order(self, account: str) -> None:
        now = self._clock()
        with self._lock:
            in_10s = self._orders_10s.add(account, 1, now)
            in_day = self._orders_day.add(account, 1, now)
            retry_10s = self._orders_10s.seconds_to_reset(now)
            retry_day = self._orders_day.seconds_to_reset(now)
        if in_10s > self.limits.orders_per_10s:
            raise errors.too_many_orders(self.limits.orders_per_10s, "10 SECOND", retry_10s)
        if in_day > self.limits.orders_per_day:
            raise errors.too_many_orders(self.limits.orders_per_day, "DAY", retry_day)

    def headers(self, ip: str, account: str | None) -> dict[str, str]:
        """The usage headers Binance adds to responses."""
        now = self._clock()
        with self._lock:
            headers = {"X-MBX-USED-WEIGHT-1M": str(self._weight.used(ip, now))}
            if account is not None:
                headers["X-MBX-ORDER-COUNT-10S"] = str(self._orders_10s.used(account, now))
                headers["X-MBX-ORDER-COUNT-1D"] = str(self._orders_day.used(account, now))
        return headers
