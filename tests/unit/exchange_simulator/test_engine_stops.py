"""Stop orders wait off the book until the last trade price reaches their stop."""
from __future__ import annotations

from decimal import Decimal

import pytest

from exchange_simulator.engine import (
    Balance,
    OrderRejected,
    OrderStatus,
    OrderType,
    RejectReason,
    Side,
    TimeInForce,
    stop_triggered,
)

D = Decimal
BUY, SELL = Side.BUY, Side.SELL
SYMBOL = "BTCUSDT"


def limit(engine, account, side, qty, price):
    return engine.submit(account, SYMBOL, side, OrderType.LIMIT, quantity=D(qty), price=D(price))


def print_trade(engine, price, qty="0.01"):
    """Make the last trade price `price` with a trade between bob and carol."""
    limit(engine, "bob", SELL, qty, price)
    limit(engine, "carol", BUY, qty, price)


@pytest.mark.parametrize(
    ("order_type", "side", "last", "triggered"),
    [
        (OrderType.STOP_LOSS, SELL, "99", True),
        (OrderType.STOP_LOSS, SELL, "100", True),
        (OrderType.STOP_LOSS, SELL, "101", False),
        (OrderType.STOP_LOSS_LIMIT, BUY, "101", True),
        (OrderType.STOP_LOSS_LIMIT, BUY, "99", False),
        (OrderType.TAKE_PROFIT, SELL, "101", True),
        (OrderType.TAKE_PROFIT, SELL, "99", False),
        (OrderType.TAKE_PROFIT_LIMIT, BUY, "99", True),
        (OrderType.TAKE_PROFIT_LIMIT, BUY, "101", False),
    ],
)
def test_trigger_rule(order_type, side, last, triggered):
    assert stop_triggered(order_type, side, D("100"), D(last)) is triggered


def test_stop_loss_waits_off_the_book_locking_its_quantity(engine):
    print_trade(engine, "60000")

    result = engine.submit("alice", SYMBOL, SELL, OrderType.STOP_LOSS, quantity=D("0.5"), stop_price=D("59000"))

    order = result.order
    assert order.status is OrderStatus.NEW and order.is_working is False and order.working_ms is None
    assert engine.depth(SYMBOL) == ([], [])
    assert engine.balances("alice")["BTC"] == Balance(D("99.5"), D("0.5"))
    assert [o.order_id for o in engine.open_orders("alice")] == [order.order_id]


def test_stop_loss_sell_becomes_a_market_order_when_the_price_falls_to_it(engine, clock):
    print_trade(engine, "60000")
    stop = engine.submit("alice", SYMBOL, SELL, OrderType.STOP_LOSS, quantity=D("0.5"), stop_price=D("59000")).order
    limit(engine, "bob", BUY, "1", "58500")
    clock.advance(10)

    print_trade(engine, "59000")  # the print at the stop triggers it; it sells into bob's bid

    triggered = engine.get_order("alice", SYMBOL, order_id=stop.order_id)
    assert triggered.status is OrderStatus.FILLED
    assert triggered.is_working and triggered.working_ms == clock.now_ms
    assert triggered.cummulative_quote_qty == D("0.5") * D("58500")
    assert engine.balances("alice")["BTC"] == Balance(D("99.5"), D("0"))
    assert engine.last_trade_price(SYMBOL) == D("58500")


def test_stop_limit_buy_becomes_a_resting_limit_when_the_price_rises(engine):
    print_trade(engine, "60000")
    stop = engine.submit(
        "alice", SYMBOL, BUY, OrderType.STOP_LOSS_LIMIT,
        quantity=D("0.5"), price=D("61000"), stop_price=D("60500"), time_in_force=TimeInForce.GTC,
    ).order
    assert engine.balances("alice")["USDT"].locked == D("30500")

    print_trade(engine, "60600")

    working = engine.get_order("alice", SYMBOL, order_id=stop.order_id)
    assert working.status is OrderStatus.NEW and working.is_working
    assert engine.depth(SYMBOL)[0] == [(D("61000"), D("0.5"))]


def test_take_profit_sell_triggers_when_the_price_rises(engine):
    print_trade(engine, "60000")
    stop = engine.submit("alice", SYMBOL, SELL, OrderType.TAKE_PROFIT, quantity=D("0.1"), stop_price=D("62000")).order
    limit(engine, "carol", BUY, "1", "61000")

    print_trade(engine, "61500")
    assert engine.get_order("alice", SYMBOL, order_id=stop.order_id).status is OrderStatus.NEW
    print_trade(engine, "62000")

    assert engine.get_order("alice", SYMBOL, order_id=stop.order_id).status is OrderStatus.FILLED


def test_stop_market_buy_with_no_liquidity_expires_and_unlocks(engine):
    print_trade(engine, "60000")
    stop = engine.submit("alice", SYMBOL, BUY, OrderType.STOP_LOSS, quantity=D("0.1"), stop_price=D("60500")).order
    assert engine.balances("alice")["USDT"].locked == D("6050")

    print_trade(engine, "60500")

    assert engine.get_order("alice", SYMBOL, order_id=stop.order_id).status is OrderStatus.EXPIRED
    assert engine.balances("alice")["USDT"] == Balance(D("1000000"), D("0"))


def test_cancelling_a_waiting_stop_releases_its_lock(engine):
    stop = engine.submit("alice", SYMBOL, SELL, OrderType.STOP_LOSS, quantity=D("0.5"), stop_price=D("59000")).order

    cancelled = engine.cancel("alice", SYMBOL, order_id=stop.order_id)

    assert cancelled.status is OrderStatus.CANCELED
    assert engine.balances("alice")["BTC"] == Balance(D("100"), D("0"))
    print_trade(engine, "58000")
    assert engine.get_order("alice", SYMBOL, order_id=stop.order_id).status is OrderStatus.CANCELED


def test_stop_that_would_trigger_at_once_is_rejected(engine):
    print_trade(engine, "60000")
    with pytest.raises(OrderRejected) as rejected:
        engine.submit("alice", SYMBOL, SELL, OrderType.STOP_LOSS, quantity=D("0.1"), stop_price=D("61000"))
    assert rejected.value.reason is RejectReason.WOULD_TRIGGER_IMMEDIATELY


def test_stop_orders_take_no_limit_price_and_stop_limits_need_one(engine):
    with pytest.raises(OrderRejected):
        engine.submit("alice", SYMBOL, SELL, OrderType.STOP_LOSS, quantity=D("0.1"), stop_price=D("1"), price=D("1"))
    with pytest.raises(OrderRejected):
        engine.submit("alice", SYMBOL, SELL, OrderType.TAKE_PROFIT_LIMIT, quantity=D("0.1"), stop_price=D("70000"))


def test_triggered_stop_can_trigger_the_next_stop(engine):
    print_trade(engine, "60000")
    limit(engine, "bob", BUY, "0.1", "59000")
    limit(engine, "bob", BUY, "0.1", "58000")
    limit(engine, "bob", BUY, "0.1", "57000")
    first = engine.submit("alice", SYMBOL, SELL, OrderType.STOP_LOSS, quantity=D("0.2"), stop_price=D("59500")).order
    second = engine.submit("carol", SYMBOL, SELL, OrderType.STOP_LOSS, quantity=D("0.1"), stop_price=D("58500")).order

    print_trade(engine, "59500")  # alice's stop sells down to 58000, which reaches carol's stop

    assert engine.get_order("alice", SYMBOL, order_id=first.order_id).cummulative_quote_qty == D("11700")
    assert engine.get_order("carol", SYMBOL, order_id=second.order_id).cummulative_quote_qty == D("5700")
