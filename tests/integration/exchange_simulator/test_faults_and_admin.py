"""Fault injection and the operator API."""
from __future__ import annotations

from decimal import Decimal

import pytest
from websockets.exceptions import ConnectionClosed


def test_http_5xx_for_the_next_matching_requests(sim, client):
    armed = sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "http_5xx", "count": 2,
                                                "path": "/binance/api/v3/time"})
    assert armed.status_code == 201, armed.text
    assert client.public("GET", "/v3/ping").status_code == 200  # other paths are untouched
    for _ in range(2):
        failed = client.public("GET", "/v3/time")
        assert failed.status_code == 503
        assert failed.headers["Content-Type"].startswith("application/json")
        assert "code" in failed.json()
    assert client.public("GET", "/v3/time").status_code == 200
    assert sim.admin("GET", "/admin/faults").json() == []


def test_backend_timeout_that_still_executes_the_order(sim, client):
    sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "timeout_1007", "count": 1,
                                        "path": "/binance/api/v3/order", "execute": True})
    response = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                            price="60000", newClientOrderId="unknown-outcome")
    assert response.status_code >= 400
    assert response.json() == {"code": -1007, "msg": "Timeout waiting for response from backend server. "
                                                     "Send status unknown; execution status unknown."}
    # Reconciliation by client order id finds the order the venue did accept.
    found = client.signed("GET", "/v3/order", symbol="BTCUSDT", origClientOrderId="unknown-outcome")
    assert found.status_code == 200 and found.json()["status"] == "NEW"


def test_backend_timeout_without_execution_leaves_no_order(sim, client):
    sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "timeout_1007", "count": 1,
                                        "path": "/binance/api/v3/order"})
    response = client.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                            price="60000", newClientOrderId="never-placed")
    assert response.json()["code"] == -1007
    missing = client.signed("GET", "/v3/order", symbol="BTCUSDT", origClientOrderId="never-placed")
    assert missing.json()["code"] == -2013


def test_rate_limit_fault_answers_429_with_retry_after(sim, client):
    sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "rate_limit_429", "count": 1,
                                        "retry_after": 7})
    response = client.public("GET", "/v3/ping")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["code"] == -1003
    assert client.public("GET", "/v3/ping").status_code == 200


def test_latency_fault_delays_but_answers(sim, client):
    sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "latency", "count": 1, "latency_ms": 50})
    assert client.public("GET", "/v3/ping").json() == {}
    assert sim.admin("GET", "/admin/faults").json() == []


def test_drop_websockets_disconnects_clients(sim):
    with sim.ws("/ws/btcusdt@trade") as ws:
        dropped = sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "drop_websockets"})
        assert dropped.json()["dropped"] == 1
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)


def test_clearing_faults(sim, client):
    sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "http_5xx", "count": 5})
    assert sim.admin("DELETE", "/admin/faults").json() == {"cleared": 1}
    assert client.public("GET", "/v3/ping").status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"venue": "nowhere", "kind": "http_5xx"}, "venue"),
    ({"venue": "binance", "kind": "meteor"}, "kind"),
    ({"venue": "binance", "kind": "http_5xx", "count": 0}, "count"),
    ({"venue": "binance", "kind": "latency"}, "latency_ms"),
    ({"venue": "binance", "kind": "http_5xx", "path": "no-slash"}, "path"),
    ({"venue": "binance", "kind": "timeout_1007", "execute": "yes"}, "execute"),
])
def test_bad_fault_requests_are_explained(sim, body, field):
    response = sim.admin("POST", "/admin/faults", body)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["field"] == field and response.json()["detail"]


def test_non_object_bodies_are_refused(sim):
    response = sim.admin("POST", "/admin/faults", ["not", "an", "object"])
    assert response.status_code == 400 and response.json()["status"] == 400


def test_set_mid_moves_the_market(sim, client):
    moved = sim.admin("POST", "/admin/markets/ETHUSDT/mid", {"price": "3000"})
    assert moved.status_code == 200 and Decimal(moved.json()["mid"]) == 3000
    book = client.book_ticker("ETHUSDT")
    assert Decimal(book["bidPrice"]) < Decimal("3000") < Decimal(book["askPrice"])
    markets = {m["symbol"]: m for m in sim.admin("GET", "/admin/markets").json()["markets"]}
    assert Decimal(markets["ETHUSDT"]["mid"]) == 3000
    assert sim.admin("POST", "/admin/markets/NOPE/mid", {"price": "1"}).status_code == 404
    assert sim.admin("POST", "/admin/markets/ETHUSDT/mid", {"price": "-5"}).json()["field"] == "price"
    assert sim.admin("POST", "/admin/markets/ETHUSDT/mid", {"price": "abc"}).status_code == 400


def test_pause_and_resume_stop_the_synthetic_market(make_sim):
    running = make_sim(step_interval=0.01)
    assert running.admin("POST", "/admin/pause").json() == {"paused": True}
    assert running.admin("GET", "/healthz").json()["paused"] is True
    before = running.admin("GET", "/admin/markets").json()["markets"]
    running.simulator.venue.step(60.0)  # what the background thread would do: nothing while paused
    assert running.admin("GET", "/admin/markets").json()["markets"] == before
    assert running.admin("POST", "/admin/resume").json() == {"paused": False}
    running.simulator.venue.step(3600.0)
    assert running.admin("GET", "/admin/markets").json()["markets"] != before


def test_deposit_credits_the_account_and_reports_it(sim, client):
    key = client.listen_key()
    with sim.ws(f"/ws/{key}") as ws:
        response = sim.admin("POST", f"/admin/accounts/{client.api_key}/deposit",
                             {"asset": "USDT", "amount": "2500.5"})
        assert response.status_code == 200, response.text
        assert response.json()["balances"]["USDT"]["free"] == "102500.5"
        from tests.integration.exchange_simulator.support import receive_until
        position = receive_until(ws, lambda m: m.get("e") == "outboundAccountPosition")
        assert position["B"] == [{"a": "USDT", "f": "102500.50000000", "l": "0.00000000"}]
    balances = sim.admin("GET", f"/admin/accounts/{client.api_key}").json()["balances"]
    assert balances["USDT"] == {"free": "102500.5", "locked": "0"}
    unknown = sim.admin("POST", "/admin/accounts/nobody/deposit", {"asset": "USDT", "amount": "1"})
    assert unknown.status_code == 404
    bad = sim.admin("POST", f"/admin/accounts/{client.api_key}/deposit", {"asset": "", "amount": "1"})
    assert bad.status_code == 400 and bad.json()["field"] == "asset"


def test_healthz(sim):
    assert sim.admin("GET", "/healthz").json()["status"] == "ok"
    missing = sim.admin("GET", "/admin/nothing")
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("application/problem+json")
