"""What callers get back from the engine are proper values: frozen results and snapshots that later
matching does not change."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from exchange_simulator.engine import (
    Fill,
    OrderStatus,
    OrderType,
    OrderUpdated,
    Side,
    SubmitResult,
    Trade,
    TradePrinted,
)

D = Decimal
SYMBOL = "BTCUSDT"


def limit(engine, account, side, qty, price):
    return engine.submit(account, SYMBOL, side, OrderType.LIMIT, quantity=D(qty), price=D(price))


def test_fills_and_results_are_frozen_dataclasses_equal_to_hand_built_ones(engine, clock):
    limit(engine, "alice", Side.SELL, "0.5", "60000")
    result = limit(engine, "bob", Side.BUY, "0.2", "60000.00")

    assert type(result) is SubmitResult and type(result.fills[0]) is Fill
    [fill] = result.fills
    expected = Fill(
        trade_id=1, order_id=result.order.order_id, account="bob", symbol=SYMBOL, side=Side.BUY,
        price=D("60000"), qty=D("0.2"), quote_qty=D("12000.0"), commission=D("0.0002"),
        commission_asset="BTC", is_maker=False, time_ms=clock.now_ms,
    )
    assert fill == expected and hash(fill) == hash(expected) and repr(fill) == repr(expected)
    assert str(fill.quote_qty) == "12000.0" and str(fill.commission) == "0.0002"
    assert dataclasses.asdict(fill) == dataclasses.asdict(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fill.qty = D("1")  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.order = None  # type: ignore[misc]


def test_events_carry_frozen_trades_and_fills(engine, events):
    limit(engine, "alice", Side.SELL, "0.5", "60000")
    limit(engine, "bob", Side.BUY, "0.5", "60000")

    [printed] = [e for e in events if isinstance(e, TradePrinted)]
    assert type(printed.trade) is Trade and printed.trade.buyer_is_maker is False
    trades = [e for e in events if isinstance(e, OrderUpdated) and e.kind == "TRADE"]
    assert [(u.order.account, u.fill.is_maker, u.order.status) for u in trades] == [
        ("alice", True, OrderStatus.FILLED),
        ("bob", False, OrderStatus.FILLED),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        printed.trade.price = D("1")  # type: ignore[misc]


def test_submit_result_keeps_the_state_at_return_while_the_order_keeps_trading(engine):
    resting = limit(engine, "alice", Side.SELL, "0.5", "60000")
    limit(engine, "bob", Side.BUY, "0.2", "60000")

    assert resting.order.status is OrderStatus.NEW and resting.order.executed_qty == 0
    now = engine.get_order("alice", SYMBOL, order_id=resting.order.order_id)
    assert now.status is OrderStatus.PARTIALLY_FILLED and now.executed_qty == D("0.2")
    # A snapshot carries every field of the order it was taken from.
    assert dataclasses.replace(resting.order, status=now.status, executed_qty=now.executed_qty,
                               cummulative_quote_qty=now.cummulative_quote_qty, updated_ms=now.updated_ms,
                               locked=now.locked) == now
