"""The shared in-memory venue: one engine, its lock and its synthetic market (stepped by the world).

Every dialect reaches the engine only through ``Venue.session()``, which holds the lock and, when the
outermost session ends, hands the batch of engine events it produced to the dialects' publishers.
Batching lets a publisher coalesce book updates (one bookTicker per operation, not per level).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Callable

from exchange_simulator.engine import Engine
from exchange_simulator.market import SyntheticMarket

logger = logging.getLogger(__name__)

BatchListener = Callable[[list[Any]], None]


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Venue:
    def __init__(self, engine: Engine, market: SyntheticMarket, clock: Callable[[], int]):
        self.engine = engine
        self.market = market
        self.clock = clock
        self._lock = threading.RLock()
        self._depth = 0
        self._pending: list[Any] = []
        self._listeners: list[BatchListener] = []
        engine.subscribe(self._pending.append)

    def add_batch_listener(self, listener: BatchListener) -> None:
        """Called with each batch of engine events, in order, while the engine lock is still held."""
        self._listeners.append(listener)

    @contextmanager
    def session(self) -> Iterator[Engine]:
        """Exclusive access to the engine; events are published when the outermost session ends."""
        with self._lock:
            self._depth += 1
            try:
                yield self.engine
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        batch = self._pending[:]
        self._pending.clear()
        for listener in self._listeners:
            try:
                listener(batch)
            except Exception:  # a publishing bug must not wedge the engine for every other client
                logger.exception("event publisher failed")

    # synthetic market

    def step(self, dt_seconds: float) -> None:
        with self.session():
            self.market.step(dt_seconds)

    def set_mid(self, symbol: str, price: Decimal) -> None:
        with self.session():
            self.market.set_mid(symbol, price)

    @property
    def paused(self) -> bool:
        return bool(self.market.paused)

    def pause(self) -> None:
        with self.session():
            self.market.paused = True

    def resume(self) -> None:
        with self.session():
            self.market.paused = False
