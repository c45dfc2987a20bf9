"""The event bus on a real Redis: stream + channels, prefixes, exactly-once publication of the outbox."""
from __future__ import annotations

import json
import time

from shared.bus import EventBus, OutgoingEvent


def event(seq: int, order_id: str = "o1", algo_id: str | None = "a1", kind: str = "order.accepted") -> OutgoingEvent:
    return OutgoingEvent(seq, order_id, algo_id, kind, json.dumps({"seq": seq, "type": kind, "order_id": order_id}))


def test_events_reach_the_stream_and_both_channels(bus):
    pubsub = bus.pubsub(channels=["orders.o1", "orders.algo.a1"])
    pubsub.get_message(timeout=0.2)
    assert bus.publish_order_events([event(1), event(2, kind="order.filled")]) == 2
    entries = bus.read_stream("orders:events")
    assert [(f["seq"], f["type"]) for _, f in entries] == [("1", "order.accepted"), ("2", "order.filled")]
    received = []
    deadline = time.monotonic() + 2
    while len(received) < 4 and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.2)
        if message:
            received.append((message["channel"], json.loads(message["data"])["seq"]))
    prefix = bus.prefix
    assert sorted(received) == sorted([(f"{prefix}orders.o1", 1), (f"{prefix}orders.algo.a1", 1),
                                       (f"{prefix}orders.o1", 2), (f"{prefix}orders.algo.a1", 2)])
    pubsub.close()


def test_republishing_the_same_outbox_seq_is_a_no_op(bus):
    assert bus.publish_order_events([event(7)]) == 1
    assert bus.publish_order_events([event(7), event(8)]) == 1
    assert [f["seq"] for _, f in bus.read_stream("orders:events")] == ["7", "8"]


def test_prefixes_keep_deployments_apart(bus, redis_url):
    other = EventBus.from_url(redis_url, bus.prefix + "other:")
    other.publish_order_events([event(1)])
    assert bus.read_stream("orders:events") == []
    other.client.delete(other.key("orders:events"), other.key("orders:published:1"))
    other.close()


def test_last_value_is_kept_for_late_subscribers(bus):
    bus.publish_with_last_value("md.quote.binance.BTCUSDT", '{"bid":"1"}')
    assert bus.client.get(bus.key("last:md.quote.binance.BTCUSDT")) == '{"bid":"1"}'


def test_a_relay_turn_taken_elsewhere_is_not_waited_for_and_its_holder_goes_round_again(bus, redis_url, bus_prefix):
    other = EventBus.from_url(redis_url, bus_prefix)   # another process's connection
    try:
        holder, latecomer = bus.relay_turn("outbox"), other.relay_turn("outbox")
        assert holder.take()
        started = time.monotonic()
        assert not latecomer.take()                     # left a request instead of waiting
        assert time.monotonic() - started < 0.5
        assert holder.hand_back() is True               # the request keeps the turn for one more round
        assert holder.hand_back() is False              # none since: let go
        assert latecomer.take()
        latecomer.give_up()
        assert holder.take()
        holder.hand_back()
    finally:
        other.close()


def test_a_relay_turn_that_expired_is_reported_to_its_holder(bus):
    from shared.bus import TurnLost

    holder = bus.relay_turn("outbox", ttl_seconds=0.05)
    assert holder.take()
    time.sleep(0.15)
    assert bus.relay_turn("outbox").take()
    try:
        holder.hand_back()
    except TurnLost:
        pass
    else:
        raise AssertionError("an expired turn was handed back as if still held")
