"""Publishes committed order events from the store's outbox to the event bus, in outbox order."""
from __future__ import annotations

import json
import logging
import threading

import redis

from shared.bus import EventBus, OutgoingEvent

log = logging.getLogger(__name__)

# How often a drain waiting for another process's bus lock looks again. redis-py's default (0.1 s)
# would add up to that much latency to every order whose commit lands while another process drains.
LOCK_POLL_SECONDS = 0.002


class OutboxPublisher:
    """Drains unpublished events under a bus lock, so events of one order reach the stream in order.

    Any process may call `drain()` after it commits; the worker also calls it periodically, which
    covers a crash or a Redis outage between commit and publish. Within a process, drains coalesce:
    a thread that finds another one draining leaves it a request to go round once more and returns
    at once, instead of queueing behind it for the same rows.
    """

    def __init__(self, store, bus: EventBus | None, batch: int = 500, lock_wait: float = 0.2) -> None:
        self._store = store
        self._bus = bus
        self._batch = batch
        self._lock_wait = lock_wait
        self._redis_down = False
        self._draining = threading.Lock()
        self._again = threading.Event()

    @property
    def bus(self) -> EventBus | None:
        return self._bus

    def drain(self) -> int:
        """Publish what is committed; returns how many events this call published itself.

        Events committed before the call are published before it returns, or by the thread of this
        process that is draining at that moment, or (bus down, lock timed out) by a later drain.
        """
        if self._bus is None:
            return 0
        self._again.set()
        published = 0
        # The check after releasing closes the gap where a caller set the flag just as the holder
        # finished its last pass and then failed to take the lock: nobody would drain for it.
        while self._again.is_set():
            if not self._draining.acquire(blocking=False):
                return published  # the holder goes round again for this caller's events
            try:
                while self._again.is_set():
                    self._again.clear()
                    published += self._drain_once()
            finally:
                self._draining.release()
        return published

    def _drain_once(self) -> int:
        published = 0
        try:
            lock = self._bus.lock("outbox", timeout=30, blocking_timeout=self._lock_wait)
            if not lock.acquire(sleep=LOCK_POLL_SECONDS):
                return 0  # another process holds it and drains; the worker's relay catches any rest
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
