import pytest

from order_service.adapters.binance.http import BinanceHttpClient, Security
from shared.domain.errors import VenueError, VenueTemporaryError, VenueUnknownOutcome


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_after_a_429_nothing_is_sent_until_retry_after_passes(fake_binance, config):
    fake_binance.reply("GET", "/v3/ticker/price", {"code": -1003, "msg": "Too many requests."}, status=429,
                       headers={"Retry-After": "30"})
    fake_binance.reply("GET", "/v3/ticker/price", {"symbol": "BTCUSDT", "price": "65000.00"})
    clock = FakeMonotonic()
    client = BinanceHttpClient(config, monotonic=clock)

    with pytest.raises(VenueTemporaryError) as first:
        client.get("/v3/ticker/price", security=Security.NONE)
    assert first.value.retry_after == 30

    clock.now += 29
    with pytest.raises(VenueTemporaryError) as refused:
        client.get("/v3/ticker/price", security=Security.NONE)
    assert refused.value.retry_after == pytest.approx(1.0)
    with pytest.raises(VenueTemporaryError):
        client.post("/v3/order", {"symbol": "BTCUSDT"})
    assert len(fake_binance.requests) == 1  # the refusals never reached the venue

    clock.now += 1.5
    assert client.get("/v3/ticker/price", security=Security.NONE)["price"] == "65000.00"


def test_recv_window_rejection_resyncs_the_clock(fake_binance, config):
    fake_binance.reply("GET", "/v3/time", {"serverTime": 1_700_000_000_000})
    fake_binance.reply("GET", "/v3/time", {"serverTime": 1_700_000_060_000})
    fake_binance.reply("GET", "/v3/openOrders", {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."},
                       status=400)
    fake_binance.reply("GET", "/v3/openOrders", [])
    client = BinanceHttpClient(config, wall_clock=lambda: 1_700_000_000.0)

    with pytest.raises(VenueTemporaryError) as raised:
        client.get("/v3/openOrders")
    assert raised.value.code == -1021
    assert client.time_offset_ms == 60_000
    assert client.get("/v3/openOrders") == []
    assert fake_binance.calls("GET", "/v3/openOrders")[-1].params["timestamp"] == "1700000060000"


def test_used_weight_and_order_count_are_tracked(fake_binance, config):
    fake_binance.reply("POST", "/v3/order", {"symbol": "BTCUSDT", "orderId": 1, "clientOrderId": "a"},
                       headers={"X-MBX-USED-WEIGHT-1M": "42", "X-MBX-ORDER-COUNT-10S": "3"})
    client = BinanceHttpClient(config)
    client.post("/v3/order", {"symbol": "BTCUSDT"})
    assert (client.used_weight_1m, client.order_count_10s) == (42, 3)


def test_an_answer_that_is_not_json_is_an_unknown_outcome(fake_binance, config):
    fake_binance.reply("POST", "/v3/order", "<html>Bad gateway</html>", status=502)
    with pytest.raises(VenueUnknownOutcome) as raised:
        BinanceHttpClient(config).post("/v3/order", {"symbol": "BTCUSDT"})
    assert raised.value.http_status == 502


def test_proxy_settings_are_read_once_when_the_client_is_built(fake_binance, config, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = BinanceHttpClient(config)
    # A proxy that appears later is not picked up: the request still goes straight to the venue.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY")
    fake_binance.reply("GET", "/v3/ping", {})
    assert client.get("/v3/ping", security=Security.NONE) == {}


def test_a_proxy_configured_in_the_environment_at_start_is_honoured(config, monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    client = BinanceHttpClient(config)
    with pytest.raises(VenueError, match="ProxyError"):
        client.get("/v3/ping", security=Security.NONE)
