import logging
import socket

import pytest

from order_service.adapters.binance.config import BinanceConfig
from order_service.adapters.binance.errors import error_from_response
from order_service.adapters.binance.http import BinanceHttpClient
from shared.domain.errors import VenueRejected, VenueTemporaryError, VenueUnknownOutcome
from tests.unit.order_service.adapters.conftest import API_KEY, API_SECRET


@pytest.mark.parametrize("status, code, msg, headers, kind, retry_after", [
    (400, -2010, "Account has insufficient balance for requested action.", {}, VenueRejected, None),
    (400, -2011, "Unknown order sent.", {}, VenueRejected, None),
    (400, -2013, "Order does not exist.", {}, VenueRejected, None),
    (400, -1013, "Filter failure: LOT_SIZE", {}, VenueRejected, None),
    (400, -1121, "Invalid symbol.", {}, VenueRejected, None),
    (400, -1022, "Signature for this request is not valid.", {}, VenueRejected, None),
    (401, -2015, "Invalid API-key, IP, or permissions for action.", {}, VenueRejected, None),
    (400, -1021, "Timestamp for this request is outside of the recvWindow.", {}, VenueTemporaryError, None),
    (429, -1003, "Too many requests.", {"Retry-After": "7"}, VenueTemporaryError, 7.0),
    (429, -1015, "Too many new orders.", {"Retry-After": "2"}, VenueTemporaryError, 2.0),
    (418, -1003, "Way too many requests; IP banned.", {"Retry-After": "120"}, VenueTemporaryError, 120.0),
    (429, None, None, {}, VenueTemporaryError, 1.0),
    (400, -1007, "Timeout waiting for response from backend server.", {}, VenueUnknownOutcome, None),
    (408, -1007, "Timeout waiting for response from backend server.", {}, VenueUnknownOutcome, None),
    (500, None, None, {}, VenueUnknownOutcome, None),
    (502, None, None, {}, VenueUnknownOutcome, None),
    (503, -1001, "Internal error; unable to process your request.", {}, VenueUnknownOutcome, None),
    (403, None, None, {}, VenueRejected, None),
])
def test_error_mapping_by_what_the_caller_should_do(status, code, msg, headers, kind, retry_after):
    body = {"code": code, "msg": msg} if code is not None else "<html>error</html>"
    error = error_from_response("POST", "/v3/order", status, body, headers)
    assert type(error) is kind
    assert error.code == code
    assert error.http_status == status
    if msg and kind is VenueRejected:
        assert error.message == msg
    if kind is VenueTemporaryError:
        assert error.retry_after == retry_after


def test_failed_cancel_replace_says_which_half_failed():
    body = {"code": -2022, "msg": "Order cancel-replace failed.", "data": {
        "cancelResult": "FAILURE", "newOrderResult": "NOT_ATTEMPTED",
        "cancelResponse": {"code": -2011, "msg": "Unknown order sent."}, "newOrderResponse": None}}
    error = error_from_response("POST", "/v3/order/cancelReplace", 400, body, {})
    assert isinstance(error, VenueRejected) and error.code == -2022
    assert "cancel: FAILURE -2011 Unknown order sent." in error.message
    assert "new order: NOT_ATTEMPTED" in error.message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_is_temporary_because_nothing_was_sent():
    config = BinanceConfig(f"http://127.0.0.1:{_free_port()}/api", "ws://unused", API_KEY, API_SECRET)
    with pytest.raises(VenueTemporaryError):
        BinanceHttpClient(config).get("/v3/exchangeInfo")


def test_read_timeout_is_an_unknown_outcome_and_leaks_no_secret(fake_binance, config, caplog):
    fake_binance.reply("POST", "/v3/order", {"orderId": 1}, delay=1.0)
    client = BinanceHttpClient(config)
    caplog.set_level(logging.DEBUG, logger="order_service")
    with pytest.raises(VenueUnknownOutcome) as raised:
        client.post("/v3/order", {"symbol": "BTCUSDT"})
    # requests' own exception quotes the signed URL: it must not show up in tracebacks.
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    _assert_no_secret(str(raised.value), _our_logs(caplog))


def test_rejections_leak_no_secret(fake_binance, config, caplog):
    fake_binance.reply("POST", "/v3/order", {"code": -2010, "msg": "Account has insufficient balance for requested action."},
                       status=400)
    client = BinanceHttpClient(config)
    caplog.set_level(logging.DEBUG, logger="order_service")
    with pytest.raises(VenueRejected) as raised:
        client.post("/v3/order", {"symbol": "BTCUSDT"})
    assert raised.value.code == -2010
    assert raised.value.message == "Account has insufficient balance for requested action."
    _assert_no_secret(str(raised.value), _our_logs(caplog))


def _our_logs(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("order_service"))


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert API_SECRET not in text
        assert API_KEY not in text
        assert "signature" not in text
        assert "timestamp=" not in text
