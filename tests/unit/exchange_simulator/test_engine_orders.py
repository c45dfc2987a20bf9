"""Order types, time in force, balances and fees of the matching engine, one behaviour at a time."""
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
    UnknownOrder,
)

D = Decimal
BUY, SELL = Side.BUY, Side.SELL
SYMBOL = "BTCUSDT"


def limit(engine, account, side, qty, price, **kwargs):
    return engine.submit(account, SYMBOL, side, OrderType.LIMIT, quantity=D(qty), price=D(price), **kwargs)


def market(engine, account, side, qty=None, **kwargs):
    return engine.submit(account, SYMBOL, side, OrderType.MARKET, quantity=None if qty is None else D(qty), **kwargs)


def test_limit_order_rests_on_the_book_and_locks_quote(engine):
    result = limit(engine, "alice", BUY, "0.5", "60000")

    assert result.order.status is OrderStatus.NEW
    assert result.order.is_working and result.fills == []
    assert engine.depth(SYMBOL) == ([(D("60000"), D("0.5"))], [])
    assert engine.best_bid_ask(SYMBOL) == ((D("60000"), D("0.5")), None)
    assert engine.balances("alice")["USDT"] == Balance(D("970000"), D("30000"))
    assert [o.order_id for o in engine.open_orders("alice", SYMBOL)] == [result.order.order_id]


def test_crossing_limit_trades_at_the_resting_price_and_releases_the_unused_quote(engine):
    limit(engine, "bob", SELL, "1", "60000")

    result = limit(engine, "alice", BUY, "0.5", "61000")

    assert result.order.status is OrderStatus.FILLED
    assert [(f.price, f.qty, f.is_maker) for f in result.fills] == [(D("60000"), D("0.5"), False)]
    assert result.order.cummulative_quote_qty == D("30000")
    alice = engine.balances("alice")
    assert alice["USDT"] == Balance(D("970000"), D("0"))  # locked 30500, paid 30000, 500 back
    assert alice["BTC"].free == D("100") + D("0.5") - D("0.0005")
    assert engine.depth(SYMBOL) == ([], [(D("60000"), D("0.5"))])
    assert engine.last_trade_price(SYMBOL) == D("60000")


def test_partially_filled_limit_rests_its_remainder(engine):
    limit(engine, "bob", SELL, "0.2", "60000")

    result = limit(engine, "alice", BUY, "0.5", "60000")

    assert result.order.status is OrderStatus.PARTIALLY_FILLED
    assert result.order.executed_qty == D("0.2") and result.order.remaining == D("0.3")
    assert engine.depth(SYMBOL) == ([(D("60000"), D("0.3"))], [])
    assert engine.balances("alice")["USDT"].locked == D("18000")


def test_taker_sweeps_levels_best_price_first(engine):
    limit(engine, "bob", SELL, "0.1", "60002")
    limit(engine, "bob", SELL, "0.1", "60000")
    limit(engine, "bob", SELL, "0.1", "60001")

    result = market(engine, "alice", BUY, "0.25")

    assert [(f.price, f.qty) for f in result.fills] == [
        (D("60000"), D("0.1")),
        (D("60001"), D("0.1")),
        (D("60002"), D("0.05")),
    ]
    assert result.order.status is OrderStatus.FILLED
    assert engine.depth(SYMBOL)[1] == [(D("60002"), D("0.05"))]


def test_orders_at_one_price_fill_in_arrival_order(engine):
    first = limit(engine, "bob", SELL, "0.1", "60000").order
    second = limit(engine, "carol", SELL, "0.1", "60000").order

    market(engine, "alice", BUY, "0.15")

    assert engine.get_order("bob", SYMBOL, order_id=first.order_id).status is OrderStatus.FILLED
    later = engine.get_order("carol", SYMBOL, order_id=second.order_id)
    assert later.status is OrderStatus.PARTIALLY_FILLED and later.executed_qty == D("0.05")


def test_cancelling_the_head_of_the_queue_promotes_the_next_order(engine):
    first = limit(engine, "bob", SELL, "0.1", "60000").order
    second = limit(engine, "carol", SELL, "0.1", "60000").order

    engine.cancel("bob", SYMBOL, order_id=first.order_id)
    result = market(engine, "alice", BUY, "0.1")

    assert [f.qty for f in result.fills] == [D("0.1")]
    assert engine.get_order("carol", SYMBOL, order_id=second.order_id).status is OrderStatus.FILLED
    assert engine.depth(SYMBOL) == ([], [])


