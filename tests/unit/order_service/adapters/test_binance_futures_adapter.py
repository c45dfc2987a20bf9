"""The Binance USD-M adapter against a scripted venue over real HTTP: paths, parameters, parsing, stream."""
from __future__ import annotations

import json
import time
from dataclasses import replace
from decimal import Decimal

import pytest

from order_service.adapters.binance_futures import BinanceFuturesAdapter, from_settings
from order_service.adapters.binance_futures.http import BinanceFuturesHttpClient
from order_service.adapters.binance_futures.order_params import new_order_params
from order_service.adapters.binance_futures.user_stream import FuturesUserDataStream
from shared.domain.enums import InstrumentKind, Liquidity, OrderStatus, OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected, VenueUnknownOutcome
from shared.domain.venue import VenueAdapter
from shared.settings import Secret, VenueSettings
from tests.unit.order_service.adapters.conftest import make_order as order
from tests.unit.order_service.adapters.test_binance_user_stream import DROP, FakeConnect


def answer(**overrides) -> dict:
    body = {"orderId": 7, "symbol": "BTCUSDT", "status": "NEW", "clientOrderId": "client-1", "price": "65000.00",
            "avgPrice": "0.00000", "origQty": "0.500", "executedQty": "0.000", "cumQty": "0.000",
            "cumQuote": "0.00000", "timeInForce": "GTC", "type": "LIMIT", "reduceOnly": False,
            "closePosition": False, "side": "BUY", "positionSide": "BOTH", "stopPrice": "0",
            "workingType": "CONTRACT_PRICE", "priceProtect": False, "origType": "LIMIT", "updateTime": 1_700_000_000_000}
    body.update(overrides)
    return body


def trade_update(client_id: str, x: str = "NEW", status: str = "NEW", trade_id: int = 0, last_qty: str = "0",
                 maker: bool = False) -> str:
    return json.dumps({"e": "ORDER_TRADE_UPDATE", "E": 1, "T": 2, "o": {
        "s": "BTCUSDT", "c": client_id, "S": "BUY", "o": "LIMIT", "f": "GTC", "q": "1.000", "p": "65000.00",
        "ap": "65000.00000" if last_qty != "0" else "0", "sp": "0", "x": x, "X": status, "i": 11, "l": last_qty,
        "z": last_qty, "L": "65000.00", "N": "USDT", "n": "13.00000000", "T": 3, "t": trade_id, "b": "0", "a": "0",
        "m": maker, "R": False, "wt": "CONTRACT_PRICE", "ot": "LIMIT", "ps": "BOTH", "cp": False, "rp": "0"}})


@pytest.fixture
def futures(fake_binance):
    fake_binance.reply("GET", "/v1/time", {"serverTime": int(time.time() * 1000)})
    return fake_binance


@pytest.fixture
def adapter(futures, config):
    venue = BinanceFuturesAdapter(replace(config, name="binance-futures"), sleep=lambda s: None)
    yield venue
    venue.close()


def test_is_a_venue_adapter_built_from_settings():
    settings = VenueSettings("binance-futures", "http://127.0.0.1:8100/binance-futures/fapi",
                             "ws://127.0.0.1:8100/binance-futures", Secret("k"), Secret("s"), True)
    adapter = from_settings(settings)
    assert isinstance(adapter, VenueAdapter) and adapter.name == "binance-futures"
    assert isinstance(adapter.http, BinanceFuturesHttpClient)


def test_order_parameters_speak_usd_m():
    params = new_order_params(order(post_only=True, reduce_only=True, client_order_id="a.b:c/d"))
    assert params == {"symbol": "BTCUSDT", "side": "BUY", "positionSide": "BOTH", "type": "LIMIT",
                      "timeInForce": "GTX", "quantity": "0.5", "price": "65000", "reduceOnly": "true",
                      "newClientOrderId": "a.b:c/d", "newOrderRespType": "RESULT"}
    market = new_order_params(order(type=OrderType.MARKET, price=None, time_in_force=None, side=Side.SELL))
    assert (market["type"], market["quantity"], "price" in market, "reduceOnly" in market) == \
        ("MARKET", "0.5", False, False)


