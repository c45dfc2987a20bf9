"""Market data streams, the user data stream and the websocket control messages."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from websockets.exceptions import ConnectionClosed

from tests.integration.exchange_simulator.support import receive_json, receive_until


def _execution(message: dict, execution_type: str) -> bool:
    return message.get("e") == "executionReport" and message["x"] == execution_type


def test_user_stream_reports_new_order_and_balances(sim, client):
    key = client.listen_key()
    with sim.ws(f"/ws/{key}") as ws:
        placed = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                              price="60000", newClientOrderId="stream-new").json()
        report = receive_until(ws, lambda m: _execution(m, "NEW"))
        assert report["s"] == "BTCUSDT" and report["c"] == "stream-new" and report["i"] == placed["orderId"]
        assert (report["S"], report["o"], report["f"], report["X"]) == ("BUY", "LIMIT", "GTC", "NEW")
        assert report["q"] == "0.00100000" and report["p"] == "60000.00000000"
        assert report["t"] == -1 and report["w"] is True and report["r"] == "NONE"
        for key_ in ("E", "T", "O", "l", "z", "L", "n", "N", "m", "Z", "Y", "Q", "C", "P"):
            assert key_ in report
        position = receive_until(ws, lambda m: m.get("e") == "outboundAccountPosition")
        usdt = next(b for b in position["B"] if b["a"] == "USDT")
        assert Decimal(usdt["l"]) == Decimal("60")


def test_user_stream_reports_trades_with_fill_details(sim, client):
    key = client.listen_key()
    with sim.ws(f"/ws/{key}") as ws:
        body = client.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01").json()
        trade = receive_until(ws, lambda m: _execution(m, "TRADE"))
        first_fill = body["fills"][0]
        assert trade["i"] == body["orderId"] and trade["t"] == first_fill["tradeId"]
        assert trade["L"] == first_fill["price"] and trade["l"] == first_fill["qty"]
        assert trade["n"] == first_fill["commission"] and trade["N"] == "BTC"
        assert trade["m"] is False
        assert len(body["fills"]) == 1  # the best level is deeper than the order
        assert trade["X"] == "FILLED" and trade["z"] == "0.01000000" and trade["Z"] == body["cummulativeQuoteQty"]
        receive_until(ws, lambda m: m.get("e") == "outboundAccountPosition")


def test_cancel_report_carries_both_client_ids(sim, client):
    key = client.listen_key()
    with sim.ws(f"/ws/{key}") as ws:
        client.order(symbol="ETHUSDT", side="SELL", type="LIMIT", timeInForce="GTC", quantity="0.1", price="9000",
                     newClientOrderId="to-cancel")
        client.signed("DELETE", "/v3/order", symbol="ETHUSDT", origClientOrderId="to-cancel",
                      newClientOrderId="the-cancel")
        report = receive_until(ws, lambda m: _execution(m, "CANCELED"))
        assert report["c"] == "the-cancel" and report["C"] == "to-cancel" and report["X"] == "CANCELED"


def test_set_mid_through_a_resting_order_fills_it_and_reports(sim, client):
    key = client.listen_key()
    bid = Decimal(client.book_ticker()["bidPrice"])
    price = bid - 100
    placed = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                          price=str(price)).json()
    with sim.ws(f"/ws/{key}") as ws:
        moved = sim.admin("POST", "/admin/markets/BTCUSDT/mid", {"price": str(price - 50)})
        assert moved.status_code == 200, moved.text
        report = receive_until(ws, lambda m: _execution(m, "TRADE"))
        assert report["i"] == placed["orderId"] and report["X"] == "FILLED" and report["m"] is True
        assert Decimal(report["L"]) == price
    queried = client.signed("GET", "/v3/order", symbol="BTCUSDT", orderId=placed["orderId"]).json()
    assert queried["status"] == "FILLED" and queried["executedQty"] == "0.00100000"


def test_market_streams_push_book_ticker_trades_and_depth(sim, client):
    with sim.ws("/ws/btcusdt@bookTicker/btcusdt@trade/btcusdt@depth") as ws:
        bid = Decimal(client.book_ticker()["bidPrice"])
        improved = bid + Decimal("0.01")
        client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.003",
                     price=str(improved))
        seen: dict[str, dict] = {}
        while len(seen) < 2:
            message = receive_json(ws)
            seen["depth" if message.get("e") == "depthUpdate" else "ticker" if "e" not in message else "other"] = message
            seen.pop("other", None)
        ticker, depth = seen["ticker"], seen["depth"]
        assert set(ticker) == {"u", "s", "b", "B", "a", "A"}
        assert Decimal(ticker["b"]) == improved and Decimal(ticker["B"]) == Decimal("0.003")
        assert depth["s"] == "BTCUSDT" and depth["U"] <= depth["u"]
        assert [f"{improved:.8f}", "0.00300000"] in depth["b"]

        ask = Decimal(ticker["a"])
        client.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        trade = receive_until(ws, lambda m: m.get("e") == "trade")
        assert trade["s"] == "BTCUSDT" and Decimal(trade["p"]) == ask and trade["q"] == "0.00100000"
        assert trade["m"] is False and trade["M"] is True and isinstance(trade["t"], int)


def test_depth_updates_replay_onto_a_snapshot(sim, client):
    """The diff stream applied to a REST snapshot reproduces the book, as Binance's sync recipe expects."""
    with sim.ws("/ws/solusdt@depth@100ms") as ws:
        snapshot = client.public("GET", "/v3/depth", symbol="SOLUSDT", limit=1000).json()
        book = {"b": {Decimal(p): Decimal(q) for p, q in snapshot["bids"]},
                "a": {Decimal(p): Decimal(q) for p, q in snapshot["asks"]}}
        client.order(symbol="SOLUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="2", price="149.50")
        client.order(symbol="SOLUSDT", side="BUY", type="MARKET", quantity="5")
        sim.admin("POST", "/admin/markets/SOLUSDT/mid", {"price": "149"})
        last_u = snapshot["lastUpdateId"]
        final = client.public("GET", "/v3/depth", symbol="SOLUSDT", limit=1000).json()
        while last_u < final["lastUpdateId"]:
            event = receive_json(ws)
            if event["u"] <= snapshot["lastUpdateId"]:
                continue
            assert event["U"] <= last_u + 1 <= event["u"]
            for side in ("b", "a"):
                for price, qty in event[side]:
                    if Decimal(qty) == 0:
                        book[side].pop(Decimal(price), None)
                    else:
                        book[side][Decimal(price)] = Decimal(qty)
            last_u = event["u"]
    assert sorted(book["b"].items(), reverse=True) == [(Decimal(p), Decimal(q)) for p, q in final["bids"]]
    assert sorted(book["a"].items()) == [(Decimal(p), Decimal(q)) for p, q in final["asks"]]


def test_combined_stream_wraps_frames(sim, client):
    key = client.listen_key()
    with sim.ws(f"/stream?streams=ethusdt@trade/{key}") as ws:
        client.order(symbol="ETHUSDT", side="BUY", type="MARKET", quantity="0.01")
        trade = receive_until(ws, lambda m: m["stream"] == "ethusdt@trade")
        assert trade["data"]["e"] == "trade" and trade["data"]["s"] == "ETHUSDT"
        report = receive_until(ws, lambda m: m["stream"] == key)
        assert report["data"]["e"] == "executionReport"


def test_subscribe_unsubscribe_and_list(sim, client):
    with sim.ws("/ws") as ws:
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@trade", "ethusdt@bookTicker"], "id": 1}))
        assert receive_json(ws) == {"result": None, "id": 1}
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 2}))
        assert receive_json(ws) == {"result": ["btcusdt@trade", "ethusdt@bookTicker"], "id": 2}
        ws.send(json.dumps({"method": "UNSUBSCRIBE", "params": ["ethusdt@bookTicker"], "id": 3}))
        assert receive_json(ws) == {"result": None, "id": 3}
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 4}))
        assert receive_json(ws) == {"result": ["btcusdt@trade"], "id": 4}
        client.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
        assert receive_json(ws)["e"] == "trade"
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["nope@trade"], "id": 5}))
        error = receive_json(ws)
        assert error["id"] == 5 and error["error"]["code"] == 2
        ws.send("not json")
        assert receive_json(ws)["error"]["code"] == 3


def test_invalid_stream_name_closes_the_connection(sim):
    with sim.ws("/ws/btcusdt@nonsense", sync=False) as ws:
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)


def test_closed_listen_key_ends_the_user_stream(sim, client):
    key = client.listen_key()
    with sim.ws(f"/ws/{key}") as ws:
        client.http.delete(sim.api_url + "/v3/userDataStream", params={"listenKey": key},
                           headers={"X-MBX-APIKEY": client.api_key})
        expired = receive_until(ws, lambda m: m.get("e") == "listenKeyExpired")
        assert expired["listenKey"] == key
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
