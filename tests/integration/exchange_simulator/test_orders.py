"""Order entry, query and cancel over real HTTP, with Binance's response shapes and error codes."""
from __future__ import annotations

from decimal import Decimal

import pytest


def _balances(client) -> dict[str, tuple[Decimal, Decimal]]:
    account = client.signed("GET", "/v3/account").json()
    return {b["asset"]: (Decimal(b["free"]), Decimal(b["locked"])) for b in account["balances"]}


def _below_bid(client, ticks: int = 500) -> str:
    bid = Decimal(client.book_ticker()["bidPrice"])
    return str(bid - Decimal("0.01") * ticks)


def test_market_buy_returns_full_response_with_fills(client):
    before = _balances(client)
    ask = Decimal(client.book_ticker()["askPrice"])
    response = client.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01",
                            newClientOrderId="mkt-buy-1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["symbol"] == "BTCUSDT" and body["orderListId"] == -1
    assert body["clientOrderId"] == "mkt-buy-1"
    assert body["status"] == "FILLED" and body["type"] == "MARKET" and body["side"] == "BUY"
    assert body["origQty"] == "0.01000000" and body["executedQty"] == "0.01000000"
    assert isinstance(body["transactTime"], int) and isinstance(body["orderId"], int)
    assert body["fills"], "a filled market order lists its fills"
    fill = body["fills"][0]
    assert set(fill) == {"price", "qty", "commission", "commissionAsset", "tradeId"}
    assert Decimal(fill["price"]) == ask and fill["commissionAsset"] == "BTC"
    assert sum(Decimal(f["qty"]) for f in body["fills"]) == Decimal("0.01")
    quote = sum(Decimal(f["price"]) * Decimal(f["qty"]) for f in body["fills"])
    assert Decimal(body["cummulativeQuoteQty"]) == quote
    commission = sum(Decimal(f["commission"]) for f in body["fills"])

    after = _balances(client)
    assert after["BTC"][0] == before["BTC"][0] + Decimal("0.01") - commission
    assert after["USDT"][0] == before["USDT"][0] - quote


def test_market_order_by_quote_quantity(client):
    response = client.order(symbol="ETHUSDT", side="BUY", type="MARKET", quoteOrderQty="100")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["origQuoteOrderQty"] == "100.00000000"
    assert Decimal(body["cummulativeQuoteQty"]) <= Decimal("100")
    assert Decimal(body["executedQty"]) > 0


def test_limit_order_rests_and_shows_everywhere(client):
    price = _below_bid(client, 0)  # joins the best bid...
    better = str(Decimal(price) + Decimal("0.01"))  # ...or improves it by one tick
    response = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                            quantity="0.002", price=better, newClientOrderId="rest-1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "NEW" and body["fills"] == [] and body["timeInForce"] == "GTC"
    assert body["price"] == f"{Decimal(better):.8f}"

    open_orders = client.signed("GET", "/v3/openOrders", symbol="BTCUSDT").json()
    assert [o["clientOrderId"] for o in open_orders] == ["rest-1"]
    assert open_orders[0]["isWorking"] is True

    ticker = client.book_ticker()
    assert Decimal(ticker["bidPrice"]) == Decimal(better) and Decimal(ticker["bidQty"]) == Decimal("0.002")
    depth = client.public("GET", "/v3/depth", symbol="BTCUSDT", limit=5).json()
    assert [Decimal(x) for x in depth["bids"][0]] == [Decimal(better), Decimal("0.002")]

    balances = _balances(client)
    assert balances["USDT"][1] == Decimal(better) * Decimal("0.002")


def test_query_by_order_id_and_client_order_id(client):
    placed = client.order(symbol="BTCUSDT", side="SELL", type="LIMIT", timeInForce="GTC", quantity="0.001",
                          price="90000", newClientOrderId="query-me").json()
    by_id = client.signed("GET", "/v3/order", symbol="BTCUSDT", orderId=placed["orderId"]).json()
    by_client = client.signed("GET", "/v3/order", symbol="BTCUSDT", origClientOrderId="query-me").json()
    assert by_id == by_client
    assert by_id["orderId"] == placed["orderId"] and by_id["status"] == "NEW"
    for key in ("time", "updateTime", "isWorking", "origQuoteOrderQty", "workingTime", "stopPrice", "icebergQty"):
        assert key in by_id
    assert isinstance(by_id["time"], int) and by_id["isWorking"] is True


def test_cancel_by_either_id(client):
    first = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                         price="50000", newClientOrderId="cancel-a").json()
    client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                 price="50000", newClientOrderId="cancel-b")
    canceled = client.signed("DELETE", "/v3/order", symbol="BTCUSDT", orderId=first["orderId"]).json()
    assert canceled["status"] == "CANCELED" and canceled["origClientOrderId"] == "cancel-a"
    assert canceled["clientOrderId"] != "cancel-a"
    by_client = client.signed("DELETE", "/v3/order", symbol="BTCUSDT", origClientOrderId="cancel-b",
                              newClientOrderId="my-cancel").json()
    assert by_client["status"] == "CANCELED" and by_client["clientOrderId"] == "my-cancel"
    assert client.signed("GET", "/v3/openOrders", symbol="BTCUSDT").json() == []
    assert _balances(client)["USDT"][1] == 0

    again = client.signed("DELETE", "/v3/order", symbol="BTCUSDT", orderId=first["orderId"])
    assert again.status_code == 400 and again.json() == {"code": -2011, "msg": "Unknown order sent."}
    queried = client.signed("GET", "/v3/order", symbol="BTCUSDT", orderId=first["orderId"]).json()
    assert queried["status"] == "CANCELED"


