"""The simulator's Coinbase Advanced Trade dialect over real HTTP, signed with JWTs as Coinbase documents."""
from __future__ import annotations

import secrets
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from shared.settings import SIM_COINBASE_KEY_NAME, SIM_COINBASE_PRIVATE_KEY

BROKERAGE = "/coinbase/api/v3/brokerage"


class CoinbaseClient:
    """Signs each request with its own JWT, exactly as the Advanced Trade documentation describes."""

    def __init__(self, base_url: str, key_name: str = SIM_COINBASE_KEY_NAME, private_key=None):
        self.base_url = base_url
        self.key_name = key_name
        self.key = private_key or load_pem_private_key(SIM_COINBASE_PRIVATE_KEY.encode(), password=None)
        self.http = requests.Session()

    def token(self, method: str, path: str, *, uri: str | None = None, now: float | None = None,
              lifetime: int = 120) -> str:
        now = int(now if now is not None else time.time())
        host = urlsplit(self.base_url).netloc
        claims = {"sub": self.key_name, "iss": "cdp", "nbf": now, "exp": now + lifetime,
                  "uri": uri or f"{method} {host}{path}"}
        return jwt.encode(claims, self.key, algorithm="ES256",
                          headers={"kid": self.key_name, "nonce": secrets.token_hex(16)})

    def call(self, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
        path = BROKERAGE + path
        headers = {"Authorization": f"Bearer {token or self.token(method, path)}"}
        return self.http.request(method, self.base_url + path, headers=headers, timeout=10, **kwargs)

    def order(self, configuration: dict, side: str = "BUY", product_id: str = "BTC-USD",
              client_order_id: str | None = None) -> dict:
        body = {"client_order_id": client_order_id or uuid.uuid4().hex, "product_id": product_id, "side": side,
                "order_configuration": configuration}
        response = self.call("POST", "/orders", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def get_order(self, order_id: str) -> dict:
        response = self.call("GET", f"/orders/historical/{order_id}")
        assert response.status_code == 200, response.text
        return response.json()["order"]


@pytest.fixture
def coinbase(sim):
    client = CoinbaseClient(sim.base_url)
    yield client
    client.http.close()


def limit(size: str, price: str, **extra) -> dict:
    return {"limit_limit_gtc": {"base_size": size, "limit_price": price, **extra}}


def move_mid(sim, symbol: str, price: str, venue: str = "coinbase") -> None:
    response = sim.admin("POST", f"/admin/markets/{symbol}/mid", {"venue": venue, "price": price})
    assert response.status_code == 200, response.text


# -- authentication -----------------------------------------------------------------------------------

def test_a_signed_request_is_accepted_and_lists_the_products(coinbase):
    response = coinbase.call("GET", "/products")
    assert response.status_code == 200, response.text
    products = {p["product_id"]: p for p in response.json()["products"]}
    assert set(products) == {"BTC-USD", "ETH-USD", "SOL-USD"}
    btc = products["BTC-USD"]
    assert (btc["base_increment"], btc["quote_increment"], btc["base_min_size"]) == ("0.00000001", "0.01",
                                                                                      "0.00000001")
    assert Decimal(btc["price"]) > 0 and btc["status"] == "online"
    single = coinbase.call("GET", "/products/ETH-USD").json()
    assert single["product_id"] == "ETH-USD"


def test_a_token_signed_for_api_coinbase_com_is_accepted_too(coinbase):
    path = "/api/v3/brokerage/products"
    token = coinbase.token("GET", path, uri=f"GET api.coinbase.com{path}")
    assert coinbase.call("GET", "/products", token=token).status_code == 200


@pytest.mark.parametrize("case", ["bad_signature", "wrong_uri", "wrong_method", "expired", "too_long",
                                  "unknown_key", "no_token"])
def test_bad_tokens_are_refused_with_401(coinbase, case):
    path = BROKERAGE + "/products"
    if case == "bad_signature":
        other = CoinbaseClient(coinbase.base_url, private_key=ec.generate_private_key(ec.SECP256R1()))
        token = other.token("GET", path)
    elif case == "wrong_uri":
        token = coinbase.token("GET", path, uri=f"GET api.coinbase.com{BROKERAGE}/orders/historical/batch")
    elif case == "wrong_method":
        token = coinbase.token("POST", path)
    elif case == "expired":
        token = coinbase.token("GET", path, now=time.time() - 300)
    elif case == "too_long":
        token = coinbase.token("GET", path, lifetime=3600)
    elif case == "unknown_key":
        token = CoinbaseClient(coinbase.base_url, key_name="organizations/x/apiKeys/nobody").token("GET", path)
    else:
        token = None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.get(coinbase.base_url + path, headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "UNAUTHENTICATED" and response.json()["message"]


# -- orders -------------------------------------------------------------------------------------------

def test_market_order_fills_and_lists_its_fills(coinbase):
    answer = coinbase.order({"market_market_ioc": {"base_size": "0.01"}})
    assert answer["success"] is True
    created = answer["success_response"]
    assert created["product_id"] == "BTC-USD" and created["side"] == "BUY"

    order = coinbase.get_order(created["order_id"])
    assert order["status"] == "FILLED" and order["filled_size"] == "0.01"
    assert order["client_order_id"] == created["client_order_id"]
    fills = coinbase.call("GET", "/orders/historical/fills", params={"order_id": created["order_id"]}).json()["fills"]
    assert sum(Decimal(f["size"]) for f in fills) == Decimal("0.01")
    assert all(f["liquidity_indicator"] == "TAKER" and f["trade_id"] and Decimal(f["commission"]) > 0 for f in fills)
    value = sum(Decimal(f["size"]) * Decimal(f["price"]) for f in fills)
    assert Decimal(order["filled_value"]) == value
    assert Decimal(order["average_filled_price"]) == pytest.approx(value / Decimal("0.01"))


def test_market_order_by_quote_size_spends_the_budget(coinbase):
    answer = coinbase.order({"market_market_ioc": {"quote_size": "100.00"}})
    order = coinbase.get_order(answer["success_response"]["order_id"])
    assert order["status"] == "FILLED" and order["size_in_quote"] is True
    assert Decimal(order["filled_value"]) <= Decimal("100") and Decimal(order["filled_size"]) > 0


def test_same_client_order_id_returns_the_same_order(coinbase):
    client_id = uuid.uuid4().hex
    first = coinbase.order(limit("0.01", "50000"), client_order_id=client_id)
    second = coinbase.order(limit("0.01", "50000"), client_order_id=client_id)
    assert first["success_response"]["order_id"] == second["success_response"]["order_id"]
    listed = coinbase.call("GET", "/orders/historical/batch", params={"order_status": "OPEN"}).json()["orders"]
    assert [o["client_order_id"] for o in listed].count(client_id) == 1


@pytest.mark.parametrize("configuration, side, error, preview", [
    (limit("1000", "60000"), "BUY", "INSUFFICIENT_FUND", "PREVIEW_INSUFFICIENT_FUND"),
    (limit("0.01", "90000", post_only=True), "BUY", "INVALID_LIMIT_PRICE_POST_ONLY",
     "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY"),
    (limit("0.01", "60000.001"), "BUY", "INVALID_PRICE_PRECISION", "PREVIEW_INVALID_PRICE_PRECISION"),
    ({"limit_limit_gtc": {"base_size": "0.01"}}, "BUY", "UNSUPPORTED_ORDER_CONFIGURATION",
     "PREVIEW_INVALID_ORDER_CONFIG"),
    ({**limit("0.01", "60000"), "limit_limit_fok": {"base_size": "0.01", "limit_price": "60000"}}, "BUY",
     "UNSUPPORTED_ORDER_CONFIGURATION", "PREVIEW_INVALID_ORDER_CONFIG"),
    (limit("0.01", "60000"), "HOLD", "INVALID_SIDE", "PREVIEW_INVALID_SIDE"),
])
def test_refused_orders_answer_with_the_failure_envelope(coinbase, configuration, side, error, preview):
    answer = coinbase.order(configuration, side=side)
    assert answer["success"] is False
    assert answer["error_response"]["error"] == error
    assert answer["error_response"]["preview_failure_reason"] == preview
    assert answer["error_response"]["message"]


def test_unknown_product_and_malformed_bodies(coinbase):
    answer = coinbase.order(limit("0.01", "10"), product_id="DOGE-USD")
    assert answer["error_response"]["error"] == "INVALID_PRODUCT_ID"
    response = coinbase.call("POST", "/orders", json={"product_id": "BTC-USD"})
    assert response.status_code == 400 and response.json()["error"] == "INVALID_ARGUMENT"
    missing = coinbase.call("GET", "/orders/historical/" + str(uuid.uuid4()))
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND"


def test_resting_order_fills_as_the_market_moves_and_reports_maker_fills(sim, coinbase):
    order_id = coinbase.order(limit("0.02", "60000"))["order_id"]
    assert coinbase.get_order(order_id)["status"] == "OPEN"
    move_mid(sim, "BTCUSDT", "59000", venue="binance")  # Coinbase's BTC-USD follows Binance
    order = coinbase.get_order(order_id)
    assert order["status"] == "FILLED"
    fills = coinbase.call("GET", "/orders/historical/fills", params={"order_id": order_id}).json()["fills"]
    assert fills and all(f["liquidity_indicator"] == "MAKER" and Decimal(f["price"]) == 60000 for f in fills)


def test_batch_cancel_cancels_and_reports_failures(coinbase):
    open_id = coinbase.order(limit("0.01", "50000"))["order_id"]
    filled_id = coinbase.order({"market_market_ioc": {"base_size": "0.001"}})["order_id"]
    unknown_id = str(uuid.uuid4())
    body = {"order_ids": [open_id, filled_id, unknown_id]}
    results = coinbase.call("POST", "/orders/batch_cancel", json=body).json()["results"]
    outcome = {r["order_id"]: (r["success"], r["failure_reason"]) for r in results}
    assert outcome[open_id][0] is True
    assert outcome[filled_id] == (False, "COMMANDER_REJECTED_CANCEL_ORDER")
    assert outcome[unknown_id] == (False, "UNKNOWN_CANCEL_ORDER")
    assert coinbase.get_order(open_id)["status"] == "CANCELLED"
    again = coinbase.call("POST", "/orders/batch_cancel", json={"order_ids": [open_id]}).json()["results"][0]
    assert again["failure_reason"] == "DUPLICATE_CANCEL_REQUEST"


def test_listing_filters_by_status_and_product(coinbase):
    btc = coinbase.order(limit("0.01", "50000"))["order_id"]
    eth = coinbase.order(limit("0.1", "3000"), product_id="ETH-USD")["order_id"]
    coinbase.order({"market_market_ioc": {"base_size": "0.001"}})
    listed = coinbase.call("GET", "/orders/historical/batch",
                           params={"order_status": "OPEN", "product_id": "ETH-USD"}).json()
    assert [o["order_id"] for o in listed["orders"]] == [eth]
    everything = coinbase.call("GET", "/orders/historical/batch", params={"limit": "2"}).json()
    assert len(everything["orders"]) == 2 and everything["has_next"] is True
    rest = coinbase.call("GET", "/orders/historical/batch",
                         params={"limit": "2", "cursor": everything["cursor"]}).json()
    assert [o["order_id"] for o in rest["orders"]] == [btc]


def test_gtd_order_expires_at_its_end_time(coinbase):
    end = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    order_id = coinbase.order({"limit_limit_gtd": {"base_size": "0.01", "limit_price": "50000",
                                                   "end_time": end}})["order_id"]
    assert coinbase.get_order(order_id)["status"] == "OPEN"
    deadline = time.monotonic() + 5
    while coinbase.get_order(order_id)["status"] == "OPEN" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert coinbase.get_order(order_id)["status"] == "EXPIRED"


def test_fok_that_cannot_fill_ends_without_trading(coinbase):
    # The book holds far less than 5 BTC of bids within 10 dollars of the mid.
    order_id = coinbase.order({"limit_limit_fok": {"base_size": "5", "limit_price": "64990"}},
                              side="SELL")["order_id"]
    order = coinbase.get_order(order_id)
    assert order["status"] == "EXPIRED" and order["filled_size"] == "0"


def test_stop_limit_waits_for_its_stop(sim, coinbase):
    order_id = coinbase.order({"stop_limit_stop_limit_gtc": {
        "base_size": "0.01", "limit_price": "66100", "stop_price": "66000",
        "stop_direction": "STOP_DIRECTION_STOP_UP"}})["order_id"]
    pending = coinbase.get_order(order_id)
    assert (pending["status"], pending["trigger_status"], pending["order_type"]) == ("OPEN", "STOP_PENDING",
                                                                                     "STOP_LIMIT")
    move_mid(sim, "BTCUSDT", "66050", venue="binance")
    assert coinbase.get_order(order_id)["status"] == "OPEN"  # no trade has printed at the new price yet
    coinbase.order({"market_market_ioc": {"base_size": "0.001"}})
    triggered = coinbase.get_order(order_id)
    assert (triggered["status"], triggered["trigger_status"]) == ("FILLED", "STOP_TRIGGERED")


def test_injected_faults_apply_to_coinbase(sim, coinbase):
    response = sim.admin("POST", "/admin/faults", {"venue": "coinbase", "kind": "http_5xx", "count": 1,
                                                   "path": BROKERAGE + "/orders", "execute": True})
    assert response.status_code in (200, 201), response.text
    client_id = uuid.uuid4().hex
    body = {"client_order_id": client_id, "product_id": "BTC-USD", "side": "BUY",
            "order_configuration": limit("0.01", "50000")}
    failed = coinbase.call("POST", "/orders", json=body)
    assert failed.status_code == 503
    # The order was placed all the same: the outcome was unknown to the client, not to the venue.
    listed = coinbase.call("GET", "/orders/historical/batch", params={"order_status": "OPEN"}).json()["orders"]
    assert client_id in {o["client_order_id"] for o in listed}


# -- public prices ------------------------------------------------------------------------------------

def test_exchange_rates_and_spot_follow_the_world_usd_brl(sim):
    def rates() -> dict:
        return requests.get(sim.base_url + "/coinbase/v2/exchange-rates", params={"currency": "USD"},
                            timeout=10).json()["data"]

    def spot() -> dict:
        return requests.get(sim.base_url + "/coinbase/v2/prices/USD-BRL/spot", timeout=10).json()["data"]

    assert rates()["currency"] == "USD"
    assert Decimal(rates()["rates"]["BRL"]) == sim.simulator.world.usd_brl()
    assert sim.admin("POST", "/admin/fx/USDBRL", {"rate": "5.9876"}).status_code == 200
    assert rates()["rates"]["BRL"] == "5.9876"
    assert spot() == {"amount": "5.9876", "base": "USD", "currency": "BRL"}
    brl = requests.get(sim.base_url + "/coinbase/v2/exchange-rates", params={"currency": "BRL"}, timeout=10)
    assert Decimal(brl.json()["data"]["rates"]["USD"]) == pytest.approx(1 / Decimal("5.9876"))
    unknown = requests.get(sim.base_url + "/coinbase/v2/prices/USD-XYZ/spot", timeout=10)
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["id"] == "not_found"
