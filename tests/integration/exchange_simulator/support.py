"""A small Binance spot client for the tests: signs exactly as the real venue documents."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from urllib.parse import urlencode

import requests
from werkzeug.serving import make_server
from websockets.sync.client import connect

from exchange_simulator.app import EXTENSION_KEY, Simulator, create_app
from exchange_simulator.binance.signing import sign
from exchange_simulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, SimulatorConfig


class BinanceClient:
    def __init__(self, base_url: str, api_key: str = DEFAULT_API_KEY, api_secret: str = DEFAULT_API_SECRET):
        self.base_url = base_url
        self.api_key = api_key
        self.api_secret = api_secret
        self.http = requests.Session()

    def public(self, method: str, path: str, **params) -> requests.Response:
        return self.http.request(method, self.base_url + path, params=params, timeout=10)

    def signed(self, method: str, path: str, *, in_body: bool = False, timestamp: int | None = None,
               secret: str | None = None, **params) -> requests.Response:
        params["timestamp"] = timestamp if timestamp is not None else int(time.time() * 1000)
        payload = urlencode(params)
        signature = sign(secret or self.api_secret, payload)
        headers = {"X-MBX-APIKEY": self.api_key}
        if in_body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.http.request(method, self.base_url + path, data=f"{payload}&signature={signature}",
                                     headers=headers, timeout=10)
        return self.http.request(method, f"{self.base_url}{path}?{payload}&signature={signature}",
                                 headers=headers, timeout=10)

    def order(self, **params) -> requests.Response:
        return self.signed("POST", "/v3/order", **params)

    def book_ticker(self, symbol: str = "BTCUSDT") -> dict:
        return self.public("GET", "/v3/ticker/bookTicker", symbol=symbol).json()

    def listen_key(self) -> str:
        response = self.http.post(self.base_url + "/v3/userDataStream", headers={"X-MBX-APIKEY": self.api_key},
                                  timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["listenKey"]


@dataclass
class RunningSimulator:
    base_url: str          # http://host:port
    api_url: str           # the BINANCE_ENDPOINT an adapter would use
    ws_url: str            # ws://host:port/binance
    simulator: Simulator
    client: BinanceClient

    @contextmanager
    def ws(self, path: str, sync: bool = True):
        """A websocket client; with ``sync`` it first round-trips a control message, so the server
        has certainly registered the subscriptions in the URL before the test acts."""
        with connect(self.ws_url + path, open_timeout=5, close_timeout=1) as ws:
            if sync:
                ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 0}))
                receive_until(ws, lambda m: m.get("id") == 0)
            yield ws

    def admin(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        return requests.request(method, self.base_url + path, json=body, timeout=10)


def start_simulator(**overrides) -> tuple[RunningSimulator, callable]:
    """Serve a fresh simulator on an ephemeral port in a thread; returns it and a stop function."""
    config = replace(SimulatorConfig(port=0, step_interval=0, ws_ping_interval=5.0), **overrides)
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="simulator",
                              daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    running = RunningSimulator(base, base + "/binance/api", f"ws://127.0.0.1:{port}/binance",
                               app.extensions[EXTENSION_KEY], BinanceClient(base + "/binance/api"))
    running.simulator.world.start()

    def stop() -> None:
        running.simulator.world.stop()
        running.simulator.binance.drop_websockets()
        server.shutdown()
        server.server_close()
        running.client.http.close()

    return running, stop


def receive_json(ws, timeout: float = 5.0) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def receive_until(ws, predicate, timeout: float = 5.0) -> dict:
    """The first message satisfying ``predicate``, skipping others (e.g. unrelated book updates)."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("expected websocket message did not arrive")
        message = json.loads(ws.recv(timeout=remaining))
        if predicate(message):
            return message


def dec(value: str) -> Decimal:
    return Decimal(value)