def test_market_order_expires_what_the_book_cannot_fill(engine):
    limit(engine, "bob", SELL, "0.1", "60000")

    result = market(engine, "alice", BUY, "0.3")

    assert result.order.status is OrderStatus.EXPIRED
    assert result.order.executed_qty == D("0.1")
    assert engine.balances("alice")["USDT"] == Balance(D("994000"), D("0"))
    assert engine.open_orders("alice") == []


def test_market_order_by_quote_amount_buys_what_the_amount_affords(engine):
    limit(engine, "bob", SELL, "1", "60000")

    result = market(engine, "alice", BUY, quote_order_qty=D("1000"))

    assert result.order.status is OrderStatus.FILLED
    assert result.order.executed_qty == D("0.01666")  # 1000 / 60000 rounded down to the step
    assert result.order.quantity == result.order.executed_qty
    assert result.order.cummulative_quote_qty == D("999.6")
    assert engine.balances("alice")["USDT"] == Balance(D("999000.4"), D("0"))


def test_market_sell_by_quote_amount_sells_down_the_bids(engine):
    limit(engine, "bob", BUY, "0.01", "60000")
    limit(engine, "bob", BUY, "1", "50000")

    result = market(engine, "alice", SELL, quote_order_qty=D("1100"))

    assert [(f.price, f.qty) for f in result.fills] == [(D("60000"), D("0.01")), (D("50000"), D("0.01"))]
    assert result.order.cummulative_quote_qty == D("1100")
    assert engine.balances("alice")["BTC"] == Balance(D("99.98"), D("0"))


def test_market_buy_beyond_the_quote_balance_is_rejected_without_trace(engine):
    engine.deposit("dave", "USDT", D("1000"))
    limit(engine, "bob", SELL, "1", "60000")
    before = (engine.depth(SYMBOL), engine.update_id(SYMBOL))

    with pytest.raises(OrderRejected) as rejected:
        market(engine, "dave", BUY, "0.1")

    assert rejected.value.reason is RejectReason.INSUFFICIENT_BALANCE
    assert (engine.depth(SYMBOL), engine.update_id(SYMBOL)) == before
    assert engine.balances("dave") == {"USDT": Balance(D("1000"), D("0"))}
    assert engine.open_orders("dave") == []


def test_sell_needs_the_base_asset(engine):
    engine.deposit("dave", "USDT", D("100000"))
    with pytest.raises(OrderRejected) as rejected:
        limit(engine, "dave", SELL, "0.1", "60000")
    assert rejected.value.reason is RejectReason.INSUFFICIENT_BALANCE
    assert engine.depth(SYMBOL) == ([], [])


def test_limit_maker_that_would_match_is_rejected(engine):
    limit(engine, "bob", SELL, "0.1", "60000")

    with pytest.raises(OrderRejected) as rejected:
        engine.submit("alice", SYMBOL, BUY, OrderType.LIMIT_MAKER, quantity=D("0.1"), price=D("60000"))

    assert rejected.value.reason is RejectReason.WOULD_TAKE
    assert engine.balances("alice")["USDT"] == Balance(D("1000000"), D("0"))
    rested = engine.submit("alice", SYMBOL, BUY, OrderType.LIMIT_MAKER, quantity=D("0.1"), price=D("59999.99"))
    assert rested.order.status is OrderStatus.NEW and rested.fills == []


def test_ioc_fills_what_it_can_and_never_rests(engine):
    limit(engine, "bob", SELL, "0.1", "60000")
    limit(engine, "bob", SELL, "0.1", "60100")

    result = limit(engine, "alice", BUY, "0.5", "60050", time_in_force=TimeInForce.IOC)

    assert result.order.status is OrderStatus.EXPIRED
    assert result.order.executed_qty == D("0.1")
    assert engine.depth(SYMBOL) == ([], [(D("60100"), D("0.1"))])
    assert engine.balances("alice")["USDT"] == Balance(D("994000"), D("0"))


