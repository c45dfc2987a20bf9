"""The Coinbase adapter without a venue: JWTs, order bodies, parsing, error mapping and the execution poller."""
from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from json import dumps

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from requests.structures import CaseInsensitiveDict

from order_service.adapters.coinbase import CoinbaseAdapter, CoinbaseConfig, from_settings
from order_service.adapters.coinbase.http import CoinbaseHttpClient
from order_service.adapters.coinbase.jwt_auth import JwtSigner, uri_claim
from order_service.adapters.coinbase.order_params import new_order_body
from order_service.adapters.coinbase.parsing import parse_fill, parse_instruments, parse_order
from order_service.adapters.coinbase.poller import ExecutionPoller
from shared.domain.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected, VenueTemporaryError, VenueUnknownOutcome
from shared.domain.order import Order
from shared.settings import SIM_COINBASE_KEY_NAME, SIM_COINBASE_PRIVATE_KEY, Secret, VenueSettings

KEY_NAME = "organizations/unit/apiKeys/test"
PRIVATE_KEY = ec.generate_private_key(ec.SECP256R1())
PRIVATE_PEM = PRIVATE_KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
REST_URL = "https://api.coinbase.com"


def make_order(**overrides) -> Order:
    fields = dict(id="o-1", client_order_id="client-1", venue="coinbase", symbol="BTC-USD", side=Side.BUY,
                  type=OrderType.LIMIT, quantity=Decimal("0.5"), price=Decimal("65000.5"),
                  time_in_force=TimeInForce.GTC)
    fields.update(overrides)
    return Order(**fields)


def order_row(status: str = "OPEN", filled: str = "0", **extra) -> dict:
    return {"order_id": "11111111-1111-1111-1111-111111111111", "client_order_id": "client-1",
            "product_id": "BTC-USD", "side": "BUY", "status": status, "filled_size": filled,
            "average_filled_price": "65000.5" if filled != "0" else "0", "created_time": "2030-01-01T00:00:00.000Z",
            "order_configuration": {"limit_limit_gtc": {"base_size": "0.5", "limit_price": "65000.5",
                                                        "post_only": False}}, **extra}


def fill_row(trade_id: str = "7", size: str = "0.2", order_id: str = "11111111-1111-1111-1111-111111111111",
             when: str = "2030-01-01T00:00:01.000Z", **extra) -> dict:
    return {"entry_id": f"e-{trade_id}", "trade_id": trade_id, "order_id": order_id, "trade_time": when,
            "price": "65000.5", "size": size, "commission": "52.0004", "product_id": "BTC-USD",
            "liquidity_indicator": "MAKER", **extra}


# -- JWT ------------------------------------------------------------------------------------------------

def test_every_request_gets_a_fresh_es256_token_for_its_method_and_path():
    signer = JwtSigner(KEY_NAME, PRIVATE_PEM, clock=lambda: 1_900_000_000.7)
    token = signer.token("post", "https://api.coinbase.com/api/v3/brokerage/orders?ignored=1")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, PRIVATE_KEY.public_key(), algorithms=["ES256"], issuer="cdp",
                        options={"verify_exp": False, "verify_nbf": False})
    assert header["alg"] == "ES256" and header["kid"] == KEY_NAME and header["nonce"]
    assert claims == {"sub": KEY_NAME, "iss": "cdp", "nbf": 1_900_000_000, "exp": 1_900_000_120,
                      "uri": "POST api.coinbase.com/api/v3/brokerage/orders"}
    again = signer.token("POST", "https://api.coinbase.com/api/v3/brokerage/orders")
    assert jwt.get_unverified_header(again)["nonce"] != header["nonce"]


def test_the_simulator_uri_keeps_its_host_port_and_prefix():
    assert uri_claim("GET", "http://127.0.0.1:8100/coinbase/api/v3/brokerage/products") == \
        "GET 127.0.0.1:8100/coinbase/api/v3/brokerage/products"


def test_keys_with_escaped_newlines_and_ed25519_keys_are_accepted():
    escaped = PRIVATE_PEM.replace("\n", "\\n")
    assert JwtSigner(KEY_NAME, escaped, clock=lambda: 0).token("GET", REST_URL + "/x")
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_pem = ed_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()).decode()
    token = JwtSigner(KEY_NAME, ed_pem, clock=lambda: 0).token("GET", REST_URL + "/x")
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    jwt.decode(token, ed_key.public_key(), algorithms=["EdDSA"], options={"verify_exp": False, "verify_nbf": False})


