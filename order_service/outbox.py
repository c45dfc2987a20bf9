"""Publishes committed order events from the store's outbox to the event bus, in outbox order."""
from __future__ import annotations

import json
import logging
import threading

import redis

from shared.bus import EventBus, OutgoingEvent, TurnLost

log = logging.getLogger(__name__)

# A relay that dies mid-way holds the turn at most this long.
TURN_TTL_SECONDS = 30.0


class OutboxPublisher:
    """Drains unpublished events one process at a time, so events of one order reach the stream in order.

    Any process may call `drain()` after it commits; the worker also calls it periodically, which
    covers a crash or a Redis outage between commit and publish. Nobody waits for anybody: within a
    process, a thread that finds another one draining leaves it a request to go round once more and
    returns at once; across processes, the bus's relay turn does the same.
    """

    def __init__(self, store, bus: EventBus | None, batch: int = 500) -> None:
        self._store = store
        self._bus = bus
        self._batch = batch
        # One token per process is enough: within a process only one thread drains at a time.
        self._turn = bus.relay_turn("outbox", TURN_TTL_SECONDS) if bus is not None else None
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
            turn = self._turn
            if not turn.take():
                return 0  # another process has the turn and will go round once more for these events
            try:
                while True:
                    while rows := self._store.unpublished_events(self._batch):
                        events = [_outgoing(seq, payload) for seq, payload in rows]
                        published += self._bus.publish_order_events(events)
                        self._store.mark_published([seq for seq, _ in rows])
                        if len(rows) < self._batch:
                            break
                    if not turn.hand_back():
                        break
            except BaseException:
                try:
                    turn.give_up()
                except redis.RedisError:
                    pass  # the turn expires by itself
                raise
        except (redis.ConnectionError, redis.TimeoutError) as error:
            if not self._redis_down:
                log.warning("event bus unreachable, events stay in the outbox until it is back: %s", error)
            self._redis_down = True
            return published
        except TurnLost:
            log.warning("the outbox relay turn expired while publishing; the next drain resumes")
        if self._redis_down:
            log.info("event bus reachable again; outbox drained")
            self._redis_down = False
        return published


def _outgoing(seq: int, payload: str) -> OutgoingEvent:
    event = json.loads(payload)
    return OutgoingEvent(seq=seq, order_id=event["order_id"], algo_id=event.get("algo_id"),
                         type=event["type"], payload=payload)