def test_fok_without_enough_liquidity_expires_with_no_fill(engine):
    limit(engine, "bob", SELL, "0.1", "60000")

    result = limit(engine, "alice", BUY, "0.2", "60000", time_in_force=TimeInForce.FOK)

    assert result.order.status is OrderStatus.EXPIRED
    assert result.fills == [] and result.order.executed_qty == 0
    assert engine.depth(SYMBOL) == ([], [(D("60000"), D("0.1"))])
    assert engine.balances("alice")["USDT"] == Balance(D("1000000"), D("0"))


def test_fok_with_enough_liquidity_fills_completely(engine):
    limit(engine, "bob", SELL, "0.1", "60000")
    limit(engine, "carol", SELL, "0.1", "60001")

    result = limit(engine, "alice", BUY, "0.2", "60001", time_in_force=TimeInForce.FOK)

    assert result.order.status is OrderStatus.FILLED
    assert sum(f.qty for f in result.fills) == D("0.2")


def test_fees_buyer_pays_in_base_seller_in_quote_at_maker_and_taker_rates(clock):
    from exchange_simulator.engine import Engine

    from tests.unit.exchange_simulator.conftest import btc_spec

    engine = Engine([btc_spec(maker_fee=D("0.0002"), taker_fee=D("0.0007"))], clock)
    engine.deposit("maker", "BTC", D("1"))
    engine.deposit("taker", "USDT", D("100000"))
    engine.submit("maker", SYMBOL, SELL, OrderType.LIMIT, quantity=D("0.5"), price=D("60000"))

    result = engine.submit("taker", SYMBOL, BUY, OrderType.MARKET, quantity=D("0.5"))

    fill = result.fills[0]
    assert (fill.commission, fill.commission_asset, fill.is_maker) == (D("0.00035"), "BTC", False)
    assert engine.balances("taker")["BTC"].free == D("0.49965")
    assert engine.balances("taker")["USDT"].free == D("70000")
    assert engine.balances("maker")["USDT"].free == D("30000") - D("6")  # 0.02 % of 30000
    assert engine.balances("maker")["BTC"] == Balance(D("0.5"), D("0"))


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"quantity": D("0.1"), "price": D("60000.001")}, RejectReason.FILTER_PRICE),
        ({"quantity": D("0.1"), "price": D("1000000.01")}, RejectReason.FILTER_PRICE),
        ({"quantity": D("0.000015"), "price": D("60000")}, RejectReason.FILTER_LOT_SIZE),
        ({"quantity": D("0.000001"), "price": D("60000")}, RejectReason.FILTER_LOT_SIZE),
        ({"quantity": D("9001"), "price": D("60000")}, RejectReason.FILTER_LOT_SIZE),
        ({"quantity": D("0.00001"), "price": D("60000")}, RejectReason.FILTER_NOTIONAL),
        ({"quantity": D("0.1")}, RejectReason.INVALID_ORDER),
        ({"quantity": D("0.1"), "price": D("60000"), "quote_order_qty": D("10")}, RejectReason.INVALID_ORDER),
        ({"quantity": D("0.1"), "price": D("NaN")}, RejectReason.INVALID_ORDER),
    ],
)
def test_filter_and_parameter_violations_are_rejected_without_trace(engine, kwargs, reason):
    before = (engine.balances("alice"), engine.update_id(SYMBOL))

    with pytest.raises(OrderRejected) as rejected:
        engine.submit("alice", SYMBOL, BUY, OrderType.LIMIT, **kwargs)

    assert rejected.value.reason is reason
    assert (engine.balances("alice"), engine.update_id(SYMBOL)) == before
    assert engine.open_orders("alice") == []


def test_market_notional_uses_the_best_opposite_price(engine):
    limit(engine, "bob", SELL, "1", "100")
    with pytest.raises(OrderRejected) as rejected:
        market(engine, "alice", BUY, "0.04")  # 0.04 x 100 = 4 < 5
    assert rejected.value.reason is RejectReason.FILTER_NOTIONAL
    assert market(engine, "alice", BUY, "0.05").order.status is OrderStatus.FILLED


