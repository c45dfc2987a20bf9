"""Flowa adapter: token caching and renewal (fake clock), and how HTTP answers become domain errors."""
from __future__ import annotations

import json
from collections import deque

import pytest
import requests

from order_service.adapters.flowa.auth import TokenProvider
from order_service.adapters.flowa.config import FlowaConfig
from order_service.adapters.flowa.http import FlowaHttpClient
from shared.domain.errors import VenueRejected, VenueTemporaryError, VenueUnknownOutcome

CONFIG = FlowaConfig(rest_url="http://flowa.test/api-base", token_url="http://flowa.test/connect/token",
                     ws_url="ws://flowa.test/ws", client_id="client", client_secret="secret-do-not-log",
                     token_refresh_margin=300)


def answer(status: int, body=None, headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = b"" if body is None else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def token_answer(token: str, expires_in: int | None = 3600) -> requests.Response:
    body = {"access_token": token, "token_type": "Bearer"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    return answer(200, body)


class FakeSession:
    """Plays scripted answers: `tokens` for the token endpoint, `replies` for API requests."""

    def __init__(self, tokens=(), replies=()) -> None:
        self.tokens = deque(tokens)
        self.replies = deque(replies)
        self.token_forms: list[dict] = []
        self.requests: list[tuple[str, str, str]] = []

    def post(self, url, data=None, timeout=None):
        self.token_forms.append(data)
        reply = self.tokens.popleft()
        if isinstance(reply, Exception):
            raise reply
        return reply

    def request(self, method, url, params=None, json=None, headers=None, timeout=None):
        self.requests.append((method, url, headers["Authorization"]))
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        return reply

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_is_fetched_once_with_client_credentials_and_reused():
    session, clock = FakeSession([token_answer("t1")]), Clock()
    tokens = TokenProvider(CONFIG, session, monotonic=clock)
    assert tokens.token() == "t1"
    clock.now += 3000
    assert tokens.token() == "t1"
    assert session.token_forms == [{"grant_type": "client_credentials", "scope": "atgapi", "client_id": "client",
                                    "client_secret": "secret-do-not-log"}]


def test_token_is_renewed_before_expires_in():
    session, clock = FakeSession([token_answer("t1", 3600), token_answer("t2", 3600)]), Clock()
    tokens = TokenProvider(CONFIG, session, monotonic=clock)
    tokens.token()
    clock.now += 3600 - 300  # the refresh margin before expiry
    assert tokens.token() == "t2"


def test_short_lived_tokens_renew_half_way_and_a_missing_lifetime_means_eight_hours():
    session, clock = FakeSession([token_answer("short", 60), token_answer("long", None), token_answer("x")]), Clock()
    tokens = TokenProvider(CONFIG, session, monotonic=clock)
    tokens.token()
    clock.now += 29
    assert tokens.token() == "short"
    clock.now += 1
    assert tokens.token() == "long"
    clock.now += 8 * 3600 - 301
    assert tokens.token() == "long"


def test_refused_credentials_are_a_rejection_and_an_outage_is_temporary():
    refused = TokenProvider(CONFIG, FakeSession([answer(401, {"error": "invalid_client"})]))
    with pytest.raises(VenueRejected) as raised:
        refused.token()
    assert raised.value.code == "invalid_client" and "secret-do-not-log" not in str(raised.value)
    down = TokenProvider(CONFIG, FakeSession([requests.ConnectionError("refused")]))
    with pytest.raises(VenueTemporaryError):
        down.token()
    broken = TokenProvider(CONFIG, FakeSession([answer(502)]))
    with pytest.raises(VenueTemporaryError):
        broken.token()


def client(tokens=(), replies=()) -> tuple[FlowaHttpClient, FakeSession]:
    session = FakeSession(tokens or [token_answer("t1"), token_answer("t2")], replies)
    return FlowaHttpClient(CONFIG, session, TokenProvider(CONFIG, session)), session


def test_a_401_renews_the_token_once_and_retries():
    http, session = client(replies=[answer(401), answer(200, [])])
    assert http.get("/api/trading/trades") == []
    assert [auth for _, _, auth in session.requests] == ["Bearer t1", "Bearer t2"]
    assert session.requests[0][1] == "http://flowa.test/api-base/api/trading/trades"


def test_a_second_401_is_a_temporary_error():
    http, _ = client(replies=[answer(401), answer(401)])
    with pytest.raises(VenueTemporaryError) as raised:
        http.get("/api/trading/trades")
    assert raised.value.code == 401


@pytest.mark.parametrize("reply, error, code", [
    (answer(422, {"Success": False, "Error": "Quantity must be a multiple of the lot size 100"}), VenueRejected, 422),
    (answer(200, {"Success": False, "Error": "Refused by risk"}), VenueRejected, 200),
    (answer(404, {"Success": False, "Error": "Strategy not found"}), VenueRejected, 404),
    (answer(503, {"Success": False, "Error": "Service unavailable"}), VenueUnknownOutcome, 503),
    (answer(504), VenueUnknownOutcome, 504),
    (answer(429, {"Success": False, "Error": "Too many requests"}, {"Retry-After": "2"}), VenueTemporaryError, 429),
])
def test_answers_become_domain_errors(reply, error, code):
    http, _ = client(replies=[reply])
    with pytest.raises(error) as raised:
        http.post("/api/simple-order", {"Symbol": "PETR4"})
    assert raised.value.code == code
    if code == 422:
        assert raised.value.message == "Quantity must be a multiple of the lot size 100"
    if code == 429:
        assert raised.value.retry_after == 2.0


def test_transport_failures():
    http, _ = client(replies=[requests.ReadTimeout("slow")])
    with pytest.raises(VenueUnknownOutcome):
        http.post("/api/simple-order", {})
    http, _ = client(replies=[requests.ConnectTimeout("no route")])
    with pytest.raises(VenueTemporaryError):
        http.post("/api/simple-order", {})
