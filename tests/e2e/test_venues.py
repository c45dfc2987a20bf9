"""Every venue through the order API: an order fills, its fill is recorded and its events are on the stream."""
from __future__ import annotations

from decimal import Decimal

import pytest

B3 = {"broker": "SIM", "account": "12345"}


@pytest.mark.parametrize("body", [
    {"venue": "binance", "symbol": "ETHUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.05"},
    {"venue": "binance-futures", "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002"},
    {"venue": "b3", "symbol": "BITH11", "side": "BUY", "type": "MARKET", "quantity": "10", **B3},
    {"venue": "b3", "symbol": "PETR4", "side": "SELL", "type": "MARKET", "quantity": "100", **B3},
    {"venue": "coinbase", "symbol": "BTC-USD", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
], ids=lambda body: f"{body['venue']}-{body['symbol']}")
def test_a_market_order_fills_on_every_venue(running, body):
    response = running.post_order(**body)
    order = response.json()
    assert response.status_code == 201, order
    settled = running.wait_for(order["id"], lambda o: o["status"] == "FILLED")
    assert settled["status"] == "FILLED", settled
    assert Decimal(settled["filled_quantity"]) == Decimal(body["quantity"])
    fills = running.http.get(f"{running.api}/api/v1/orders/{order['id']}/fills").json()["fills"]
    assert sum(Decimal(f["quantity"]) for f in fills) == Decimal(body["quantity"])
    assert all(f["venue_trade_id"] for f in fills)
    events = running.events(order["id"], until="order.filled")
    assert events[0]["type"] == "order.accepted" and events[-1]["type"] == "order.filled"
    assert events[-1]["fill"]["venue"] == body["venue"]


def test_b3_orders_need_broker_and_account(running):
    response = running.post_order(venue="b3", symbol="BITH11", side="BUY", type="MARKET", quantity="10")
    assert response.status_code == 422
    assert response.json()["field"] == "broker"


def test_b3_lot_rule_is_checked_before_the_venue(running):
    response = running.post_order(venue="b3", symbol="PETR4", side="BUY", type="LIMIT", quantity="130",
                                  price="30.00", **B3)
    problem = response.json()
    assert response.status_code == 422
    assert (problem["rule"], problem["nearest_valid"]) == ("lot_size", "100")


def test_a_resting_etf_order_fills_when_bitcoin_moves_its_inav(running):
    inav = Decimal(running.admin("GET", "/admin/fx").json()["inav"]["BITH11"])
    price = (inav * Decimal("0.97")).quantize(Decimal("0.01"))
    order = running.post_order(venue="b3", symbol="BITH11", side="BUY", type="LIMIT", quantity="20",
                               price=str(price), **B3).json()
    assert order["status"] == "NEW", order
    btc = Decimal(running.admin("GET", "/admin/markets?venue=binance").json()["markets"][0]["mid"])
    running.admin("POST", "/admin/markets/BTCUSDT/mid", venue="binance", price=str(btc * Decimal("0.95")))
    filled = running.wait_for(order["id"], lambda o: o["status"] == "FILLED")
    assert filled["status"] == "FILLED", filled
    assert Decimal(filled["average_price"]) <= price
    running.admin("POST", "/admin/markets/BTCUSDT/mid", venue="binance", price=str(btc))


def test_venues_lists_every_venue_without_secrets(running):
    venues = {v["name"]: v for v in running.http.get(f"{running.api}/api/v1/venues").json()["venues"]}
    assert set(venues) == {"binance", "binance-futures", "b3", "coinbase"}
    assert all(v["reachable"] and v["simulator"] and v["enabled"] for v in venues.values())
    text = running.http.get(f"{running.api}/api/v1/venues").text
    assert "sim-binance-secret" not in text and "PRIVATE KEY" not in text and "sim-flowa-secret" not in text
    instruments = running.http.get(f"{running.api}/api/v1/instruments", params={"venue": "b3"}).json()["instruments"]
    lots = {i["symbol"]: i["lot_size"] for i in instruments}
    assert lots["PETR4"] == "100" and lots["BITH11"] == "1"