def test_unknown_symbol_is_rejected(engine):
    with pytest.raises(OrderRejected) as rejected:
        engine.submit("alice", "DOGEUSDT", BUY, OrderType.MARKET, quantity=D("1"))
    assert rejected.value.reason is RejectReason.UNKNOWN_SYMBOL


def test_client_order_id_is_unique_among_open_orders_only(engine):
    first = limit(engine, "alice", BUY, "0.1", "50000", client_order_id="my-order")
    with pytest.raises(OrderRejected) as rejected:
        limit(engine, "alice", BUY, "0.1", "50000", client_order_id="my-order")
    assert rejected.value.reason is RejectReason.DUPLICATE_CLIENT_ORDER_ID
    assert limit(engine, "bob", BUY, "0.1", "50000", client_order_id="my-order").order.status is OrderStatus.NEW

    engine.cancel("alice", SYMBOL, client_order_id="my-order")
    again = limit(engine, "alice", BUY, "0.1", "50000", client_order_id="my-order")

    assert again.order.order_id > first.order.order_id
    assert engine.get_order("alice", SYMBOL, client_order_id="my-order").order_id == again.order.order_id
    assert engine.get_order("alice", SYMBOL, order_id=first.order.order_id).status is OrderStatus.CANCELED


def test_generated_client_order_ids_are_22_alphanumerics(engine):
    ids = {limit(engine, "alice", BUY, "0.1", "50000").order.client_order_id for _ in range(20)}
    assert len(ids) == 20
    assert all(len(i) == 22 and i.isalnum() and i.isascii() for i in ids)


def test_cancel_releases_the_lock_and_a_second_cancel_is_unknown(engine, clock):
    order = limit(engine, "alice", BUY, "0.1", "50000").order
    clock.advance(5)

    cancelled = engine.cancel("alice", SYMBOL, order_id=order.order_id)

    assert cancelled.status is OrderStatus.CANCELED and cancelled.updated_ms == clock.now_ms
    assert engine.balances("alice")["USDT"] == Balance(D("1000000"), D("0"))
    assert engine.depth(SYMBOL) == ([], [])
    with pytest.raises(UnknownOrder):
        engine.cancel("alice", SYMBOL, order_id=order.order_id)
    with pytest.raises(UnknownOrder):
        engine.cancel("bob", SYMBOL, order_id=order.order_id)
    with pytest.raises(UnknownOrder):
        engine.get_order("alice", SYMBOL, order_id=10_000)


def test_cancel_all_cancels_only_that_accounts_orders_in_the_symbol(engine):
    limit(engine, "alice", BUY, "0.1", "50000")
    limit(engine, "alice", SELL, "0.1", "70000")
    kept = limit(engine, "bob", BUY, "0.1", "50000").order

    cancelled = engine.cancel_all("alice", SYMBOL)

    assert sorted(o.status.value for o in cancelled) == ["CANCELED", "CANCELED"]
    assert engine.open_orders("alice") == []
    assert [o.order_id for o in engine.open_orders("bob")] == [kept.order_id]


def test_returned_orders_are_snapshots(engine):
    result = limit(engine, "alice", BUY, "0.1", "50000")
    limit(engine, "bob", SELL, "0.1", "50000")
    assert result.order.status is OrderStatus.NEW
    assert engine.get_order("alice", SYMBOL, order_id=result.order.order_id).status is OrderStatus.FILLED


def test_update_id_increases_with_every_book_change(engine):
    ids = [engine.update_id(SYMBOL)]
    order = limit(engine, "alice", BUY, "0.1", "50000").order
    ids.append(engine.update_id(SYMBOL))
    engine.cancel("alice", SYMBOL, order_id=order.order_id)
    ids.append(engine.update_id(SYMBOL))
    assert ids[0] < ids[1] < ids[2]


def test_book_aggregates_per_price_in_depth_order(engine):
    for price in ("59990", "60000", "59995"):
        limit(engine, "alice", BUY, "0.1", price)
    limit(engine, "bob", BUY, "0.2", "60000")
    for price in ("60020", "60010"):
        limit(engine, "carol", SELL, "0.3", price)

    bids, asks = engine.depth(SYMBOL, limit=2)

    assert bids == [(D("60000"), D("0.3")), (D("59995"), D("0.1"))]
    assert asks == [(D("60010"), D("0.3")), (D("60020"), D("0.3"))]
