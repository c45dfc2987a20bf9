"""The outbox relayed by several processes at once over a real Redis: none waits for another, every event
reaches the stream once and in outbox order."""
from __future__ import annotations

import json
import threading

import pytest

from shared.bus import ORDER_STREAM, EventBus
from order_service.outbox import OutboxPublisher
from order_service.store import OrderStore
from tests.unit.order_service.test_outbox import PausingStore, commit_event

pytestmark = pytest.mark.redis


@pytest.fixture
def store(sqlite_url):
    store = OrderStore.from_url(sqlite_url)
    yield store
    store.dispose()


def test_a_process_finding_another_relaying_leaves_its_events_to_it_without_waiting(store, bus, redis_url,
                                                                                      bus_prefix):
    other_bus = EventBus.from_url(redis_url, bus_prefix)   # the second process's own connection
    try:
        paused = PausingStore(store)
        first_process, second_process = OutboxPublisher(paused, bus), OutboxPublisher(store, other_bus)
        first = commit_event(store, "a")
        holder = threading.Thread(target=first_process.drain)
        holder.start()
        assert paused.reading.wait(10)              # the first process has read the outbox, without "b"

        second = commit_event(store, "b")
        assert second_process.drain() == 0          # the turn is taken: a request is left, no waiting
        paused.go_on.set()
        holder.join(10)

        stream = bus.client.xrange(bus.key(ORDER_STREAM))
        assert [int(fields["seq"]) for _, fields in stream] == [first, second]
        assert [json.loads(fields["event"])["order_id"] for _, fields in stream] == ["a", "b"]
        assert store.unpublished_events() == []
    finally:
        other_bus.close()
