"""Public Binance spot endpoints, answered in the exact shapes the real venue uses."""
from __future__ import annotations

import json
from decimal import Decimal


def test_ping_and_time(client, sim):
    assert client.public("GET", "/v3/ping").json() == {}
    server_time = client.public("GET", "/v3/time").json()["serverTime"]
    assert isinstance(server_time, int) and server_time > 1_600_000_000_000


def test_exchange_info_describes_symbols_with_binance_filters(client):
    info = client.public("GET", "/v3/exchangeInfo").json()
    assert info["timezone"] == "UTC"
    assert {(r["rateLimitType"], r["interval"], r["intervalNum"], r["limit"]) for r in info["rateLimits"]} == {
        ("REQUEST_WEIGHT", "MINUTE", 1, 6000), ("ORDERS", "SECOND", 10, 100), ("ORDERS", "DAY", 1, 200000)}
    symbols = {s["symbol"]: s for s in info["symbols"]}
    assert {"BTCUSDT", "ETHUSDT", "SOLUSDT"} <= set(symbols)
    btc = symbols["BTCUSDT"]
    assert (btc["status"], btc["baseAsset"], btc["quoteAsset"]) == ("TRADING", "BTC", "USDT")
    assert btc["baseAssetPrecision"] == 8 and btc["quotePrecision"] == 8 and btc["quoteAssetPrecision"] == 8
    assert btc["isSpotTradingAllowed"] is True and "SPOT" in btc["permissions"]
    assert set(btc["orderTypes"]) >= {"LIMIT", "MARKET", "LIMIT_MAKER", "STOP_LOSS_LIMIT"}
    filters = {f["filterType"]: f for f in btc["filters"]}
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01000000"
    assert filters["LOT_SIZE"]["stepSize"] == "0.00001000"
    assert filters["LOT_SIZE"]["minQty"] == "0.00001000"
    assert filters["NOTIONAL"]["minNotional"] == "5.00000000"
    assert filters["NOTIONAL"]["applyMinToMarket"] is True
    assert "MARKET_LOT_SIZE" in filters


def test_exchange_info_selects_symbols_and_rejects_unknown(client):
    one = client.public("GET", "/v3/exchangeInfo", symbol="ETHUSDT").json()
    assert [s["symbol"] for s in one["symbols"]] == ["ETHUSDT"]
    two = client.public("GET", "/v3/exchangeInfo", symbols=json.dumps(["BTCUSDT", "SOLUSDT"])).json()
    assert [s["symbol"] for s in two["symbols"]] == ["BTCUSDT", "SOLUSDT"]
    unknown = client.public("GET", "/v3/exchangeInfo", symbol="NOPEUSDT")
    assert unknown.status_code == 400
    assert unknown.json() == {"code": -1121, "msg": "Invalid symbol."}


def test_tickers_for_one_symbol_and_for_all(client):
    one = client.public("GET", "/v3/ticker/price", symbol="BTCUSDT").json()
    assert one["symbol"] == "BTCUSDT" and Decimal(one["price"]) > 0
    everything = client.public("GET", "/v3/ticker/price").json()
    assert {row["symbol"] for row in everything} >= {"BTCUSDT", "ETHUSDT", "SOLUSDT"}

    book = client.public("GET", "/v3/ticker/bookTicker", symbol="BTCUSDT").json()
    assert set(book) == {"symbol", "bidPrice", "bidQty", "askPrice", "askQty"}
    assert Decimal(book["bidPrice"]) < Decimal(book["askPrice"])
    assert len(book["bidPrice"].split(".")[1]) == 8
    all_books = client.public("GET", "/v3/ticker/bookTicker").json()
    assert isinstance(all_books, list) and len(all_books) >= 3


def test_depth_snapshot_is_sorted_and_limited(client):
    depth = client.public("GET", "/v3/depth", symbol="BTCUSDT", limit=5).json()
    assert isinstance(depth["lastUpdateId"], int)
    assert len(depth["bids"]) == 5 and len(depth["asks"]) == 5
    bids = [Decimal(p) for p, _ in depth["bids"]]
    asks = [Decimal(p) for p, _ in depth["asks"]]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert bids[0] < asks[0]
    assert all(isinstance(level, list) and all(isinstance(x, str) for x in level) for level in depth["bids"])


def test_depth_needs_a_symbol(client):
    response = client.public("GET", "/v3/depth")
    assert response.status_code == 400
    assert response.json() == {
        "code": -1102, "msg": "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."}


def test_unknown_path_and_wrong_method_answer_binance_json(client, sim):
    missing = client.public("GET", "/v3/nothingHere")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("application/json")
    assert missing.json()["code"] == -1000
    wrong = client.public("PATCH", "/v3/time")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == -1000


def test_every_response_reports_used_weight(client):
    first = client.public("GET", "/v3/ping")
    second = client.public("GET", "/v3/exchangeInfo")
    assert int(second.headers["X-MBX-USED-WEIGHT-1M"]) == int(first.headers["X-MBX-USED-WEIGHT-1M"]) + 20
    failed = client.public("GET", "/v3/depth", symbol="NOPE")
    assert int(failed.headers["X-MBX-USED-WEIGHT-1M"]) > int(second.headers["X-MBX-USED-WEIGHT-1M"])
