"""The order API as a client sees it, against a fake venue and a real SQLite store."""
from __future__ import annotations

from decimal import Decimal

from shared.domain import VenueRejected, VenueTemporaryError, VenueUnknownOutcome

MARKET = {"venue": "fake", "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}
LIMIT = {"venue": "fake", "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.01",
         "price": "60000"}


def test_market_order_fills_and_publishes_accepted_then_filled(client, bus):
    response = client.post("/api/v1/orders", json=MARKET)
    assert response.status_code == 201
    order = response.get_json()
    assert order["status"] == "FILLED"
    assert order["filled_quantity"] == "0.01"
    assert order["average_price"] == "65000"
    assert response.headers["Location"] == f"/api/v1/orders/{order['id']}"
    assert bus.types(order["id"]) == ["order.accepted", "order.filled"]
    fills = client.get(f"/api/v1/orders/{order['id']}/fills").get_json()["fills"]
    assert [(f["quantity"], f["price"], f["fee_asset"]) for f in fills] == [("0.01", "65000", "BTC")]


def test_numbers_are_read_as_decimals_not_floats(client):
    body = {**LIMIT, "quantity": 0.1, "price": 60000.1}
    order = client.post("/api/v1/orders", json=body).get_json()
    assert (order["quantity"], order["price"]) == ("0.1", "60000.1")


def test_limit_order_rests_as_new(client):
    order = client.post("/api/v1/orders", json=LIMIT).get_json()
    assert order["status"] == "NEW"
    assert order["venue_order_id"].startswith("v-")
    assert order["time_in_force"] == "GTC"


def test_validation_errors_name_the_field(client):
    cases = [
        ({**LIMIT, "price": None}, "price"),
        ({**MARKET, "quantity": "-1"}, "quantity"),
        ({**MARKET, "quantity": "lots"}, "quantity"),
        ({**MARKET, "side": "HOLD"}, "side"),
        ({**MARKET, "colour": "red"}, "colour"),
        ({**MARKET, "price": "1"}, "price"),
        ({**LIMIT, "post_only": True, "time_in_force": "IOC"}, "time_in_force"),
        ({k: v for k, v in MARKET.items() if k != "venue"}, "venue"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/orders", json=body)
        assert response.status_code == 422, body
        assert response.content_type == "application/problem+json"
        problem = response.get_json()
        assert problem["field"] == field, problem
        assert problem["status"] == 422 and problem["detail"]


def test_malformed_and_missing_bodies_are_400(client):
    response = client.post("/api/v1/orders", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["title"] == "Malformed JSON"
    assert client.post("/api/v1/orders").status_code == 400
    assert client.post("/api/v1/orders", json=[1, 2]).status_code == 422


def test_unknown_venue_and_symbol_are_named(client):
    problem = client.post("/api/v1/orders", json={**MARKET, "venue": "nyse"}).get_json()
    assert (problem["status"], problem["field"]) == (422, "venue")
    assert "nyse" in problem["detail"]
    problem = client.post("/api/v1/orders", json={**MARKET, "symbol": "DOGEUSDT"}).get_json()
    assert (problem["status"], problem["field"]) == (422, "symbol")
    assert "DOGEUSDT" in problem["detail"]


def test_instrument_rules_are_checked_before_the_venue(client, venue):
    cases = [
        ({**LIMIT, "price": "60000.005"}, "price", "tick_size", "60000.01"),
        ({**LIMIT, "quantity": "0.000015"}, "quantity", "step_size", "0.00002"),
        ({**LIMIT, "quantity": "0.00005"}, "quantity", "min_notional", "0.00009"),
    ]
    for body, field, rule, nearest in cases:
        response = client.post("/api/v1/orders", json=body)
        problem = response.get_json()
        assert response.status_code == 422
        assert (problem["field"], problem["rule"], problem["nearest_valid"]) == (field, rule, nearest), problem
    assert venue.submitted == []


def test_same_client_order_id_returns_the_same_order_once(client, venue):
    body = {**LIMIT, "client_order_id": "my-order-1"}
    first = client.post("/api/v1/orders", json=body)
    second = client.post("/api/v1/orders", json={**body, "price": "60000.00"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert len(venue.submitted) == 1
    conflict = client.post("/api/v1/orders", json={**body, "quantity": "0.02"})
    assert conflict.status_code == 409
    assert conflict.get_json()["field"] == "client_order_id"
    assert len(venue.submitted) == 1


def test_venue_rejection_is_a_rejected_order_with_the_venue_code(client, venue, bus):
    venue.fail_next.append(VenueRejected("Account has insufficient balance for requested action.", -2010, 400))
    response = client.post("/api/v1/orders", json=MARKET)
    order = response.get_json()
    assert response.status_code == 201
    assert (order["status"], order["reject_code"]) == ("REJECTED", "-2010")
    assert order["reject_reason"] == "Account has insufficient balance for requested action."
    assert bus.types(order["id"]) == ["order.rejected"]


def test_venue_unavailable_rejects_with_the_reason(client, venue):
    venue.fail_next.append(VenueTemporaryError("Too many requests", -1003, 429, retry_after=3))
    order = client.post("/api/v1/orders", json=MARKET).get_json()
    assert (order["status"], order["reject_code"]) == ("REJECTED", "-1003")
    assert "not sent" in order["reject_reason"]


def test_unknown_outcome_leaves_the_order_pending_for_reconciliation(client, venue, service):
    venue.fail_next.append(VenueUnknownOutcome("Timeout waiting for response from backend server.", -1007, 400))
    response = client.post("/api/v1/orders", json=LIMIT)
    order = response.get_json()
    assert response.status_code == 202
    assert (order["status"], order["needs_reconcile"]) == ("PENDING_NEW", True)
    assert len(venue.submitted) == 1
    assert [o.id for o in service.store.orders_to_reconcile()] == [order["id"]]


def test_cancel(client, bus):
    order = client.post("/api/v1/orders", json=LIMIT).get_json()
    response = client.delete(f"/api/v1/orders/{order['id']}")
    assert response.status_code == 200
    assert response.get_json()["status"] == "CANCELED"
    assert bus.types(order["id"]) == ["order.accepted", "order.canceled"]
    again = client.delete(f"/api/v1/orders/{order['id']}")
    assert again.status_code == 409
    assert again.get_json()["order_status"] == "CANCELED"
    assert client.delete("/api/v1/orders/nope").status_code == 404


def test_cancel_refused_by_the_venue_is_409_and_the_order_is_reconciled(client, venue, bus):
    order = client.post("/api/v1/orders", json=LIMIT).get_json()
    venue.resting.clear()  # the venue no longer has it
    response = client.delete(f"/api/v1/orders/{order['id']}")
    assert response.status_code == 409
    assert response.get_json()["venue_code"] == "-2011"
    assert "order.cancel_rejected" in bus.types(order["id"])


def test_amend_keeps_identity_and_publishes_amended(client, bus, venue):
    order = client.post("/api/v1/orders", json=LIMIT).get_json()
    response = client.patch(f"/api/v1/orders/{order['id']}", json={"price": "60100"})
    amended = response.get_json()
    assert response.status_code == 200
    assert (amended["id"], amended["client_order_id"]) == (order["id"], order["client_order_id"])
    assert amended["price"] == "60100"
    assert amended["venue_order_id"] == f"v2-{order['id']}"
    assert bus.types(order["id"]) == ["order.accepted", "order.amended"]
    assert client.patch(f"/api/v1/orders/{order['id']}", json={}).status_code == 422
    assert client.patch(f"/api/v1/orders/{order['id']}", json={"price": "1.001"}).get_json()["rule"] == "tick_size"


def test_list_filters_and_pagination(client):
    ids = [client.post("/api/v1/orders", json=LIMIT).get_json()["id"] for _ in range(5)]
    client.post("/api/v1/orders", json=MARKET)
    seen, cursor = [], None
    while True:
        query = "status=NEW&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/orders?{query}").get_json()
        seen += [o["id"] for o in page["orders"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)
    assert len(client.get("/api/v1/orders?status=FILLED").get_json()["orders"]) == 1
    assert client.get("/api/v1/orders?status=SLEEPING").status_code == 422
    assert client.get("/api/v1/orders?limit=0").status_code == 422
    assert client.get("/api/v1/orders?since=yesterday").status_code == 422
    assert client.get("/api/v1/orders?cursor=garbage").status_code == 422
    assert len(client.get("/api/v1/fills").get_json()["fills"]) == 1


def test_venues_instruments_docs_and_health(client):
    venues = client.get("/api/v1/venues").get_json()["venues"]
    assert venues[0]["name"] == "fake" and venues[0]["reachable"] is True
    instruments = client.get("/api/v1/instruments?venue=fake").get_json()["instruments"]
    assert instruments[0]["tick_size"] == "0.01"
    assert client.get("/api/v1/instruments?venue=nyse").status_code == 422
    spec = client.get("/openapi.json").get_json()
    assert "/api/v1/orders" in spec["paths"] and "OrderCreate" in spec["components"]["schemas"]
    assert b"swagger-ui" in client.get("/docs").data
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/healthz").get_json()["status"] == "ok"
    assert client.get("/nowhere").get_json()["status"] == 404
    assert client.put("/api/v1/orders").status_code == 405


def test_positions_add_up_the_fills_by_average_cost(client, venue):
    client.post("/api/v1/orders", json={**MARKET, "account": "desk-1"})            # buy 0.01 @ 65000
    venue.price = Decimal("66000")
    client.post("/api/v1/orders", json={**MARKET, "side": "SELL", "quantity": "0.004", "account": "desk-1"})
    venue.price = Decimal("64000")
    client.post("/api/v1/orders", json={**MARKET, "side": "SELL", "account": "desk-1"})  # through zero
    client.post("/api/v1/orders", json={**MARKET, "account": "desk-2"})

    (desk1,) = client.get("/api/v1/positions?account=desk-1").get_json()["positions"]
    assert desk1["net_quantity"] == "-0.004"                    # short 0.004, opened at the last price
    assert desk1["average_entry_price"] == "64000"
    assert Decimal(desk1["realized_pnl"]) == Decimal("4") - Decimal("6")   # +1000 x 0.004, -1000 x 0.006
    assert (desk1["bought_quantity"], desk1["sold_quantity"]) == ("0.01", "0.014")
    assert desk1["average_buy_price"] == "65000"
    assert desk1["average_sell_price"] == "64571.428571428571"  # (0.004 x 66000 + 0.01 x 64000) / 0.014, 12 places
    assert desk1["fees"] == {"BTC": "0.00003"} and desk1["fills"] == 3

    both = client.get("/api/v1/positions?venue=fake&symbol=BTCUSDT").get_json()["positions"]
    assert [(p["account"], p["net_quantity"]) for p in both] == [("desk-1", "-0.004"), ("desk-2", "0.01")]
    assert client.get("/api/v1/positions?symbol=ETHUSDT").get_json()["positions"] == []
    problem = client.get("/api/v1/positions?venue=nyse").get_json()
    assert (problem["status"], problem["field"]) == (422, "venue")
    assert client.get("/api/v1/positions?open=maybe").status_code == 422


def test_a_position_closed_to_zero_is_flat_and_left_out_of_open_positions(client, venue):
    client.post("/api/v1/orders", json=MARKET)
    client.post("/api/v1/orders", json={**MARKET, "side": "SELL"})
    (flat,) = client.get("/api/v1/positions").get_json()["positions"]
    assert flat["net_quantity"] == "0" and flat["average_entry_price"] is None and flat["realized_pnl"] == "0"
    assert client.get("/api/v1/positions?open=true").get_json()["positions"] == []
