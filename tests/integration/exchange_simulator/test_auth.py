"""Signed endpoints: API key, HMAC signature, timestamp and recvWindow, as Binance enforces them."""
from __future__ import annotations

import time

from exchange_simulator.binance.signing import sign


def test_signed_account_lists_starting_balances(client):
    response = client.signed("GET", "/v3/account")
    assert response.status_code == 200, response.text
    account = response.json()
    assert account["accountType"] == "SPOT" and account["canTrade"] is True
    balances = {b["asset"]: b for b in account["balances"]}
    assert balances["USDT"] == {"asset": "USDT", "free": "100000.00000000", "locked": "0.00000000"}
    assert balances["BTC"]["free"] == "10.00000000"
    assert balances["ETH"]["free"] == "100.00000000"
    assert balances["SOL"]["free"] == "1000.00000000"


def test_parameters_may_travel_in_the_form_body(client):
    response = client.signed("POST", "/v3/order", in_body=True, symbol="BTCUSDT", side="BUY", type="LIMIT",
                             timeInForce="GTC", quantity="0.001", price="60000")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "NEW"


def test_query_string_wins_over_body_on_conflict(sim, client):
    timestamp = int(time.time() * 1000)
    query = f"symbol=BTCUSDT&timestamp={timestamp}"
    body = "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=60000"
    signature = sign(client.api_secret, query + body)
    response = client.http.post(f"{client.base_url}/v3/order?{query}", data=f"{body}&signature={signature}",
                                headers={"X-MBX-APIKEY": client.api_key,
                                         "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.text
    assert response.json()["symbol"] == "BTCUSDT"


def test_bad_signature_is_refused(client):
    response = client.signed("GET", "/v3/account", secret="not-the-secret")
    assert response.status_code == 400
    assert response.json() == {"code": -1022, "msg": "Signature for this request is not valid."}


def test_missing_and_unknown_api_keys(sim):
    no_key = sim.client.http.get(sim.api_url + "/v3/account", params={"timestamp": 1, "signature": "ab"})
    assert no_key.status_code == 401
    assert no_key.json() == {"code": -2014, "msg": "API-key format invalid."}

    from tests.integration.exchange_simulator.support import BinanceClient
    stranger = BinanceClient(sim.api_url, api_key="someone-else", api_secret="whatever")
    unknown = stranger.signed("GET", "/v3/account")
    assert unknown.status_code == 401
    assert unknown.json() == {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}


def test_timestamp_outside_recv_window(client):
    now = int(time.time() * 1000)
    stale = client.signed("GET", "/v3/account", timestamp=now - 10_000)
    assert stale.status_code == 400 and stale.json()["code"] == -1021
    assert stale.json()["msg"] == "Timestamp for this request is outside of the recvWindow."
    widened = client.signed("GET", "/v3/account", timestamp=now - 10_000, recvWindow=20_000)
    assert widened.status_code == 200
    ahead = client.signed("GET", "/v3/account", timestamp=now + 5_000)
    assert ahead.status_code == 400 and ahead.json()["code"] == -1021


def test_recv_window_above_maximum(client):
    response = client.signed("GET", "/v3/account", recvWindow=60_001)
    assert response.status_code == 400 and response.json()["code"] == -1131


def test_missing_timestamp_is_a_missing_mandatory_parameter(sim, client):
    response = client.http.get(sim.api_url + "/v3/account",
                               params={"signature": sign(client.api_secret, "")},
                               headers={"X-MBX-APIKEY": client.api_key})
    assert response.status_code == 400
    assert response.json() == {
        "code": -1102, "msg": "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."}


def test_user_data_stream_needs_only_the_api_key(sim, client):
    key = client.listen_key()
    assert len(key) == 60
    assert client.listen_key() == key  # the live key is handed back, not a second one
    headers = {"X-MBX-APIKEY": client.api_key}
    assert client.http.put(sim.api_url + "/v3/userDataStream", params={"listenKey": key}, headers=headers).json() == {}
    unknown = client.http.put(sim.api_url + "/v3/userDataStream", params={"listenKey": "x" * 60}, headers=headers)
    assert unknown.status_code == 400 and unknown.json()["code"] == -1125
    assert client.http.delete(sim.api_url + "/v3/userDataStream", params={"listenKey": key},
                              headers=headers).json() == {}
    no_key = client.http.post(sim.api_url + "/v3/userDataStream")
    assert no_key.status_code == 401 and no_key.json()["code"] == -2014
