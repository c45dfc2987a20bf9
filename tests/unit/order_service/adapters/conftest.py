"""A scripted Binance REST server on an ephemeral port, so the adapter is tested over real HTTP."""
from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from order_service.adapters.binance.config import BinanceConfig
from shared.domain.enums import OrderType, Side, TimeInForce
from shared.domain.order import Order

API_KEY = "unit-test-key"
API_SECRET = "unit-test-secret-do-not-log"


def make_order(**overrides) -> Order:
    """A resting BTCUSDT limit buy, with any field overridden."""
    fields = dict(id="o-1", client_order_id="client-1", venue="binance", symbol="BTCUSDT", side=Side.BUY,
                  type=OrderType.LIMIT, quantity=Decimal("0.5"), price=Decimal("65000"),
                  time_in_force=TimeInForce.GTC)
    fields.update(overrides)
    return Order(**fields)


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))


@dataclass
class FakeBinance:
    """Answers each (method, path) from a queue of scripted replies; the last reply repeats."""

    url: str = ""
    server_time_offset_ms: int = 0
    requests: list[Recorded] = field(default_factory=list)
    _replies: dict[tuple[str, str], deque] = field(default_factory=lambda: defaultdict(deque))

    def reply(self, method: str, path: str, body, status: int = 200, headers: dict | None = None,
              delay: float = 0.0) -> None:
        self._replies[(method, path)].append((body, status, headers or {}, delay))

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def __call__(self, environ, start_response):
        request = Request(environ)
        path = request.path.removeprefix("/api")
        self.requests.append(Recorded(request.method, path, environ.get("QUERY_STRING", ""),
                                      dict(request.headers)))
        queue = self._replies.get((request.method, path))
        if queue:
            body, status, headers, delay = queue[0] if len(queue) == 1 else queue.popleft()
        elif path == "/v3/time":
            body, status, headers, delay = (
                {"serverTime": int(time.time() * 1000) + self.server_time_offset_ms}, 200, {}, 0.0)
        else:
            body, status, headers, delay = {"code": -1000, "msg": f"no scripted reply for {path}"}, 404, {}, 0.0
        if delay:
            time.sleep(delay)
        text = body if isinstance(body, str) else json.dumps(body)
        response = Response(text, status=status, headers=headers, content_type="application/json")
        return response(environ, start_response)


@pytest.fixture
def fake_binance():
    fake = FakeBinance()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    fake.url = f"http://127.0.0.1:{server.server_port}/api"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    thread.join()


@pytest.fixture
def config(fake_binance) -> BinanceConfig:
    return BinanceConfig(rest_url=fake_binance.url, ws_url="ws://127.0.0.1:9/unused", api_key=API_KEY,
                         api_secret=API_SECRET, timeout=(1.0, 0.5))
