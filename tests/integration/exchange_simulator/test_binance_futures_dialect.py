"""The simulator's Binance USD-M dialect over real HTTP: market data, orders, margin, positions, errors."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tests.integration.exchange_simulator.support import BinanceClient, start_simulator

FAPI = "/binance-futures/fapi"


class Futures:
    """A running simulator seen from a USD-M client."""

    def __init__(self, running) -> None:
        self.sim = running
        self.client = BinanceClient(running.base_url + FAPI)
        self.ws_url = running.base_url.replace("http://", "ws://") + "/binance-futures"

    def order(self, **params):
        params.setdefault("symbol", "BTCUSDT")
        return self.client.signed("POST", "/v1/order", **params)

    def signed(self, method: str, path: str, **params):
        return self.client.signed(method, path, **params)

    def position(self, symbol: str = "BTCUSDT") -> dict:
        response = self.signed("GET", "/v2/positionRisk", symbol=symbol)
        assert response.status_code == 200, response.text
        return response.json()[0]

    def move_spot(self, symbol: str, price: str) -> None:
        response = self.sim.admin("POST", f"/admin/markets/{symbol}/mid", {"venue": "binance", "price": price})
        assert response.status_code == 200, response.text

    def book(self, symbol: str = "BTCUSDT") -> dict:
        return self.client.public("GET", "/v1/ticker/bookTicker", symbol=symbol).json()


@pytest.fixture
def futures():
    running, stop = start_simulator()
    venue = Futures(running)
    yield venue
    running.admin("POST", "/admin/faults", {"venue": "binance-futures", "kind": "drop_websockets"})
    venue.client.http.close()
    stop()


def error_of(response) -> tuple[int, int, str]:
    body = response.json()
    return response.status_code, body["code"], body["msg"]


# -- public endpoints ------------------------------------------------------------------------------

def test_ping_time_and_exchange_info_describe_perpetuals(futures):
    assert futures.client.public("GET", "/v1/ping").json() == {}
    assert futures.client.public("GET", "/v1/time").json()["serverTime"] > 0
    info = futures.client.public("GET", "/v1/exchangeInfo").json()
    symbols = {s["symbol"]: s for s in info["symbols"]}
    assert set(symbols) == {"BTCUSDT", "ETHUSDT", "SOLUSDT"}
    btc = symbols["BTCUSDT"]
    assert (btc["contractType"], btc["marginAsset"], btc["pricePrecision"], btc["quantityPrecision"]) == \
        ("PERPETUAL", "USDT", 2, 3)
    filters = {f["filterType"]: f for f in btc["filters"]}
    assert Decimal(filters["PRICE_FILTER"]["tickSize"]) == Decimal("0.1")
    assert Decimal(filters["LOT_SIZE"]["stepSize"]) == Decimal("0.001")
    assert "MARKET_LOT_SIZE" in filters and Decimal(filters["MIN_NOTIONAL"]["notional"]) == 100
    sol = {f["filterType"]: f for f in symbols["SOLUSDT"]["filters"]}
    assert Decimal(sol["LOT_SIZE"]["stepSize"]) == 1 and Decimal(sol["MIN_NOTIONAL"]["notional"]) == 5


def test_the_futures_book_follows_binance_spot(futures):
    before = futures.book()
    assert Decimal(before["bidPrice"]) < 65000 < Decimal(before["askPrice"])
    futures.move_spot("BTCUSDT", "66000")
    after = futures.book()
    assert Decimal(after["bidPrice"]) < 66000 < Decimal(after["askPrice"])
    mark = futures.client.public("GET", "/v1/premiumIndex", symbol="BTCUSDT").json()
    assert Decimal(mark["markPrice"]) == Decimal(mark["indexPrice"]) == 66000
    price = futures.client.public("GET", "/v1/ticker/price", symbol="BTCUSDT").json()
    assert Decimal(price["price"]) > 0
    depth = futures.client.public("GET", "/v1/depth", symbol="BTCUSDT", limit=5).json()
    assert len(depth["bids"]) == len(depth["asks"]) == 5
    assert error_of(futures.client.public("GET", "/v1/depth", symbol="NOPE"))[1] == -1121


# -- orders ----------------------------------------------------------------------------------------

def test_market_order_fills_and_opens_a_position_with_fees_in_usdt(futures):
    ask = Decimal(futures.book()["askPrice"])
    response = futures.order(side="BUY", type="MARKET", quantity="0.010", newOrderRespType="RESULT",
                             newClientOrderId="hedge.1:a/b")
    assert response.status_code == 200, response.text
    order = response.json()
    assert (order["status"], order["executedQty"], order["positionSide"], order["clientOrderId"]) == \
        ("FILLED", "0.010", "BOTH", "hedge.1:a/b")
    assert Decimal(order["avgPrice"]) == ask

    trades = futures.signed("GET", "/v1/userTrades", symbol="BTCUSDT", orderId=order["orderId"]).json()
    assert sum(Decimal(t["qty"]) for t in trades) == Decimal("0.010")
    assert all(t["commissionAsset"] == "USDT" and not t["maker"] for t in trades)
    fees = sum(Decimal(t["commission"]) for t in trades)
    assert fees == Decimal("0.010") * ask * Decimal("0.0005")

    position = futures.position()
    assert Decimal(position["positionAmt"]) == Decimal("0.01") and Decimal(position["entryPrice"]) == ask
    balance = futures.signed("GET", "/v2/balance").json()[0]
    assert Decimal(balance["balance"]) == Decimal("100000") - fees


def test_ack_is_the_default_answer(futures):
    order = futures.order(side="BUY", type="MARKET", quantity="0.010").json()
    assert (order["status"], order["executedQty"]) == ("NEW", "0.000")
    queried = futures.signed("GET", "/v1/order", symbol="BTCUSDT", orderId=order["orderId"]).json()
    assert queried["status"] == "FILLED" and "time" in queried


def test_unrealised_and_realised_pnl_follow_the_mark(futures):
    futures.order(side="BUY", type="MARKET", quantity="0.100")
    entry = Decimal(futures.position()["entryPrice"])
    futures.move_spot("BTCUSDT", "66000")
    position = futures.position()
    assert Decimal(position["markPrice"]) == 66000
    assert Decimal(position["unRealizedProfit"]) == (Decimal("66000") - entry) * Decimal("0.1")
    account = futures.signed("GET", "/v2/account").json()
    assert Decimal(account["totalUnrealizedProfit"]) == Decimal(position["unRealizedProfit"])

    close = futures.order(side="SELL", type="MARKET", quantity="0.100", reduceOnly="true",
                          newOrderRespType="RESULT").json()
    assert close["status"] == "FILLED" and close["reduceOnly"] is True
    trades = futures.signed("GET", "/v1/userTrades", symbol="BTCUSDT", orderId=close["orderId"]).json()
    realized = sum(Decimal(t["realizedPnl"]) for t in trades)
    assert realized == (Decimal(close["avgPrice"]) - entry) * Decimal("0.1") and realized > 0
    assert Decimal(futures.position()["positionAmt"]) == 0


def test_limit_order_rests_is_listed_and_cancels(futures):
    placed = futures.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.010", price="60000.00",
                           newClientOrderId="rest-1").json()
    assert placed["status"] == "NEW"
    listed = futures.signed("GET", "/v1/openOrders", symbol="BTCUSDT").json()
    assert [o["clientOrderId"] for o in listed] == ["rest-1"]
    account = futures.signed("GET", "/v2/account").json()
    assert Decimal(account["totalOpenOrderInitialMargin"]) == Decimal("600") / 20
    canceled = futures.signed("DELETE", "/v1/order", symbol="BTCUSDT", origClientOrderId="rest-1").json()
    assert canceled["status"] == "CANCELED"
    assert futures.signed("GET", "/v1/openOrders").json() == []
    assert error_of(futures.signed("DELETE", "/v1/order", symbol="BTCUSDT", origClientOrderId="rest-1"))[1:] == \
        (-2011, "Unknown order sent.")
    assert error_of(futures.signed("GET", "/v1/order", symbol="BTCUSDT", origClientOrderId="nope"))[1:] == \
        (-2013, "Order does not exist.")


def test_post_only_rests_as_maker_or_is_rejected(futures):
    book = futures.book()
    resting = futures.order(side="BUY", type="LIMIT", timeInForce="GTX", quantity="0.010", price=book["bidPrice"])
    assert resting.status_code == 200 and resting.json()["timeInForce"] == "GTX"
    taking = futures.order(side="BUY", type="LIMIT", timeInForce="GTX", quantity="0.010", price=book["askPrice"])
    status, code, msg = error_of(taking)
    assert (status, code) == (400, -5022) and msg.startswith("Due to the order could not be executed as maker")


def test_leverage_sets_the_margin_a_position_needs(futures):
    response = futures.signed("POST", "/v1/leverage", symbol="BTCUSDT", leverage=5)
    assert response.json() == {"leverage": 5, "maxNotionalValue": response.json()["maxNotionalValue"],
                               "symbol": "BTCUSDT"}
    futures.order(side="BUY", type="MARKET", quantity="0.100")
    position = futures.position()
    assert position["leverage"] == "5"
    account = futures.signed("GET", "/v2/account").json()
    notional = abs(Decimal(position["notional"]))
    assert Decimal(account["totalPositionInitialMargin"]) == notional / 5
    assert error_of(futures.signed("POST", "/v1/leverage", symbol="BTCUSDT", leverage=200))[1] == -4028


# -- rejections ------------------------------------------------------------------------------------

def test_margin_insufficient(futures):
    # 100000 USDT at 20x carries about 30 BTC of notional at 65000.
    assert error_of(futures.order(side="BUY", type="MARKET", quantity="40")) == (400, -2019, "Margin is insufficient.")
    assert Decimal(futures.position()["positionAmt"]) == 0


def test_reduce_only_may_not_open_or_flip(futures):
    assert error_of(futures.order(side="SELL", type="MARKET", quantity="0.010", reduceOnly="true")) == \
        (400, -2022, "ReduceOnly Order is rejected.")
    futures.order(side="BUY", type="MARKET", quantity="0.010")
    assert error_of(futures.order(side="SELL", type="MARKET", quantity="0.020", reduceOnly="true"))[1] == -2022
    assert error_of(futures.order(side="BUY", type="MARKET", quantity="0.010", reduceOnly="true"))[1] == -2022


def test_min_notional_is_waived_for_reduce_only(futures):
    assert error_of(futures.order(side="BUY", type="MARKET", quantity="0.001")) == (
        400, -4164, "Order's notional must be no smaller than 100 (unless you choose reduce only).")
    assert error_of(futures.order(symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                                  quantity="0.001", price="3000"))[2].startswith(
        "Order's notional must be no smaller than 20 ")
    futures.order(side="BUY", type="MARKET", quantity="0.002")
    closed = futures.order(side="SELL", type="MARKET", quantity="0.001", reduceOnly="true")
    assert closed.status_code == 200, closed.text


@pytest.mark.parametrize("params, code", [
    ({"positionSide": "LONG"}, -4061),
    ({"price": "60000.05"}, -1013),
    ({"quantity": "0.0105"}, -1013),
    ({"symbol": "XRPUSDT"}, -1121),
    ({"timeInForce": None}, -1102),
    ({"type": "STOP_LOSS"}, -1116),
    ({"timeInForce": "DAY"}, -1115),
    ({"newClientOrderId": "bad id!"}, -1100),
])
def test_malformed_orders(futures, params, code):
    order = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010", "price": "60000.00"}
    order.update(params)
    response = futures.order(**{k: v for k, v in order.items() if v is not None})
    assert error_of(response)[:2] == (400, code), response.text


def test_filter_failures_name_the_filter(futures):
    response = futures.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.010", price="60000.05")
    assert error_of(response)[2] == "Filter failure: PRICE_FILTER"


def test_authentication_errors(futures):
    assert error_of(futures.signed("GET", "/v2/balance", timestamp=1))[1] == -1021
    assert error_of(futures.signed("GET", "/v2/balance", secret="wrong"))[1] == -1022
    bad_key = BinanceClient(futures.client.base_url, api_key="unknown")
    assert error_of(bad_key.signed("GET", "/v2/balance"))[:2] == (401, -2015)
    no_key = BinanceClient(futures.client.base_url, api_key="")
    assert error_of(no_key.signed("GET", "/v2/balance"))[:2] == (401, -2014)


def test_injected_faults_and_rate_limits(futures):
    futures.sim.admin("POST", "/admin/faults", {"venue": "binance-futures", "kind": "http_5xx", "count": 1})
    assert futures.client.public("GET", "/v1/ping").status_code == 503
    futures.sim.admin("POST", "/admin/faults", {"venue": "binance-futures", "kind": "rate_limit_429", "count": 1})
    limited = futures.client.public("GET", "/v1/ping")
    assert (limited.status_code, limited.json()["code"]) == (429, -1003) and "Retry-After" in limited.headers
    ok = futures.client.public("GET", "/v1/ping")
    assert ok.status_code == 200 and "X-MBX-USED-WEIGHT-1M" in ok.headers


def test_unknown_paths_answer_in_binance_format(futures):
    response = futures.client.public("GET", "/v1/nothing")
    assert error_of(response)[:2] == (404, -1000)


def test_gtd_orders_expire_at_their_good_till_date(futures):
    good_till = int(time.time() * 1000) + 300
    placed = futures.order(side="BUY", type="LIMIT", timeInForce="GTD", goodTillDate=good_till, quantity="0.010",
                           price="60000.00", newClientOrderId="gtd-1")
    assert placed.status_code == 200 and placed.json()["goodTillDate"] == good_till
    assert error_of(futures.order(side="BUY", type="LIMIT", timeInForce="GTD", quantity="0.010",
                                  price="60000.00"))[1] == -1102
    time.sleep(0.4)
    queried = futures.signed("GET", "/v1/order", symbol="BTCUSDT", origClientOrderId="gtd-1").json()
    assert queried["status"] == "EXPIRED"
    assert futures.signed("GET", "/v1/openOrders").json() == []
