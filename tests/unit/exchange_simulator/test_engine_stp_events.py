"""Self-trade prevention and the events subscribers receive."""
from __future__ import annotations

from decimal import Decimal

import pytest

from exchange_simulator.engine import (
    Balance,
    BalancesChanged,
    BookChanged,
    OrderStatus,
    OrderType,
    OrderUpdated,
    SelfTradePrevention,
    Side,
    TradePrinted,
)

D = Decimal
BUY, SELL = Side.BUY, Side.SELL
SYMBOL = "BTCUSDT"
STP = SelfTradePrevention


def limit(engine, account, side, qty, price, **kwargs):
    return engine.submit(account, SYMBOL, side, OrderType.LIMIT, quantity=D(qty), price=D(price), **kwargs)


@pytest.fixture
def own_ask_then_other_ask(engine):
    """alice rests 0.1 @ 60000 ahead of bob's 0.1 @ 60000."""
    own = limit(engine, "alice", SELL, "0.1", "60000").order
    other = limit(engine, "bob", SELL, "0.1", "60000").order
    return own, other


def status(engine, account, order):
    return engine.get_order(account, SYMBOL, order_id=order.order_id).status


def test_expire_maker_removes_own_resting_order_and_keeps_trading(engine, own_ask_then_other_ask):
    own, other = own_ask_then_other_ask

    result = limit(engine, "alice", BUY, "0.1", "60000", self_trade_prevention=STP.EXPIRE_MAKER)

    assert result.order.status is OrderStatus.FILLED
    assert status(engine, "alice", own) is OrderStatus.EXPIRED_IN_MATCH
    assert status(engine, "bob", other) is OrderStatus.FILLED
    assert engine.balances("alice")["BTC"].locked == 0


def test_expire_taker_stops_the_incoming_order(engine, own_ask_then_other_ask):
    own, other = own_ask_then_other_ask

    result = limit(engine, "alice", BUY, "0.1", "60000", self_trade_prevention=STP.EXPIRE_TAKER)

    assert result.order.status is OrderStatus.EXPIRED_IN_MATCH and result.fills == []
    assert status(engine, "alice", own) is OrderStatus.NEW
    assert status(engine, "bob", other) is OrderStatus.NEW
    assert engine.balances("alice")["USDT"] == Balance(D("1000000"), D("0"))


def test_expire_both_expires_both_orders(engine, own_ask_then_other_ask):
    own, other = own_ask_then_other_ask

    result = limit(engine, "alice", BUY, "0.1", "60000", self_trade_prevention=STP.EXPIRE_BOTH)

    assert result.order.status is OrderStatus.EXPIRED_IN_MATCH
    assert status(engine, "alice", own) is OrderStatus.EXPIRED_IN_MATCH
    assert status(engine, "bob", other) is OrderStatus.NEW
    assert engine.depth(SYMBOL) == ([], [(D("60000"), D("0.1"))])


def test_none_lets_an_account_trade_with_itself(engine, own_ask_then_other_ask):
    own, _ = own_ask_then_other_ask

    result = limit(engine, "alice", BUY, "0.1", "60000", self_trade_prevention=STP.NONE)

    assert [f.order_id for f in result.fills] == [result.order.order_id]
    assert status(engine, "alice", own) is OrderStatus.FILLED
    fee_quote, fee_base = D("6"), D("0.0001")
    assert engine.balances("alice")["USDT"].total == D("1000000") - fee_quote
    assert engine.balances("alice")["BTC"].total == D("100") - fee_base


def test_fok_counts_no_liquidity_it_would_refuse_to_trade_with(engine, own_ask_then_other_ask):
    own, other = own_ask_then_other_ask
    from exchange_simulator.engine import TimeInForce

    result = limit(
        engine, "alice", BUY, "0.2", "60000",
        time_in_force=TimeInForce.FOK, self_trade_prevention=STP.EXPIRE_MAKER,
    )

    assert result.order.status is OrderStatus.EXPIRED and result.fills == []
    assert status(engine, "alice", own) is OrderStatus.NEW
    assert status(engine, "bob", other) is OrderStatus.NEW


def test_a_trade_emits_order_trade_balance_and_book_events_in_order(engine, events):
    maker = limit(engine, "bob", SELL, "0.3", "60000").order
    events.clear()

    taker = limit(engine, "alice", BUY, "0.1", "60000").order

    kinds = [(type(e).__name__, getattr(e, "kind", None)) for e in events]
    assert kinds == [
        ("OrderUpdated", "NEW"),
        ("TradePrinted", None),
        ("OrderUpdated", "TRADE"),
        ("OrderUpdated", "TRADE"),
        ("BalancesChanged", None),
        ("BalancesChanged", None),
        ("BookChanged", None),
    ]
    new, printed, maker_update, taker_update, *_, book = events
    assert isinstance(printed, TradePrinted)
    assert printed.trade.buyer_order_id == taker.order_id and printed.trade.seller_order_id == maker.order_id
    assert printed.trade.buyer_is_maker is False
    assert maker_update.order.order_id == maker.order_id and maker_update.fill.is_maker
    assert maker_update.order.status is OrderStatus.PARTIALLY_FILLED
    assert maker_update.fill.commission_asset == "USDT" and maker_update.fill.commission == D("6")
    assert taker_update.order.status is OrderStatus.FILLED and taker_update.fill.commission_asset == "BTC"
    assert new.order.status is OrderStatus.NEW
    balances = {e.account: e.balances for e in events if isinstance(e, BalancesChanged)}
    assert set(balances["alice"]) == {"BTC", "USDT"} and set(balances["bob"]) == {"BTC", "USDT"}
    assert balances["bob"]["BTC"] == Balance(D("99.7"), D("0.2"))
    assert isinstance(book, BookChanged)
    assert (book.symbol, book.update_id, book.asks) == (SYMBOL, engine.update_id(SYMBOL), ((D("60000"), D("0.2")),))


def test_cancel_emits_canceled_update_and_book_change(engine, events):
    order = limit(engine, "alice", BUY, "0.1", "50000").order
    events.clear()

    engine.cancel("alice", SYMBOL, order_id=order.order_id)

    assert isinstance(events[0], OrderUpdated) and events[0].kind == "CANCELED"
    assert events[0].order.status is OrderStatus.CANCELED
    assert isinstance(events[-1], BookChanged) and events[-1].bids == ((D("50000"), D("0")),)


def test_event_snapshots_do_not_change_afterwards(engine, events):
    limit(engine, "bob", SELL, "0.2", "60000")
    limit(engine, "alice", BUY, "0.1", "60000")
    limit(engine, "alice", BUY, "0.1", "60000")

    maker_updates = [e for e in events if isinstance(e, OrderUpdated) and e.fill is not None and e.fill.is_maker]
    assert [u.order.executed_qty for u in maker_updates] == [D("0.1"), D("0.2")]


def test_a_failing_listener_does_not_stop_the_others(engine):
    received = []

    def broken(event):
        raise RuntimeError("listener bug")

    engine.subscribe(broken)
    engine.subscribe(received.append)

    limit(engine, "alice", BUY, "0.1", "50000")

    assert any(isinstance(e, OrderUpdated) for e in received)
