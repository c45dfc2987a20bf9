"""Request weight and order-count limits, with Binance's headers and 429 answers."""
from __future__ import annotations

from exchange_simulator.config import BinanceLimits


def test_weight_limit_answers_429_with_retry_after(make_sim):
    sim = make_sim(binance_limits=BinanceLimits(request_weight_per_minute=3))
    for used in (1, 2, 3):
        response = sim.client.public("GET", "/v3/ping")
        assert response.status_code == 200
        assert response.headers["X-MBX-USED-WEIGHT-1M"] == str(used)
    refused = sim.client.public("GET", "/v3/ping")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["code"] == -1003
    assert refused.json()["msg"].startswith("Too many requests;")


def test_order_count_limit_answers_429_and_counts_in_headers(make_sim):
    sim = make_sim(binance_limits=BinanceLimits(orders_per_10s=2))
    params = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001", price="50000")
    first = sim.client.order(**params)
    assert first.headers["X-MBX-ORDER-COUNT-10S"] == "1" and first.headers["X-MBX-ORDER-COUNT-1D"] == "1"
    assert sim.client.order(**params).headers["X-MBX-ORDER-COUNT-10S"] == "2"
    refused = sim.client.order(**params)
    assert refused.status_code == 429
    assert refused.json()["code"] == -1015
    assert "Retry-After" in refused.headers
    assert len(sim.client.signed("GET", "/v3/openOrders").json()) == 2


def test_exchange_info_reports_configured_limits(make_sim):
    sim = make_sim(binance_limits=BinanceLimits(request_weight_per_minute=1200, orders_per_10s=50))
    limits = sim.client.public("GET", "/v3/exchangeInfo").json()["rateLimits"]
    assert {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 1200} in limits
    assert {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50} in limits
