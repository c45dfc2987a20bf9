"""The stack exactly as `trading-system up` starts it, on free ports, a private bus prefix and a temp dir."""
from __future__ import annotations

import json
import uuid

import pytest
import redis
import requests

from shared.embedded_redis import free_port
from shared.settings import Settings
from trading_system.stack import Stack
from tests.e2e.polling import poll


class Running:
    def __init__(self, stack: Stack, settings: Settings) -> None:
        self.stack = stack
        self.settings = settings
        self.api = settings.order_service_url
        self.sim = settings.simulator_url
        self.http = requests.Session()
        self.redis = redis.Redis.from_url(stack.redis_url, decode_responses=True)
        self.md_api = settings.market_data_url
        self.algo_api = settings.algo_service_url

    def feeds(self) -> dict[str, dict]:
        """The market data feeds by name, as GET /api/v1/feeds reports them."""
        body = self.http.get(f"{self.md_api}/api/v1/feeds", timeout=10).json()
        return {feed["name"]: feed for feed in body["feeds"]}

    def wait_for_feed(self, name: str, predicate, timeout: float = 20.0) -> dict:
        return poll(lambda: self.feeds()[name], predicate, timeout)

    def post_order(self, **body) -> requests.Response:
        return self.http.post(f"{self.api}/api/v1/orders", json=body, timeout=30)

    def order(self, order_id: str) -> dict:
        return self.http.get(f"{self.api}/api/v1/orders/{order_id}", timeout=10).json()

    def wait_for(self, order_id: str, predicate, timeout: float = 15.0) -> dict:
        return poll(lambda: self.order(order_id), predicate, timeout)

    def events(self, order_id: str, until: str | None = None, timeout: float = 5.0) -> list[dict]:
        """The order's events on the stream, waiting (up to timeout) for one of type `until` to arrive."""
        def fetch() -> list[dict]:
            entries = self.redis.xrange(f"{self.settings.bus_prefix}orders:events")
            return [json.loads(f["event"]) for _, f in entries if f["order_id"] == order_id]

        return poll(fetch, lambda events: until is None or any(e["type"] == until for e in events), timeout, 0.05)

    def admin(self, method: str, url_path: str, **body) -> requests.Response:
        response = self.http.request(method, f"{self.sim}{url_path}", json=body or None, timeout=10)
        assert response.ok, response.text
        return response

    def venue_adapter(self):
        from order_service.venues import adapter_factories

        return adapter_factories()["binance"](self.settings.venues["binance"])

    def best(self, symbol: str = "BTCUSDT") -> tuple:
        book = self.http.get(f"{self.sim}/binance/api/v3/ticker/bookTicker", params={"symbol": symbol}, timeout=5).json()
        from decimal import Decimal

        return Decimal(book["bidPrice"]), Decimal(book["askPrice"])


@pytest.fixture(scope="module")
def running(redis_url, tmp_path_factory):
    sim_port, api_port, md_port, algo_port = free_port(), free_port(), free_port(), free_port()
    environ = {"ENV": "SIM", "REDIS_URL": redis_url, "BUS_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}:",
               "SIM_URL": f"http://127.0.0.1:{sim_port}", "ORDER_SERVICE_PORT": str(api_port),
               "VAR_DIR": str(tmp_path_factory.mktemp("var")), "RECONCILE_INTERVAL": "1",
               "ORDER_SERVICE_WORKERS": "2", "LOG_LEVEL": "INFO", "MARKET_DATA_PORT": str(md_port),
               "ALGO_SERVICE_PORT": str(algo_port), "ALGO_STOP_TIMEOUT": "5"}
    import os

    settings = Settings.from_env(environ, dotenv_path=None)
    stack = Stack(settings, environ={**os.environ, **environ}).start()
    running = Running(stack, settings)
    yield running
    stack.stop()
    keys = running.redis.keys(f"{settings.bus_prefix}*")
    if keys:
        running.redis.delete(*keys)
