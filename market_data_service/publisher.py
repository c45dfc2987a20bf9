"""Publishing market data on the bus: bursts pipelined in one round trip, last values kept, Redis outages survived.

While Redis is unreachable the newest payload of each channel is held back (older ones are superseded:
market data may be dropped) and delivered, with its last value, as soon as Redis answers again.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Iterable

import redis

from shared.backoff import Backoff
from shared.bus import EventBus
from shared.marketdata_codec import MarketData, dumps

from market_data_service.channels import channel_of
from market_data_service.health import FeedStats

log = logging.getLogger(__name__)


class MarketDataPublisher:
    def __init__(self, bus: EventBus, stats: FeedStats, clock_ns: Callable[[], int] = time.time_ns,
                 monotonic: Callable[[], float] = time.monotonic, retry_base: float = 0.1,
                 retry_cap: float = 2.0) -> None:
        self.bus = bus
        self.stats = stats
        self._clock_ns = clock_ns
        self._monotonic = monotonic
        self._backoff = Backoff(base=retry_base, cap=retry_cap)
        self._retry_at = 0.0
        self._held: dict[str, str] = {}   # channel -> newest payload not delivered yet
        self._known: set[str] = set(stats.channels)

    @property
    def bus_up(self) -> bool:
        return not self._held

    def publish(self, messages: Iterable[MarketData], stale: bool = False) -> bool:
        """Publish a burst; False when Redis is down (the newest values are kept for later)."""
        now_ns = self._clock_ns()
        batch = []
        for message in messages:
            channel = channel_of(message)
            if channel not in self._known:
                self._known.add(channel)
                self.stats.channels = sorted(self._known)
            batch.append((channel, dumps(message, now_ns, stale)))
        if not batch:
            return self.flush()
        if self._held:
            self._held.update(batch)
            return self.flush()
        return self._send(batch)

    def flush(self) -> bool:
        """Deliver what an outage held back, once its retry time has come; True when nothing is held."""
        if not self._held:
            return True
        if self._monotonic() < self._retry_at:
            return False
        held, self._held = self._held, {}
        return self._send(list(held.items()))

    def _send(self, batch: list[tuple[str, str]]) -> bool:
        try:
            self.bus.publish_many(batch)
        except redis.RedisError as error:
            self._failed(batch, error)
            return False
        if self._backoff.attempt:
            log.info("%s: publishing again after a Redis outage", self.stats.name)
            self._backoff.reset()
        self.stats.published += len(batch)
        return True

    def _failed(self, batch: list[tuple[str, str]], error: redis.RedisError) -> None:
        if not self._backoff.attempt:
            log.warning("%s: Redis unreachable (%s); holding the newest values and retrying", self.stats.name, error)
        self.stats.publish_errors += 1
        self.stats.last_error = f"redis: {type(error).__name__}: {error}"[:200]
        self._held = dict(batch)
        self._retry_at = self._monotonic() + self._backoff.next_delay()
