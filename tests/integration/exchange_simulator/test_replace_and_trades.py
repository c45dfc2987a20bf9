"""POST /v3/order/cancelReplace and GET /v3/myTrades."""
from __future__ import annotations

from decimal import Decimal


def _resting(client, client_id: str, price: str = "50000") -> dict:
    response = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.002",
                            price=price, newClientOrderId=client_id)
    assert response.status_code == 200, response.text
    return response.json()


def test_cancel_replace_swaps_the_order(client):
    original = _resting(client, "amend-me")
    response = client.signed("POST", "/v3/order/cancelReplace", symbol="BTCUSDT", side="BUY", type="LIMIT",
                             timeInForce="GTC", quantity="0.003", price="51000", cancelReplaceMode="STOP_ON_FAILURE",
                             cancelOrigClientOrderId="amend-me", newClientOrderId="amend-me-r1",
                             newOrderRespType="FULL")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cancelResult"] == "SUCCESS" and body["newOrderResult"] == "SUCCESS"
    assert body["cancelResponse"]["orderId"] == original["orderId"]
    assert body["cancelResponse"]["status"] == "CANCELED"
    assert body["newOrderResponse"]["clientOrderId"] == "amend-me-r1"
    assert body["newOrderResponse"]["origQty"] == "0.00300000"
    open_orders = client.signed("GET", "/v3/openOrders", symbol="BTCUSDT").json()
    assert [(o["clientOrderId"], o["price"]) for o in open_orders] == [("amend-me-r1", "51000.00000000")]


def test_cancel_replace_of_an_unknown_order_stops(client):
    response = client.signed("POST", "/v3/order/cancelReplace", symbol="BTCUSDT", side="BUY", type="LIMIT",
                             timeInForce="GTC", quantity="0.003", price="51000", cancelReplaceMode="STOP_ON_FAILURE",
                             cancelOrigClientOrderId="never-existed")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == -2022 and body["msg"] == "Order cancel-replace failed."
    assert body["data"]["cancelResult"] == "FAILURE" and body["data"]["newOrderResult"] == "NOT_ATTEMPTED"
    assert body["data"]["cancelResponse"] == {"code": -2011, "msg": "Unknown order sent."}
    assert client.signed("GET", "/v3/openOrders", symbol="BTCUSDT").json() == []


def test_cancel_replace_whose_new_order_fails_is_a_partial_failure(client):
    _resting(client, "will-go")
    response = client.signed("POST", "/v3/order/cancelReplace", symbol="BTCUSDT", side="BUY", type="LIMIT",
                             timeInForce="GTC", quantity="5", price="51000", cancelReplaceMode="STOP_ON_FAILURE",
                             cancelOrigClientOrderId="will-go")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == -2021
    assert body["data"]["cancelResult"] == "SUCCESS" and body["data"]["newOrderResult"] == "FAILURE"
    assert body["data"]["newOrderResponse"]["code"] == -2010


def test_my_trades_lists_the_executions_of_an_order(client):
    bought = client.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.6").json()
    client.order(symbol="ETHUSDT", side="BUY", type="MARKET", quantity="0.1")
    trades = client.signed("GET", "/v3/myTrades", symbol="BTCUSDT", orderId=bought["orderId"]).json()
    assert [t["id"] for t in trades] == [f["tradeId"] for f in bought["fills"]]
    assert len(trades) >= 2  # 0.6 BTC walks more than one maker level
    first = trades[0]
    assert first["symbol"] == "BTCUSDT" and first["orderId"] == bought["orderId"] and first["orderListId"] == -1
    assert first["isBuyer"] is True and first["isMaker"] is False and first["commissionAsset"] == "BTC"
    assert Decimal(first["quoteQty"]) == Decimal(first["price"]) * Decimal(first["qty"])
    assert isinstance(first["time"], int)
    everything = client.signed("GET", "/v3/myTrades", symbol="BTCUSDT").json()
    assert [t["id"] for t in everything] == [t["id"] for t in trades]
    later = client.signed("GET", "/v3/myTrades", symbol="BTCUSDT", fromId=trades[1]["id"], limit=1).json()
    assert [t["id"] for t in later] == [trades[1]["id"]]
    assert client.signed("GET", "/v3/myTrades", symbol="SOLUSDT").json() == []
    assert client.signed("GET", "/v3/myTrades").json()["code"] == -1102