def test_from_settings_builds_the_adapter_with_the_sim_credentials():
    venue = VenueSettings(name="coinbase", rest_url="http://127.0.0.1:8100/coinbase", ws_url=None,
                          api_key=Secret(SIM_COINBASE_KEY_NAME), api_secret=Secret(SIM_COINBASE_PRIVATE_KEY),
                          is_simulator=True)
    adapter = from_settings(venue)
    assert adapter.name == "coinbase"
    adapter.close()


# -- order bodies ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, expected", [
    (dict(type=OrderType.MARKET, price=None, time_in_force=None), {"market_market_ioc": {"base_size": "0.5"}}),
    (dict(post_only=True), {"limit_limit_gtc": {"base_size": "0.5", "limit_price": "65000.5", "post_only": True}}),
    (dict(time_in_force=TimeInForce.FOK), {"limit_limit_fok": {"base_size": "0.5", "limit_price": "65000.5"}}),
    (dict(time_in_force=TimeInForce.IOC), {"sor_limit_ioc": {"base_size": "0.5", "limit_price": "65000.5"}}),
    (dict(type=OrderType.STOP_LIMIT, stop_price=Decimal("64000")),
     {"stop_limit_stop_limit_gtc": {"base_size": "0.5", "limit_price": "65000.5", "stop_price": "64000",
                                    "stop_direction": "STOP_DIRECTION_STOP_UP"}}),
    (dict(type=OrderType.STOP_LIMIT, side=Side.SELL, stop_price=Decimal("64000")),
     {"stop_limit_stop_limit_gtc": {"base_size": "0.5", "limit_price": "65000.5", "stop_price": "64000",
                                    "stop_direction": "STOP_DIRECTION_STOP_DOWN"}}),
])
def test_order_types_map_to_coinbase_configurations(overrides, expected):
    order = make_order(**overrides)
    body = new_order_body(order)
    assert body["order_configuration"] == expected
    assert (body["client_order_id"], body["product_id"], body["side"]) == ("client-1", "BTC-USD", order.side.value)


def test_quantities_are_sent_without_exponents():
    body = new_order_body(make_order(quantity=Decimal("1E-8")))
    assert body["order_configuration"]["limit_limit_gtc"]["base_size"] == "0.00000001"


@pytest.mark.parametrize("overrides", [dict(time_in_force=TimeInForce.DAY), dict(time_in_force=TimeInForce.GTD),
                                       dict(type=OrderType.STOP_MARKET, price=None, stop_price=Decimal("1")),
                                       dict(time_in_force=TimeInForce.FOK, post_only=True)])
def test_what_coinbase_cannot_express_is_rejected_before_sending(overrides):
    with pytest.raises(VenueRejected) as refused:
        new_order_body(make_order(**overrides))
    assert refused.value.code == "UNSUPPORTED"


# -- parsing --------------------------------------------------------------------------------------------

def test_products_become_spot_instruments():
    payload = {"products": [
        {"product_id": "BTC-USD", "base_increment": "0.00000001", "quote_increment": "0.01",
         "base_min_size": "0.00000001", "base_max_size": "3400", "quote_min_size": "1", "base_currency_id": "BTC",
         "quote_currency_id": "USD", "product_type": "SPOT", "trading_disabled": False},
        {"product_id": "OLD-USD", "base_increment": "1", "quote_increment": "1", "trading_disabled": True},
    ]}
    [btc] = parse_instruments(payload, "coinbase")
    assert (btc.symbol, btc.base, btc.quote, btc.tick_size, btc.step_size) == (
        "BTC-USD", "BTC", "USD", Decimal("0.01"), Decimal("0.00000001"))
    assert (btc.min_quantity, btc.max_quantity, btc.min_notional) == (Decimal("1E-8"), Decimal(3400), Decimal(1))


@pytest.mark.parametrize("status, filled, expected", [
    ("OPEN", "0", OrderStatus.NEW), ("PENDING", "0", OrderStatus.NEW), ("OPEN", "0.2", OrderStatus.PARTIALLY_FILLED),
    ("FILLED", "0.5", OrderStatus.FILLED), ("CANCELLED", "0.2", OrderStatus.CANCELED),
    ("EXPIRED", "0", OrderStatus.EXPIRED), ("FAILED", "0", OrderStatus.REJECTED),
])
def test_order_statuses(status, filled, expected):
    report = parse_order(order_row(status, filled))
    assert report.status is expected
    assert report.filled_quantity == Decimal(filled)
    assert (report.quantity, report.price) == (Decimal("0.5"), Decimal("65000.5"))


def test_an_unknown_status_is_an_unknown_outcome():
    with pytest.raises(VenueUnknownOutcome):
        parse_order(order_row("SOMETHING_NEW"))


