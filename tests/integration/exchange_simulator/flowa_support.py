"""The Flowa dialect served alone on an ephemeral port, and what its tests share."""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Callable

import requests
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

from exchange_simulator.admin import create_admin_blueprint
from exchange_simulator.app import build_world
from exchange_simulator.config import SimulatorConfig
from exchange_simulator.faults import FaultInjector
from exchange_simulator.flowa.dialect import FlowaDialect
from exchange_simulator.venue import wall_clock_ms
from shared.settings import SIM_FLOWA_CLIENT_ID, SIM_FLOWA_SECRET


@dataclass
class FlowaSim:
    base_url: str            # http://host:port
    dialect: FlowaDialect
    http: requests.Session

    @property
    def api(self) -> str:
        return self.base_url + "/flowa"

    @property
    def ws(self) -> str:
        return self.base_url.replace("http", "ws", 1) + "/flowa/ws"

    def token(self, client_id: str = SIM_FLOWA_CLIENT_ID, secret: str = SIM_FLOWA_SECRET) -> str:
        answer = self.http.post(self.api + "/connect/token", data={
            "grant_type": "client_credentials", "scope": "atgapi", "client_id": client_id, "client_secret": secret})
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        token = token or self.token()
        return self.http.request(method, self.api + path, headers={"Authorization": f"Bearer {token}"},
                                 timeout=10, **kwargs)

    def order(self, token: str | None = None, **fields) -> requests.Response:
        body = {"Broker": "308", "Account": "12345", "Symbol": "PETR4", "Side": "BUY", "OrderType": "LIMIT",
                "TimeInForce": "DAY", "Quantity": 100, "Price": "37.00", "CustomId": uuid.uuid4().hex[:20]}
        body.update(fields)
        return self.call("POST", "/api/simple-order", token, json={k: v for k, v in body.items() if v is not None})

    def admin(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        return self.http.request(method, self.base_url + path, json=body, timeout=10)


def start_flowa(clock: Callable[[], int] = wall_clock_ms, **options) -> tuple[FlowaSim, Callable[[], None]]:
    """The Flowa dialect (built with `options`) and the admin API on an ephemeral port, markets still."""
    config = SimulatorConfig(port=0, step_interval=0)
    world = build_world(config, clock)
    faults = FaultInjector()
    dialect = FlowaDialect(world, config, faults, clock, **options)
    app = Flask(__name__)
    for blueprint in dialect.blueprints():
        app.register_blueprint(blueprint)
    app.register_blueprint(create_admin_blueprint(world, faults, {dialect.name: dialect}, config))
    app.register_error_handler(HTTPException, dialect.http_error)  # as the service does for its dialects
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    world.start()
    sim = FlowaSim(f"http://127.0.0.1:{server.server_port}", dialect, requests.Session())

    def stop() -> None:
        dialect.drop_websockets()
        server.shutdown()
        server.server_close()
        sim.http.close()

    return sim, stop


class FakeClock:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def fault(sim: FlowaSim, kind: str, **options) -> None:
    answer = sim.admin("POST", "/admin/faults", {"venue": "flowa", "kind": kind, **options})
    assert answer.status_code in (200, 201), answer.text
