"""The simulator's Flowa dialect over real HTTP: OAuth2 tokens, simple orders, envelopes, trades, faults."""
from __future__ import annotations

import pytest

from shared.settings import SIM_FLOWA_CLIENT_ID, SIM_FLOWA_SECRET
from tests.integration.exchange_simulator.flowa_support import FakeClock, fault, start_flowa


# -- tokens ------------------------------------------------------------------------------------------

def test_token_for_the_dev_client(flowa):
    answer = flowa.http.post(flowa.api + "/connect/token", data={
        "grant_type": "client_credentials", "scope": "atgapi", "client_id": SIM_FLOWA_CLIENT_ID,
        "client_secret": SIM_FLOWA_SECRET})
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 8 * 3600 and body["access_token"]
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("form, status, error", [
    ({"client_secret": "wrong"}, 401, "invalid_client"),
    ({"client_id": "someone-else"}, 401, "invalid_client"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ({"scope": "other"}, 400, "invalid_scope"),
    ({"client_secret": ""}, 400, "invalid_request"),
])
def test_bad_token_requests_get_oauth2_errors(flowa, form, status, error):
    data = {"grant_type": "client_credentials", "scope": "atgapi", "client_id": SIM_FLOWA_CLIENT_ID,
            "client_secret": SIM_FLOWA_SECRET, **form}
    answer = flowa.http.post(flowa.api + "/connect/token", data=data)
    assert (answer.status_code, answer.json()["error"]) == (status, error)


def test_requests_without_a_live_token_are_refused(flowa):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        answer = flowa.http.get(flowa.api + "/api/trading/trades", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["Success"] is False and "token" in answer.json()["Error"]
        assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_revoked_tokens_stop_working_and_new_ones_do(flowa):
    token = flowa.token()
    assert flowa.call("GET", "/api/trading/trades", token).status_code == 200
    assert flowa.http.post(flowa.api + "/sim/expire-tokens").json()["expired"] >= 1
    assert flowa.call("GET", "/api/trading/trades", token).status_code == 401
    assert flowa.call("GET", "/api/trading/trades").status_code == 200  # with a fresh token


def test_tokens_expire_after_expires_in():
    clock = FakeClock(1_700_000_000_000)
    sim, stop = start_flowa(clock, token_ttl_seconds=60)
    try:
        token = sim.token()
        clock.ms += 59_000
        assert sim.call("GET", "/api/trading/trades", token).status_code == 200
        clock.ms += 1_000
        assert sim.call("GET", "/api/trading/trades", token).status_code == 401
    finally:
        stop()


# -- orders ------------------------------------------------------------------------------------------

def test_limit_order_rests_and_reads_back_by_id_and_custom_id(flowa):
    token = flowa.token()
    created = flowa.order(token, CustomId="cust-1", Memo="hello")
    assert created.status_code == 200
    envelope = created.json()
    assert envelope["Success"] is True and envelope["Error"] is None and envelope["RequestId"]
    order = flowa.call("GET", f"/api/simple-order/{envelope['StrategyId']}", token).json()
    assert order["Status"] == "OPEN" and order["StrategyType"] == "SIMPLE_ORDER"
    assert (order["Symbol"], order["Side"], order["OrderType"], order["TimeInForce"]) == ("PETR4", "BUY", "LIMIT", "DAY")
    assert (order["Quantity"], order["Price"], order["ExecutedQuantity"]) == (100, 37.0, 0)
    assert (order["CustomId"], order["Broker"], order["Account"], order["Memo"]) == ("cust-1", "308", "12345", "hello")
    assert order["SendTime"].endswith("Z")
    assert flowa.call("GET", "/api/simple-order", token, params={"CustomId": "cust-1"}).json() == order
    listed = flowa.call("GET", "/api/trading/strategies", token, params={"page": 0}).json()
    assert [s["StrategyId"] for s in listed] == [envelope["StrategyId"]]
    assert flowa.call("GET", "/api/trading/strategies", token, params={"page": 1}).json() == []


def test_amend_in_place_then_fill_through_the_book(flowa):
    token = flowa.token()
    strategy_id = flowa.order(token, CustomId="amend-me").json()["StrategyId"]
    answer = flowa.call("PUT", f"/api/simple-order/{strategy_id}", token, json={"Price": "37.50", "Quantity": 200})
    assert answer.status_code == 200 and answer.json()["StrategyId"] == strategy_id
    order = flowa.call("GET", f"/api/simple-order/{strategy_id}", token).json()
    assert (order["Status"], order["Price"], order["Quantity"], order["CustomId"]) == ("OPEN", 37.5, 200, "amend-me")

    # Priced through the best ask (38.02): the amended order takes it.
    flowa.call("PUT", f"/api/simple-order/{strategy_id}", token, json={"Price": "38.10"})
    order = flowa.call("GET", f"/api/simple-order/{strategy_id}", token).json()
    assert (order["Status"], order["ExecutedQuantity"], order["AvgPrice"]) == ("TOTALLY_EXECUTED", 200, 38.02)
    trades = flowa.call("GET", "/api/trading/trades", token, params={"index": 0}).json()
    assert len(trades) == 1
    trade = trades[0]
    assert (trade["StrategyID"], trade["Symbol"], trade["Side"], trade["Quantity"], trade["Price"]) == (
        strategy_id, "PETR4", "BUY", 200, 38.02)
    assert trade["Index"] == 0 and trade["Id"] and trade["ExchangeTradeId"] and trade["TradeDate"].endswith("Z")
    assert flowa.call("GET", "/api/trading/trades", token, params={"index": 1}).json() == []


def test_cancel_and_what_a_finished_order_refuses(flowa):
    token = flowa.token()
    strategy_id = flowa.order(token).json()["StrategyId"]
    answer = flowa.call("DELETE", f"/api/simple-order/{strategy_id}", token)
    assert answer.status_code == 200 and answer.json()["Success"] is True
    assert flowa.call("GET", f"/api/simple-order/{strategy_id}", token).json()["Status"] == "CANCELLED"
    for method, body in (("DELETE", None), ("PUT", {"Price": "36.00"})):
        refused = flowa.call(method, f"/api/simple-order/{strategy_id}", token, json=body)
        assert refused.status_code == 409
        assert refused.json()["Success"] is False and "CANCELLED" in refused.json()["Error"]


def test_market_orders_trade_the_book_and_need_custody_to_sell(flowa):
    token = flowa.token()
    sold = flowa.order(token, Symbol="BITH11", Side="SELL", OrderType="MARKET", Price=None, Quantity=10).json()
    order = flowa.call("GET", f"/api/simple-order/{sold['StrategyId']}", token).json()
    assert (order["Status"], order["ExecutedQuantity"], order["Price"]) == ("TOTALLY_EXECUTED", 10, None)
    too_many = flowa.order(token, Symbol="VALE3", Side="SELL", OrderType="MARKET", Price=None, Quantity=200_000)
    assert too_many.status_code == 422
    assert too_many.json()["Error"] == "Insufficient funds or custody for the order"


def test_market_rejections_are_orders_with_status_rejected(flowa):
    token = flowa.token()
    answer = flowa.order(token, Quantity=150, CustomId="odd-lot")
    assert answer.status_code == 422
    envelope = answer.json()
    assert envelope["Success"] is False and envelope["Error"] == "Quantity must be a multiple of the lot size 100"
    order = flowa.call("GET", "/api/simple-order", token, params={"CustomId": "odd-lot"}).json()
    assert (order["StrategyId"], order["Status"], order["Error"]) == (
        envelope["StrategyId"], "REJECTED", envelope["Error"])
    off_tick = flowa.order(token, Price="37.005")
    assert off_tick.status_code == 422 and "tick size 0.01" in off_tick.json()["Error"]


@pytest.mark.parametrize("fields, message", [
    ({"Symbol": "XXXX3"}, "Unknown symbol XXXX3"),
    ({"Broker": None}, "The Broker field is required"),
    ({"Side": "SHORT"}, "The Side field must be one of BUY, SELL"),
    ({"Quantity": 100.5}, "The Quantity field must be a whole number of shares"),
    ({"Price": None}, "The Price field is required for LIMIT orders"),
    ({"OrderType": "STOP_LIMIT"}, "The StopTriggerPrice field is required for STOP_LIMIT orders"),
    ({"TimeInForce": "GTD"}, "The ExpireDate field is required for GTD orders"),
])
def test_malformed_orders_are_bad_requests(flowa, fields, message):
    answer = flowa.order(**fields)
    assert answer.status_code == 400
    assert answer.json() == {"RequestId": answer.json()["RequestId"], "StrategyId": None, "Success": False,
                             "Error": message}


def test_a_custom_id_names_one_order_only(flowa):
    token = flowa.token()
    first = flowa.order(token, CustomId="once").json()
    again = flowa.order(token, CustomId="once")
    assert again.status_code == 400 and first["StrategyId"] in again.json()["Error"]


def test_unknown_orders_and_paths(flowa):
    token = flowa.token()
    for method in ("GET", "DELETE"):
        answer = flowa.call(method, "/api/simple-order/nope", token)
        assert answer.status_code == 404 and answer.json()["Error"] == "Strategy not found"
    assert flowa.call("GET", "/api/simple-order", token, params={"CustomId": "never"}).status_code == 404
    unknown = flowa.call("GET", "/api/unknown", token)
    assert unknown.status_code == 404 and unknown.json()["Success"] is False


# -- faults ------------------------------------------------------------------------------------------

def test_5xx_after_execution_leaves_an_order_to_find_by_custom_id(flowa):
    token = flowa.token()
    fault(flowa, "http_5xx", path="/flowa/api/simple-order", execute=True)
    answer = flowa.order(token, CustomId="unknown-outcome")
    assert answer.status_code == 503 and answer.json()["Success"] is False
    found = flowa.call("GET", "/api/simple-order", token, params={"CustomId": "unknown-outcome"})
    assert found.status_code == 200 and found.json()["Status"] == "OPEN"


def test_timeouts_and_rate_limits(flowa):
    token = flowa.token()
    fault(flowa, "timeout_1007", path="/flowa/api/simple-order")
    timed_out = flowa.order(token, CustomId="timed-out")
    assert timed_out.status_code == 504
    assert flowa.call("GET", "/api/simple-order", token, params={"CustomId": "timed-out"}).status_code == 404
    fault(flowa, "rate_limit_429", retry_after=3)
    limited = flowa.call("GET", "/api/trading/trades", token)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