def test_fills_carry_trade_id_fee_and_liquidity():
    fill = parse_fill(fill_row())
    assert (fill.venue_trade_id, fill.quantity, fill.price) == ("7", Decimal("0.2"), Decimal("65000.5"))
    assert (fill.fee, fill.fee_asset, fill.liquidity) == (Decimal("52.0004"), "USD", Liquidity.MAKER)
    assert fill.time == datetime(2030, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
    in_quote = parse_fill(fill_row(size="130001", size_in_quote=True))
    assert in_quote.quantity == Decimal(2)


# -- HTTP and error mapping -----------------------------------------------------------------------------

class FakeSession:
    """Answers scripted responses in order and records what was sent."""

    def __init__(self, *answers):
        self.answers = deque(answers)
        self.sent: list[dict] = []

    def request(self, method, url, json=None, headers=None, timeout=None):
        self.sent.append({"method": method, "url": url, "json": json, "headers": headers})
        answer = self.answers.popleft()
        if isinstance(answer, Exception):
            raise answer
        status, body, *extra = answer
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else dumps(body).encode()
        response.headers = CaseInsensitiveDict(extra[0] if extra else {})
        return response

    def close(self):
        pass


def client_with(*answers) -> tuple[CoinbaseHttpClient, FakeSession]:
    session = FakeSession(*answers)
    config = CoinbaseConfig(rest_url=REST_URL, key_name=KEY_NAME, private_key=PRIVATE_PEM)
    return CoinbaseHttpClient(config, session), session


def adapter_with(*answers) -> tuple[CoinbaseAdapter, FakeSession]:
    client, session = client_with(*answers)
    config = CoinbaseConfig(rest_url=REST_URL, key_name=KEY_NAME, private_key=PRIVATE_PEM)
    return CoinbaseAdapter(config, http=client, sleep=lambda s: None), session


def test_a_401_is_retried_once_with_a_new_token_then_rejected():
    unauthorized = (401, {"error": "UNAUTHENTICATED", "message": "JWT expired"})
    client, session = client_with(unauthorized, unauthorized)
    with pytest.raises(VenueRejected) as refused:
        client.get("/api/v3/brokerage/products")
    assert refused.value.code == "UNAUTHENTICATED" and "JWT expired" in refused.value.message
    assert len(session.sent) == 2
    assert session.sent[0]["headers"]["Authorization"] != session.sent[1]["headers"]["Authorization"]

    client, session = client_with(unauthorized, (200, {"products": []}))
    assert client.get("/api/v3/brokerage/products") == {"products": []}


def test_rate_limits_server_errors_and_timeouts_map_to_what_the_caller_should_do():
    client, _ = client_with((429, {"error": "RATE_LIMIT_EXCEEDED", "message": "slow down"}, {"Retry-After": "3"}))
    with pytest.raises(VenueTemporaryError) as limited:
        client.get("/x")
    assert limited.value.retry_after == 3
    client, _ = client_with((503, {"error": "UNAVAILABLE"}))
    with pytest.raises(VenueUnknownOutcome):
        client.post("/x", {})
    client, _ = client_with(requests.ReadTimeout("slow"))
    with pytest.raises(VenueUnknownOutcome):
        client.post("/x", {})
    client, _ = client_with((400, {"error": "INVALID_ARGUMENT", "message": "product_id is required"}))
    with pytest.raises(VenueRejected) as refused:
        client.post("/x", {})
    assert refused.value.code == "INVALID_ARGUMENT"


def test_a_failure_envelope_is_a_rejection_with_coinbase_reason():
    envelope = {"success": False, "error_response": {
        "error": "INSUFFICIENT_FUND", "message": "Insufficient balance in source account",
        "preview_failure_reason": "PREVIEW_INSUFFICIENT_FUND"}}
    adapter, session = adapter_with((200, envelope))
    with pytest.raises(VenueRejected) as refused:
        adapter.submit(make_order())
    assert refused.value.code == "INSUFFICIENT_FUND"
    assert "Insufficient balance" in refused.value.message
    assert len(session.sent) == 1  # a rejection is final: nothing else is asked

    vague = {"success": False, "error_response": {"error": "UNKNOWN_FAILURE_REASON", "message": "too small",
                                                  "preview_failure_reason": "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL"}}
    adapter, _ = adapter_with((200, vague))
    with pytest.raises(VenueRejected) as refused:
        adapter.submit(make_order())
    assert refused.value.code == "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL"


def test_submit_reports_the_order_and_its_fills():
    created = {"success": True, "success_response": {"order_id": order_row()["order_id"], "product_id": "BTC-USD",
                                                     "side": "BUY", "client_order_id": "client-1"}}
    adapter, session = adapter_with((200, created), (200, {"order": order_row("FILLED", "0.5")}),
                                    (200, {"fills": [fill_row("1", "0.3"), fill_row("2", "0.2")], "cursor": ""}))
    report = adapter.submit(make_order())
    assert report.status is OrderStatus.FILLED and report.venue_order_id == order_row()["order_id"]
    assert [f.venue_trade_id for f in report.fills] == ["1", "2"]
    assert session.sent[0]["json"]["order_configuration"]["limit_limit_gtc"]["limit_price"] == "65000.5"


def test_submit_that_was_accepted_is_new_even_if_the_follow_up_fails():
    created = {"success": True, "success_response": {"order_id": "abc", "client_order_id": "client-1"}}
    adapter, _ = adapter_with((200, created), *[(503, {"error": "UNAVAILABLE"})] * 3)
    report = adapter.submit(make_order())
    assert (report.status, report.venue_order_id, report.client_order_id) == (OrderStatus.NEW, "abc", "client-1")


def test_cancel_refusal_carries_the_failure_reason():
    answer = {"results": [{"success": False, "failure_reason": "UNKNOWN_CANCEL_ORDER", "order_id": "abc"}]}
    adapter, _ = adapter_with((200, answer))
    with pytest.raises(VenueRejected) as refused:
        adapter.cancel(make_order(venue_order_id="abc"))
    assert refused.value.code == "UNKNOWN_CANCEL_ORDER"


def test_amend_is_unsupported():
    adapter, session = adapter_with()
    with pytest.raises(VenueRejected) as refused:
        adapter.amend(make_order(venue_order_id="abc"), Decimal("1"), None)
    assert refused.value.code == "UNSUPPORTED" and session.sent == []


def test_query_by_client_id_looks_through_recent_orders():
    other = order_row(client_order_id="someone-else", order_id="other")
    adapter, session = adapter_with((200, {"orders": [other], "cursor": "1"}),
                                    (200, {"orders": [order_row("OPEN", "0.1")], "cursor": ""}))
    report = adapter.query(make_order())
    assert report.client_order_id == "client-1" and report.status is OrderStatus.PARTIALLY_FILLED
    assert "cursor=1" in session.sent[1]["url"]
    adapter, _ = adapter_with((200, {"orders": [other], "cursor": ""}))
    assert adapter.query(make_order()) is None
    adapter, _ = adapter_with((404, {"error": "NOT_FOUND", "message": "order with this orderID was not found"}))
    assert adapter.query(make_order(venue_order_id="gone")) is None


# -- the execution poller -------------------------------------------------------------------------------

class FakeAccount:
    def __init__(self):
        self.open: list[dict] = []
        self.fills: list[dict] = []
        self.orders: dict[str, dict] = {}
        self.since: list[datetime] = []
        self.failures = 0

    def open_order_rows(self):
        if self.failures:
            self.failures -= 1
            raise VenueTemporaryError("no connection")
        return list(self.open)

    def fill_rows(self, since):
        self.since.append(since)
        return list(self.fills)

    def order_row(self, order_id):
        return self.orders[order_id]


def test_poller_reports_new_fills_and_orders_that_left_the_book():
    account = FakeAccount()
    account.open = [order_row("OPEN", "0")]
    account.fills = [fill_row("old", order_id="earlier")]
    clock = [datetime(2030, 1, 1, tzinfo=timezone.utc)]
    poller = ExecutionPoller(account, 1.0, clock=lambda: clock[0])
    assert poller.poll() == []  # the baseline

    account.open = [order_row("OPEN", "0.2")]
    account.fills.append(fill_row("7"))
    clock[0] += timedelta(seconds=1)
    [report] = poller.poll()
    assert report.status is OrderStatus.PARTIALLY_FILLED and [f.venue_trade_id for f in report.fills] == ["7"]
    assert account.since[-1] == datetime(2030, 1, 1, tzinfo=timezone.utc) - timedelta(seconds=60)

    account.open = []
    account.orders[order_row()["order_id"]] = order_row("CANCELLED", "0.2")
    [report] = poller.poll()
    assert report.status is OrderStatus.CANCELED and report.fills == ()
    assert poller.poll() == []


def test_poller_calls_on_connected_after_start_and_after_an_outage_and_stops_promptly():
    account = FakeAccount()
    connected, polls = [], []
    original = account.open_order_rows

    def counting():
        polls.append(1)
        if len(polls) == 2:
            account.failures = 1
        return original()

    account.open_order_rows = counting
    poller = ExecutionPoller(account, 0.0, sleep=lambda s: None)
    poller.run(lambda r: None, should_stop=lambda: len(polls) >= 4, on_connected=lambda: connected.append(1))
    assert len(connected) == 2
