"""Publishes committed order events from the store's outbox to the event bus, in outbox order."""
from __future__ import annotations

import json
import logging

import redis

from shared.bus import EventBus, OutgoingEvent

log = logging.getLogger(__name__)


class OutboxPublisher:
    """Drains unpublished events under a bus lock, so events of one order reach the stream in order.

    Any process may call `drain()` after it commits; the worker also calls it periodically, which
    covers a crash or a Redis outage between commit and publish.
    """

    def __init__(self, store, bus: EventBus | None, batch: int = 500, lock_wait: float = 0.2) -> None:
        self._store = store
        self._bus = bus
        self._batch = batch
        self._lock_wait = lock_wait
        self._redis_down = False

    @property
    def bus(self) -> EventBus | None:
        return self._bus

    def drain(self) -> int:
        if self._bus is None:
            return 0
        published = 0
        try:
            lock = self._bus.lock("outbox", timeout=30, blocking_timeout=self._lock_wait)
            if not lock.acquire():
                return 0  # the holder drains everything committed before it releases
            try:
                while rows := self._store.unpublished_events(self._batch):
                    events = [_outgoing(seq, payload) for seq, payload in rows]
                    published += self._bus.publish_order_events(events)
                    self._store.mark_published([seq for seq, _ in rows])
                    if len(rows) < self._batch:
                        break
            finally:
                lock.release()
        except (redis.ConnectionError, redis.TimeoutError) as error:
            if not self._redis_down:
                log.warning("event bus unreachable, events stay in the outbox until it is back: %s", error)
            self._redis_down = True
            return published
        except redis.exceptions.LockError:
            log.warning("outbox lock expired while publishing; the next drain resumes")
        if self._redis_down:
            log.info("event bus reachable again; outbox drained")
            self._redis_down = False
        return published


def _outgoing(seq: int, payload: str) -> OutgoingEvent:
    event = json.loads(payload)
    return OutgoingEvent(seq=seq, order_id=event["order_id"], algo_id=event.get("algo_id"),
                         type=event["type"], payload=payload)
