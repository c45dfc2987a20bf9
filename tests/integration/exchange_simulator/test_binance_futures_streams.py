"""The USD-M dialect's websockets: user data (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE) and market streams."""
from __future__ import annotations

import json
from contextlib import contextmanager
from decimal import Decimal

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.integration.exchange_simulator.support import receive_until
from tests.integration.exchange_simulator.test_binance_futures_dialect import futures  # noqa: F401 - fixture


def listen_key(futures) -> str:  # noqa: F811
    response = futures.client.http.post(futures.client.base_url + "/v1/listenKey",
                                        headers={"X-MBX-APIKEY": futures.client.api_key}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["listenKey"]


@contextmanager
def open_ws(futures, path: str):  # noqa: F811
    with connect(futures.ws_url + path, open_timeout=5, close_timeout=1) as ws:
        # A control round trip: the subscriptions in the URL are registered once it is answered.
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 0}))
        receive_until(ws, lambda m: m.get("id") == 0)
        yield ws


def order_updates(message: dict) -> bool:
    return message.get("e") == "ORDER_TRADE_UPDATE"


def test_a_resting_order_reports_new_then_its_fill_when_spot_moves_through_it(futures):  # noqa: F811
    key = listen_key(futures)
    with open_ws(futures, f"/ws/{key}") as ws:
        bid = Decimal(futures.book()["bidPrice"])
        price = bid - 100
        futures.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.010", price=f"{price:f}",
                      newClientOrderId="rest-1")
        new = receive_until(ws, order_updates)["o"]
        assert (new["c"], new["x"], new["X"], new["ps"], new["R"]) == ("rest-1", "NEW", "NEW", "BOTH", False)
        assert Decimal(new["b"]) == price * Decimal("0.010")

        futures.move_spot("BTCUSDT", f"{price - 50:f}")
        trade = receive_until(ws, lambda m: order_updates(m) and m["o"]["x"] == "TRADE")
        fill = trade["o"]
        assert (fill["X"], fill["m"], fill["N"]) == ("FILLED", True, "USDT")
        assert Decimal(fill["l"]) == Decimal(fill["z"]) == Decimal("0.010") and Decimal(fill["L"]) == price
        assert Decimal(fill["n"]) == price * Decimal("0.010") * Decimal("0.0002")
        assert fill["t"] > 0 and Decimal(fill["rp"]) == 0

        account = receive_until(ws, lambda m: m.get("e") == "ACCOUNT_UPDATE")["a"]
        assert account["m"] == "ORDER"
        [position] = account["P"]
        assert (position["s"], Decimal(position["pa"]), Decimal(position["ep"])) == \
            ("BTCUSDT", Decimal("0.010"), price)
        assert Decimal(account["B"][0]["wb"]) == Decimal("100000") - Decimal(fill["n"])


def test_cancel_is_reported(futures):  # noqa: F811
    key = listen_key(futures)
    with open_ws(futures, f"/ws/{key}") as ws:
        futures.order(side="SELL", type="LIMIT", timeInForce="GTC", quantity="0.010", price="70000.00",
                      newClientOrderId="c-1")
        futures.signed("DELETE", "/v1/order", symbol="BTCUSDT", origClientOrderId="c-1")
        canceled = receive_until(ws, lambda m: order_updates(m) and m["o"]["x"] == "CANCELED")["o"]
        assert (canceled["c"], canceled["X"]) == ("c-1", "CANCELED")


def test_listen_key_keepalive_and_close(futures):  # noqa: F811
    key = listen_key(futures)
    headers = {"X-MBX-APIKEY": futures.client.api_key}
    base = futures.client.base_url + "/v1/listenKey"
    assert futures.client.http.put(base, headers=headers, timeout=5).json() == {"listenKey": key}
    assert listen_key(futures) == key  # one key per account
    assert futures.client.http.delete(base, headers=headers, timeout=5).status_code == 200
    closed = futures.client.http.put(base, headers=headers, timeout=5)
    assert (closed.status_code, closed.json()["code"]) == (400, -1125)


def test_market_streams(futures):  # noqa: F811
    with open_ws(futures, "/stream?streams=btcusdt@bookTicker/btcusdt@aggTrade/btcusdt@markPrice@1s") as ws:
        futures.move_spot("BTCUSDT", "65500")
        latest: dict[str, dict] = {}
        receive_until(ws, lambda m: latest.update({m["stream"]: m["data"]}) or len(latest) == 3)
        ticker, trade, mark = (latest[f"btcusdt@{n}"] for n in ("bookTicker", "aggTrade", "markPrice@1s"))
        assert ticker["e"] == "bookTicker" and Decimal(ticker["b"]) < 65500 < Decimal(ticker["a"])
        assert trade["e"] == "aggTrade" and trade["s"] == "BTCUSDT" and Decimal(trade["q"]) > 0
        assert mark["e"] == "markPriceUpdate" and Decimal(mark["p"]) == 65500


def test_an_unknown_stream_name_is_refused(futures):  # noqa: F811
    with connect(futures.ws_url + "/ws/btcusdt@kline_1m", open_timeout=5, close_timeout=1) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 1008 and "Invalid stream name" in closed.value.rcvd.reason
