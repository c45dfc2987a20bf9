"""The outbox relay: every committed event reaches the bus once, in outbox order, however drains overlap."""
from __future__ import annotations

import threading

from order_service.outbox import OutboxPublisher
from tests.unit.order_service.fakes import FakeBus


def commit_event(store, order_id: str, kind: str = "order.accepted") -> int:
    with store.unit_of_work() as uow:
        [seq] = uow.add_events([(order_id, kind, f'{{"order_id": "{order_id}", "type": "{kind}"}}')])
    return seq


class PausingStore:
    """The real store, except that the first read of the outbox waits until the test lets it go on."""

    def __init__(self, store) -> None:
        self._store = store
        self.reading = threading.Event()
        self.go_on = threading.Event()
        self._first = True

    def unpublished_events(self, limit: int):
        rows = self._store.unpublished_events(limit)
        if self._first:
            self._first = False
            self.reading.set()
            self.go_on.wait(10)
        return rows

    def mark_published(self, seqs) -> None:
        self._store.mark_published(seqs)


def test_concurrent_drains_publish_every_event_once_in_outbox_order(store):
    bus = FakeBus()
    publisher = OutboxPublisher(store, bus)
    seqs: list[int] = []
    lock = threading.Lock()

    def place(n: int) -> None:
        for i in range(10):
            seq = commit_event(store, f"order-{n}-{i}")
            with lock:
                seqs.append(seq)
            publisher.drain()

    threads = [threading.Thread(target=place, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert [e.seq for e in bus.events] == sorted(seqs)
    assert store.unpublished_events() == []


def test_a_drain_that_finds_another_running_returns_at_once_and_its_events_still_go_out(store):
    bus = FakeBus()
    paused = PausingStore(store)
    publisher = OutboxPublisher(paused, bus)
    first = commit_event(store, "a")
    holder = threading.Thread(target=publisher.drain)
    holder.start()
    assert paused.reading.wait(10)  # the holder has read the outbox: "b" is not in what it read

    second = commit_event(store, "b")
    assert publisher.drain() == 0  # no waiting behind the holder
    paused.go_on.set()
    holder.join(10)

    assert [e.seq for e in bus.events] == [first, second]
    assert store.unpublished_events() == []


def test_without_a_bus_events_stay_in_the_outbox(store):
    commit_event(store, "a")
    assert OutboxPublisher(store, None).drain() == 0
    assert len(store.unpublished_events()) == 1


def test_a_backlog_larger_than_one_batch_is_published_whole_and_in_order(store):
    seqs = [commit_event(store, f"order-{n}") for n in range(7)]
    bus = FakeBus()
    assert OutboxPublisher(store, bus, batch=3).drain() == 7
    assert [e.seq for e in bus.events] == seqs
    assert store.unpublished_events() == []
