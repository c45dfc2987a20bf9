from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from shared.domain import (
    EventType,
    Fill,
    IllegalTransition,
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    Side,
    TERMINAL_STATUSES,
    TRANSITIONS,
)

S = OrderStatus
NOW = datetime(2026, 1, 2, tzinfo=timezone.utc)


def make_order(quantity: str = "1") -> Order:
    return Order(id="o1", client_order_id="c1", venue="binance", symbol="BTCUSDT", side=Side.BUY,
                 type=OrderType.LIMIT, quantity=Decimal(quantity), price=Decimal("100"))


def fill(trade_id: str, quantity: str, price: str = "100") -> Fill:
    return Fill(f"f{trade_id}", "o1", "binance", "BTCUSDT", Side.BUY, trade_id, Decimal(quantity), Decimal(price),
                Decimal("0"), "BTC", Liquidity.MAKER, NOW)


def test_the_table_is_the_one_in_the_design():
    assert TRANSITIONS[S.PENDING_NEW] == {S.NEW, S.REJECTED, S.PARTIALLY_FILLED, S.FILLED, S.EXPIRED}
    assert TRANSITIONS[S.NEW] == {S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.CANCELED, S.EXPIRED}
    assert TRANSITIONS[S.PENDING_CANCEL] == {S.CANCELED, S.FILLED, S.PARTIALLY_FILLED, S.NEW}
    assert TERMINAL_STATUSES == {S.FILLED, S.CANCELED, S.REJECTED, S.EXPIRED}


@pytest.mark.parametrize("current", list(OrderStatus))
@pytest.mark.parametrize("target", list(OrderStatus))
def test_every_illegal_transition_raises(current, target):
    order = make_order()
    order.status = current
    if target in TRANSITIONS[current] or target is current:
        order.transition(target)
        assert order.status is target
    else:
        with pytest.raises(IllegalTransition):
            order.transition(target)
        assert order.status is current


def test_fills_accumulate_with_a_volume_weighted_average_price():
    order = make_order("3")
    events = order.accept("v1") + order.apply_fill(fill("1", "1", "100")) + order.apply_fill(fill("2", "2", "103"))
    assert [e.type for e in events] == [EventType.ACCEPTED, EventType.PARTIALLY_FILLED, EventType.FILLED]
    assert order.status is S.FILLED
    assert order.filled_quantity == Decimal("3")
    assert order.average_price == Decimal("102")
    assert events[1].order.filled_quantity == Decimal("1")  # events carry snapshots, not the live order


def test_a_fill_beyond_the_remaining_quantity_is_refused():
    order = make_order("1")
    order.accept("v1")
    with pytest.raises(ValueError):
        order.apply_fill(fill("1", "2"))
    assert order.filled_quantity == 0


def test_cancel_rejected_returns_the_order_to_where_it_was():
    order = make_order("2")
    order.accept("v1")
    order.apply_fill(fill("1", "1"))
    order.request_cancel()
    events = order.cancel_rejected("Unknown order sent.")
    assert order.status is S.PARTIALLY_FILLED
    assert events[0].type is EventType.CANCEL_REJECTED and events[0].reason == "Unknown order sent."


def test_reject_records_the_venue_code_and_reason():
    order = make_order()
    [event] = order.reject(-2010, "Account has insufficient balance for requested action.")
    assert (order.status, order.reject_code) == (S.REJECTED, "-2010")
    assert event.type is EventType.REJECTED


def test_amend_changes_price_and_keeps_identity():
    order = make_order("2")
    order.accept("v1")
    [event] = order.amend(None, Decimal("101"), venue_order_id="v2", venue_client_order_id="c1-r1")
    assert (order.id, order.client_order_id, order.price) == ("o1", "c1", Decimal("101"))
    assert (order.venue_order_id, order.venue_client_order_id) == ("v2", "c1-r1")
    assert event.type is EventType.AMENDED