@pytest.mark.parametrize("overrides", [
    {"type": OrderType.STOP_MARKET, "stop_price": Decimal("60000"), "price": None},
    {"time_in_force": TimeInForce.DAY},
    {"post_only": True, "time_in_force": TimeInForce.IOC},
    {"client_order_id": "has space"},
])
def test_what_usd_m_cannot_take_is_refused_before_sending(overrides):
    with pytest.raises(VenueRejected) as caught:
        new_order_params(order(**overrides))
    assert caught.value.code == "UNSUPPORTED"


def test_instruments_are_perpetuals_with_the_futures_min_notional(futures, adapter):
    futures.reply("GET", "/v1/exchangeInfo", {"symbols": [
        {"symbol": "BTCUSDT", "status": "TRADING", "contractType": "PERPETUAL", "baseAsset": "BTC",
         "quoteAsset": "USDT", "filters": [
             {"filterType": "PRICE_FILTER", "minPrice": "556.80", "maxPrice": "4529764", "tickSize": "0.10"},
             {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
             {"filterType": "MIN_NOTIONAL", "notional": "100"}]},
        {"symbol": "BTCUSDT_250926", "status": "TRADING", "contractType": "CURRENT_QUARTER", "baseAsset": "BTC",
         "quoteAsset": "USDT", "filters": []},
    ]})
    [btc] = adapter.load_instruments()
    assert (btc.venue, btc.kind, btc.tick_size, btc.step_size, btc.min_notional) == \
        ("binance-futures", InstrumentKind.PERPETUAL, Decimal("0.1"), Decimal("0.001"), Decimal("100"))


def test_a_market_order_that_traded_comes_back_with_its_fills(futures, adapter):
    futures.reply("POST", "/v1/order", answer(status="FILLED", type="MARKET", price="0.00", executedQty="0.500",
                                              cumQuote="32500.50000", avgPrice="65001.00000"))
    futures.reply("GET", "/v1/userTrades", [
        {"id": 5, "orderId": 7, "price": "65001.00", "qty": "0.500", "commission": "16.25025000",
         "commissionAsset": "USDT", "maker": False, "realizedPnl": "0", "time": 1_700_000_000_000}])

    report = adapter.submit(order(type=OrderType.MARKET, price=None, time_in_force=None))

    assert (report.status, report.filled_quantity, report.average_price) == \
        (OrderStatus.FILLED, Decimal("0.500"), Decimal("65001"))
    [fill] = report.fills
    assert (fill.venue_trade_id, fill.fee, fill.fee_asset, fill.liquidity) == \
        ("5", Decimal("16.25025000"), "USDT", Liquidity.TAKER)
    sent = futures.calls("POST", "/v1/order")[0].params
    assert sent["newOrderRespType"] == "RESULT" and "signature" in sent
    assert futures.calls("GET", "/v1/userTrades")[0].params["orderId"] == "7"


def test_a_failed_fill_read_leaves_the_fills_to_reconciliation(futures, adapter):
    futures.reply("POST", "/v1/order", answer(status="FILLED", executedQty="0.500", avgPrice="65000"))
    futures.reply("GET", "/v1/userTrades", {"code": -1000, "msg": "busy"}, status=503)
    report = adapter.submit(order())
    assert report.status is OrderStatus.FILLED and report.fills == ()


def test_venue_rejections_keep_binance_code_and_message(futures, adapter):
    futures.reply("POST", "/v1/order", {"code": -2019, "msg": "Margin is insufficient."}, status=400)
    with pytest.raises(VenueRejected) as caught:
        adapter.submit(order())
    assert (caught.value.code, caught.value.message) == (-2019, "Margin is insufficient.")


def test_a_5xx_on_submit_is_an_unknown_outcome_and_not_retried(futures, adapter):
    futures.reply("POST", "/v1/order", {"code": -1000, "msg": "oops"}, status=502)
    with pytest.raises(VenueUnknownOutcome):
        adapter.submit(order())
    assert len(futures.calls("POST", "/v1/order")) == 1


def test_query_cancel_and_open_orders_use_fapi_paths(futures, adapter):
    futures.reply("GET", "/v1/order", {"code": -2013, "msg": "Order does not exist."}, status=400)
    assert adapter.query(order()) is None
    futures.reply("DELETE", "/v1/order", answer(status="CANCELED"))
    canceled = adapter.cancel(order())
    assert canceled.status is OrderStatus.CANCELED and canceled.venue_order_id == "7"
    assert futures.calls("DELETE", "/v1/order")[0].params["origClientOrderId"] == "client-1"
    futures.reply("GET", "/v1/openOrders", [answer(), answer(clientOrderId="client-2", orderId=8)])
    assert [r.client_order_id for r in adapter.open_orders("BTCUSDT")] == ["client-1", "client-2"]


def test_amend_is_refused_as_unsupported(adapter):
    with pytest.raises(VenueRejected) as caught:
        adapter.amend(order(), None, Decimal("64000"))
    assert caught.value.code == "UNSUPPORTED"


def test_positions_come_from_position_risk(futures, adapter):
    futures.reply("GET", "/v2/positionRisk", [
        {"symbol": "BTCUSDT", "positionAmt": "-0.010", "entryPrice": "65000.0", "markPrice": "64000.00000000",
         "unRealizedProfit": "10.00000000", "leverage": "20", "positionSide": "BOTH"}])
    [position] = adapter.positions("BTCUSDT")
    assert (position.amount, position.entry_price, position.unrealized_pnl, position.leverage) == \
        (Decimal("-0.01"), Decimal("65000"), Decimal("10"), 20)


def test_user_stream_delivers_order_trade_updates(futures, config):
    futures.reply("POST", "/v1/listenKey", {"listenKey": "key-1"})
    stream_config = replace(config, ws_url="ws://venue.test/binance-futures")
    connect = FakeConnect(
        [json.dumps({"e": "ACCOUNT_UPDATE", "E": 1, "T": 1, "a": {"m": "ORDER", "B": [], "P": []}}),
         trade_update("a"), DROP],
        [trade_update("a", "TRADE", "FILLED", trade_id=9, last_qty="1.000", maker=True)],
    )
    reports, connections = [], []
    stream = FuturesUserDataStream(BinanceFuturesHttpClient(stream_config), stream_config, connect=connect,
                                   sleep=lambda s: None)

    stream.run(reports.append, lambda: len(reports) >= 2, on_connected=lambda: connections.append(1))

    assert connect.urls == ["ws://venue.test/binance-futures/ws/key-1"] * 2 and len(connections) == 2
    assert [r.status for r in reports] == [OrderStatus.NEW, OrderStatus.FILLED]
    fill = reports[1].fills[0]
    assert (fill.venue_trade_id, fill.quantity, fill.price, fill.fee, fill.fee_asset, fill.liquidity) == \
        ("9", Decimal("1.000"), Decimal("65000.00"), Decimal("13.00000000"), "USDT", Liquidity.MAKER)
    assert reports[1].average_price == Decimal("65000")


def test_listen_key_keepalive_and_close_name_no_key(futures, config):
    futures.reply("POST", "/v1/listenKey", {"listenKey": "key-1"})
    futures.reply("PUT", "/v1/listenKey", {"listenKey": "key-1"})
    futures.reply("DELETE", "/v1/listenKey", {})
    stream_config = replace(config, ws_url="ws://venue.test/binance-futures", keepalive_interval=0.0)
    connect = FakeConnect([trade_update("a")])
    reports = []
    stream = FuturesUserDataStream(BinanceFuturesHttpClient(stream_config), stream_config, connect=connect,
                                   sleep=lambda s: None)
    stream.run(reports.append, lambda: len(reports) >= 1)
    stream.close()
    assert futures.calls("PUT", "/v1/listenKey") and futures.calls("PUT", "/v1/listenKey")[0].query == ""
    assert futures.calls("DELETE", "/v1/listenKey")[0].query == ""
