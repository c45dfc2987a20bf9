"""The synthetic market: seeded random walk, maker quotes and flow that trades through resting orders."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from exchange_simulator.engine import Engine, OrderStatus, OrderType, Side, TradePrinted
from exchange_simulator.market import (
    MarketConfig,
    SyntheticMarket,
    default_market_configs,
    default_symbol_specs,
    load_markets,
)

D = Decimal
BTC = "BTCUSDT"


def build(seed: int = 42, configs=None) -> tuple[Engine, SyntheticMarket]:
    engine = Engine(default_symbol_specs(), lambda: 1_700_000_000_000)
    market = SyntheticMarket(engine, configs if configs is not None else default_market_configs(), seed=seed)
    return engine, market


def snapshot(engine: Engine, market: SyntheticMarket):
    return [(s, market.mid(s), engine.depth(s), engine.last_trade_price(s)) for s in market.symbols]


def test_default_markets_have_binance_like_filters():
    specs = {s.symbol: s for s in default_symbol_specs()}
    assert set(specs) == {"BTCUSDT", "ETHUSDT", "SOLUSDT"}
    btc = specs["BTCUSDT"]
    assert (btc.tick_size, btc.step_size, btc.min_notional) == (D("0.01"), D("0.00001"), D("5"))
    assert (specs["ETHUSDT"].step_size, specs["SOLUSDT"].step_size) == (D("0.0001"), D("0.001"))
    assert all(s.max_qty == D("9000") and s.min_price == s.tick_size and s.max_price == D("1000000")
               for s in specs.values())
    mids = {c.symbol: c.mid for c in default_market_configs()}
    assert mids == {"BTCUSDT": D("65000"), "ETHUSDT": D("3500"), "SOLUSDT": D("150")}


def test_operator_markets_file_replaces_the_defaults(tmp_path):
    path = tmp_path / "markets.json"
    path.write_text(json.dumps({"symbols": [{
        "symbol": "DOGEUSDT", "base_asset": "DOGE", "quote_asset": "USDT",
        "tick_size": "0.00001", "step_size": "1", "min_qty": "1", "max_qty": "9000000",
        "min_price": "0.00001", "max_price": "1000", "min_notional": "1",
        "market": {"mid": "0.15", "volatility": "1.2", "levels": 3, "level_qty": "10000"},
    }]}))

    specs, configs = load_markets(str(path))

    assert [s.symbol for s in specs] == ["DOGEUSDT"] and specs[0].maker_fee == D("0.001")
    assert configs == [MarketConfig("DOGEUSDT", D("0.15"), D("1.2"), levels=3, level_qty=D("10000"))]


def test_a_broken_markets_file_is_reported(tmp_path):
    path = tmp_path / "markets.json"
    path.write_text('{"symbols": [{"symbol": "X"}]}')
    with pytest.raises(ValueError, match="markets.json"):
        load_markets(str(path))


def test_maker_quotes_levels_on_both_sides_of_the_mid():
    engine, market = build()
    for config in default_market_configs():
        bids, asks = engine.depth(config.symbol)
        spec = engine.symbols[config.symbol]
        assert len(bids) == len(asks) == config.levels
        assert bids[0][0] < market.mid(config.symbol) < asks[0][0]
        assert all(price % spec.tick_size == 0 for price, _ in bids + asks)
        assert all(config.level_qty * D("0.85") <= qty <= config.level_qty * D("1.15") for _, qty in bids + asks)


def test_same_seed_same_market_different_seed_different_market():
    runs = []
    for seed in (7, 7, 8):
        engine, market = build(seed)
        for _ in range(30):
            market.step(0.25)
        runs.append(snapshot(engine, market))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_steps_move_the_mid_and_keep_prices_on_the_tick_and_the_book_uncrossed():
    engine, market = build(3)
    start = market.mid(BTC)
    for _ in range(50):
        market.step(60.0)  # a minute a step, so the walk visibly moves
        bid, ask = engine.best_bid_ask(BTC)
        assert bid[0] < ask[0]
        assert market.mid(BTC) % D("0.01") == 0
    assert market.mid(BTC) != start


def test_paused_market_does_not_move():
    engine, market = build()
    before = snapshot(engine, market)
    market.paused = True
    market.step(60.0)
    assert snapshot(engine, market) == before


def test_resting_buy_fills_when_the_mid_moves_down_through_it():
    engine, market = build()
    engine.deposit("user", "USDT", D("100000"))
    order = engine.submit("user", BTC, Side.BUY, OrderType.LIMIT, quantity=D("0.1"), price=D("64900")).order

    market.set_mid(BTC, D("64800"))

    filled = engine.get_order("user", BTC, order_id=order.order_id)
    assert filled.status is OrderStatus.FILLED
    assert filled.cummulative_quote_qty == D("6490")  # at its own limit: it was the resting side
    assert engine.balances("user")["BTC"].free == D("0.1") - D("0.0001")
    assert market.mid(BTC) == D("64800")
    bid, ask = engine.best_bid_ask(BTC)
    assert bid[0] < D("64800") < ask[0]


def test_resting_sell_fills_when_the_mid_moves_up_to_it():
    engine, market = build()
    engine.deposit("user", "BTC", D("1"))
    order = engine.submit("user", BTC, Side.SELL, OrderType.LIMIT, quantity=D("0.3"), price=D("65200")).order

    market.set_mid(BTC, D("65100"))
    assert engine.get_order("user", BTC, order_id=order.order_id).status is OrderStatus.NEW
    market.set_mid(BTC, D("65200"))

    assert engine.get_order("user", BTC, order_id=order.order_id).status is OrderStatus.FILLED


def test_an_order_joining_the_makers_level_waits_behind_it():
    engine, market = build()
    best_ask, maker_qty = engine.best_bid_ask(BTC)[1]
    engine.deposit("user", "BTC", D("1"))
    engine.deposit("buyer", "USDT", D("1000000"))
    user = engine.submit("user", BTC, Side.SELL, OrderType.LIMIT, quantity=D("0.2"), price=best_ask).order

    engine.submit("buyer", BTC, Side.BUY, OrderType.LIMIT, quantity=maker_qty, price=best_ask)
    assert engine.get_order("user", BTC, order_id=user.order_id).executed_qty == 0

    engine.submit("buyer", BTC, Side.BUY, OrderType.LIMIT, quantity=D("0.05"), price=best_ask)
    assert engine.get_order("user", BTC, order_id=user.order_id).executed_qty == D("0.05")


def test_moving_through_a_shared_level_fills_the_maker_first():
    engine, market = build()
    best_ask, _ = engine.best_bid_ask(BTC)[1]
    maker_ids = {o.order_id for o in engine.open_orders(market.maker_account, BTC) if o.price == best_ask}
    engine.deposit("user", "BTC", D("1"))
    user = engine.submit("user", BTC, Side.SELL, OrderType.LIMIT, quantity=D("0.2"), price=best_ask).order
    trades = []
    engine.subscribe(lambda e: trades.append(e.trade) if isinstance(e, TradePrinted) else None)

    market.set_mid(BTC, best_ask)

    sellers = [t.seller_order_id for t in trades if t.price == best_ask]
    assert sellers[-1] == user.order_id and set(sellers[:-1]) == maker_ids
    assert engine.get_order("user", BTC, order_id=user.order_id).status is OrderStatus.FILLED


def test_a_tiny_remainder_is_still_traded_through():
    engine, market = build()
    engine.deposit("user", "BTC", D("1"))
    engine.deposit("other", "USDT", D("100000"))
    user = engine.submit("user", BTC, Side.SELL, OrderType.LIMIT, quantity=D("0.0001"), price=D("65500")).order
    # leave 0.00001 BTC (0.65 USDT, under the minimum notional) on the book
    engine.submit("other", BTC, Side.BUY, OrderType.LIMIT, quantity=D("0.00009"), price=D("65500"))

    market.set_mid(BTC, D("65600"))

    assert engine.get_order("user", BTC, order_id=user.order_id).status is OrderStatus.FILLED
