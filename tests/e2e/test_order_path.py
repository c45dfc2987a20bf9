"""End to end: REST order -> order service -> Binance adapter -> simulator -> fills -> events on the stream."""
from __future__ import annotations

from decimal import Decimal


def test_market_order_fills_and_its_events_are_on_the_stream_once_in_order(running):
    response = running.post_order(venue="binance", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01")
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "FILLED"
    assert Decimal(order["filled_quantity"]) == Decimal("0.01")
    assert isinstance(order["average_price"], str) and Decimal(order["average_price"]) > 0
    events = running.events(order["id"], until="order.filled")
    assert [e["type"] for e in events] == ["order.accepted", "order.filled"]
    fills = running.http.get(f"{running.api}/api/v1/orders/{order['id']}/fills").json()["fills"]
    assert sum(Decimal(f["quantity"]) for f in fills) == Decimal("0.01")
    # The fill is in the account's position, bought at the order's average price.
    response = running.post_order(venue="binance", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01",
                                  account="e2e-positions")
    bought = response.json()
    (position,) = running.http.get(f"{running.api}/api/v1/positions",
                                   params={"venue": "binance", "account": "e2e-positions"}).json()["positions"]
    assert (position["symbol"], Decimal(position["net_quantity"])) == ("BTCUSDT", Decimal("0.01"))
    assert abs(Decimal(position["average_entry_price"]) - Decimal(bought["average_price"])) < Decimal("1e-8")


def test_a_resting_limit_order_fills_when_the_market_trades_through_it(running):
    bid, ask = running.best()
    price = (bid * Decimal("0.98")).quantize(Decimal("0.01"))
    order = running.post_order(venue="binance", symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.002",
                               price=str(price)).json()
    assert order["status"] == "NEW", order
    running.admin("POST", "/admin/markets/BTCUSDT/mid", price=str(price * Decimal("0.99")))
    filled = running.wait_for(order["id"], lambda o: o["status"] == "FILLED")
    assert filled["status"] == "FILLED", filled
    assert Decimal(filled["average_price"]) <= price
    types = [e["type"] for e in running.events(order["id"], until="order.filled")]
    assert types[0] == "order.accepted" and types[-1] == "order.filled"
    fills = running.http.get(f"{running.api}/api/v1/orders/{order['id']}/fills").json()["fills"]
    assert len(fills) == len(types) - 1  # one event per fill, none applied twice
    running.admin("POST", "/admin/markets/BTCUSDT/mid", price=str(bid))


def test_cancel_a_resting_order(running):
    bid, _ = running.best()
    order = running.post_order(venue="binance", symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.001",
                               price=str((bid * Decimal("0.9")).quantize(Decimal("0.01")))).json()
    response = running.http.delete(f"{running.api}/api/v1/orders/{order['id']}")
    assert response.status_code == 200 and response.json()["status"] == "CANCELED"
    again = running.http.delete(f"{running.api}/api/v1/orders/{order['id']}")
    assert again.status_code == 409 and again.json()["order_status"] == "CANCELED"
    assert [e["type"] for e in running.events(order["id"], until="order.canceled")] == ["order.accepted",
                                                                                         "order.canceled"]


def test_venue_rejection_reaches_the_user_with_binance_code(running):
    response = running.post_order(venue="binance", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="5000")
    order = response.json()
    assert response.status_code == 201
    assert order["status"] == "REJECTED" and order["reject_code"] == "-2010"
    assert "insufficient balance" in order["reject_reason"]


def test_unknown_outcome_is_reconciled_not_resubmitted(running):
    running.admin("POST", "/admin/faults", venue="binance", kind="timeout_1007", count=1, execute=True,
                  path="/binance/api/v3/order")
    bid, _ = running.best()
    response = running.post_order(venue="binance", symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.001",
                                  price=str((bid * Decimal("0.9")).quantize(Decimal("0.01"))))
    assert response.status_code == 202, response.text
    order = response.json()
    # PENDING_NEW, unless the venue's execution stream already told the worker the order is live.
    assert order["status"] in ("PENDING_NEW", "NEW") and order["needs_reconcile"]
    settled = running.wait_for(order["id"], lambda o: o["status"] == "NEW" and not o["needs_reconcile"])
    assert settled["status"] == "NEW" and not settled["needs_reconcile"], settled
    at_venue = [r for r in running.venue_adapter().open_orders()
                if r.client_order_id == order["client_order_id"]]
    assert len(at_venue) == 1  # asked about, never sent twice
    running.http.delete(f"{running.api}/api/v1/orders/{order['id']}")


def test_bad_input_is_a_clear_422(running):
    response = running.post_order(venue="binance", symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.001",
                                  price="65000.001")
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "price" and problem["nearest_valid"] == "65000.00"
    assert running.post_order(venue="binance", symbol="NOPE", side="BUY", type="MARKET",
                              quantity="1").json()["field"] == "symbol"


def test_amend_keeps_the_order_and_the_venue_has_the_new_price(running):
    bid, _ = running.best()
    order = running.post_order(venue="binance", symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.001",
                               price=str((bid * Decimal("0.9")).quantize(Decimal("0.01")))).json()
    new_price = str((bid * Decimal("0.91")).quantize(Decimal("0.01")))
    response = running.http.patch(f"{running.api}/api/v1/orders/{order['id']}", json={"price": new_price}, timeout=30)
    amended = response.json()
    assert response.status_code == 200, amended
    assert (amended["id"], amended["client_order_id"], amended["price"]) == (order["id"], order["client_order_id"],
                                                                             new_price)
    assert amended["venue_order_id"] != order["venue_order_id"]
    at_venue = {r.venue_order_id: r for r in running.venue_adapter().open_orders()}
    assert at_venue[amended["venue_order_id"]].price == Decimal(new_price)
    assert order["venue_order_id"] not in at_venue
    types = [e["type"] for e in running.events(order["id"], until="order.amended")]
    assert types == ["order.accepted", "order.amended"]
    canceled = running.http.delete(f"{running.api}/api/v1/orders/{order['id']}").json()
    assert canceled["status"] == "CANCELED"