def test_cancel_all_open_orders_of_a_symbol(client):
    for n in range(2):
        client.order(symbol="SOLUSDT", side="SELL", type="LIMIT", timeInForce="GTC", quantity="1", price="400")
    canceled = client.signed("DELETE", "/v3/openOrders", symbol="SOLUSDT").json()
    assert [o["status"] for o in canceled] == ["CANCELED", "CANCELED"]


def test_response_types(client):
    ack = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                       price="50000", newOrderRespType="ACK").json()
    assert set(ack) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    result = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                          price="50000", newOrderRespType="RESULT").json()
    assert "fills" not in result and result["status"] == "NEW" and "workingTime" in result
    stop = client.order(symbol="BTCUSDT", side="SELL", type="STOP_LOSS_LIMIT", timeInForce="GTC",
                        quantity="0.001", price="40000", stopPrice="40001").json()
    assert set(stop) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}  # ACK by default
    queried = client.signed("GET", "/v3/order", symbol="BTCUSDT", orderId=stop["orderId"]).json()
    assert queried["isWorking"] is False and queried["stopPrice"] == "40001.00000000"


def test_limit_maker_that_would_take_is_rejected(client):
    ask = client.book_ticker()["askPrice"]
    response = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT_MAKER", quantity="0.001", price=ask)
    assert response.status_code == 400
    assert response.json() == {"code": -2010, "msg": "Order would immediately match and take."}


def test_insufficient_balance(client):
    response = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="5",
                            price="60000")
    assert response.status_code == 400
    assert response.json() == {"code": -2010, "msg": "Account has insufficient balance for requested action."}


def test_duplicate_client_order_id(client):
    params = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001", price="50000",
                  newClientOrderId="dup-1")
    assert client.order(**params).status_code == 200
    duplicate = client.order(**params)
    assert duplicate.status_code == 400
    assert duplicate.json() == {"code": -2010, "msg": "Duplicate order sent."}


@pytest.mark.parametrize("overrides, code, msg", [
    ({"price": "60000.001"}, -1013, "Filter failure: PRICE_FILTER"),
    ({"quantity": "0.000011"}, -1013, "Filter failure: LOT_SIZE"),
    ({"quantity": "0.00001", "price": "100"}, -1013, "Filter failure: NOTIONAL"),
    ({"symbol": "NOPEUSDT"}, -1121, "Invalid symbol."),
    ({"type": "LIMITED"}, -1116, "Invalid orderType."),
    ({"side": "HOLD"}, -1117, "Invalid side."),
    ({"timeInForce": "GTX"}, -1115, "Invalid timeInForce."),
    ({"symbol": None}, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."),
    ({"timeInForce": None}, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."),
    ({"quoteOrderQty": "10"}, -1106, "Parameter 'quoteOrderQty' sent when not required."),
    ({"stopPrice": "1"}, -1106, "Parameter 'stopPrice' sent when not required."),
    ({"quantity": "1e-3"}, -1100,
     "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."),
    ({"newClientOrderId": "has space"}, -1100,
     "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'."),
    ({"color": "blue"}, -1104, "Not all sent parameters were read; read '8' parameter(s) but was sent '9'."),
])
def test_order_errors(client, overrides, code, msg):
    params = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001", price="60000")
    params.update(overrides)
    params = {k: v for k, v in params.items() if v is not None}
    response = client.order(**params)
    assert response.status_code == 400, response.text
    assert response.json() == {"code": code, "msg": msg}


def test_market_order_parameter_rules(client):
    neither = client.order(symbol="BTCUSDT", side="BUY", type="MARKET")
    assert neither.json() == {"code": -1102,
                              "msg": "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"}
    with_price = client.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001", price="60000")
    assert with_price.json() == {"code": -1106, "msg": "Parameter 'price' sent when not required."}


def test_duplicate_parameter(sim, client):
    import time

    from exchange_simulator.binance.signing import sign
    query = f"symbol=BTCUSDT&symbol=ETHUSDT&timestamp={int(time.time() * 1000)}"
    response = client.http.get(f"{sim.api_url}/v3/openOrders?{query}&signature={sign(client.api_secret, query)}",
                               headers={"X-MBX-APIKEY": client.api_key})
    assert response.status_code == 400
    assert response.json() == {"code": -1101, "msg": "Duplicate values for a parameter detected."}


def test_unknown_order_query(client):
    response = client.signed("GET", "/v3/order", symbol="BTCUSDT", orderId=987654321)
    assert response.status_code == 400
    assert response.json() == {"code": -2013, "msg": "Order does not exist."}
    neither = client.signed("GET", "/v3/order", symbol="BTCUSDT")
    assert neither.json()["code"] == -1102
