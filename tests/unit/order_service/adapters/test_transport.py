import pytest
import requests

from order_service.adapters.transport import DEFAULT_RETRY_AFTER, error_from_exception, rate_limit_wait
from shared.domain.errors import VenueTemporaryError, VenueUnknownOutcome


def test_connect_timeout_is_temporary():
    exc = requests.ConnectTimeout("timed out")
    assert isinstance(error_from_exception("POST", "/v3/order", exc), VenueTemporaryError)


def test_connection_dropped_mid_request_is_an_unknown_outcome():
    exc = requests.ConnectionError(ConnectionResetError("Connection reset by peer"))
    assert isinstance(error_from_exception("POST", "/v3/order", exc), VenueUnknownOutcome)


def test_read_timeout_is_an_unknown_outcome_naming_the_request():
    error = error_from_exception("POST", "/api/simple-order", requests.ReadTimeout("read timed out"))
    assert isinstance(error, VenueUnknownOutcome) and "POST /api/simple-order" in str(error)


@pytest.mark.parametrize("headers, wait", [
    ({"Retry-After": "7"}, 7.0),
    ({"Retry-After": "-3"}, 0.0),
    ({"Retry-After": "soon"}, DEFAULT_RETRY_AFTER),
    ({}, DEFAULT_RETRY_AFTER),
])
def test_a_rate_limited_client_waits_as_the_venue_says_or_a_second(headers, wait):
    assert rate_limit_wait(headers) == wait
