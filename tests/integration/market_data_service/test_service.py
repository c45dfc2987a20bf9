"""The supervisor running real feed processes, and the REST API reporting on them."""
from __future__ import annotations

import threading

import pytest

from tests.integration.exchange_simulator.support import start_simulator
from tests.integration.market_data_service.conftest import settings_for, wait_until

from market_data_service.app import create_app
from market_data_service.config import BINANCE, feed_specs
from market_data_service.runner import TICK_SECONDS, build_supervisor

pytestmark = pytest.mark.redis


@pytest.fixture
def stepping_sim():
    running, stop = start_simulator(step_interval=0.05)
    yield running
    stop()


@pytest.fixture
def supervised(stepping_sim, redis_url, bus_prefix):
    """The binance feed in its own process under a supervisor ticking on a thread, and the API's client."""
    from shared.bus import EventBus

    settings = settings_for(stepping_sim, redis_url, bus_prefix)
    bus = EventBus.from_url(redis_url, bus_prefix, retries=0)
    supervisor = build_supervisor(settings, bus, [s for s in feed_specs(settings) if s.name == BINANCE]).start()
    stop = threading.Event()

    def loop():
        while not stop.wait(TICK_SECONDS):
            supervisor.tick()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    client = create_app(settings, bus=bus).test_client()
    yield client
    stop.set()
    thread.join(5)
    supervisor.stop()
    keys = list(bus.client.scan_iter(match=f"{bus_prefix}*"))
    if keys:
        bus.client.delete(*keys)
    bus.close()


def feed(client, name: str = BINANCE) -> dict:
    response = client.get("/api/v1/feeds")
    if response.status_code == 503:   # before the supervisor's first report
        return {"state": None, "messages": 0, "connects": 0}
    return next(f for f in response.json["feeds"] if f["name"] == name)


def test_feeds_report_a_dropped_websocket_and_silence_then_heal(supervised, stepping_sim):
    client = supervised
    assert wait_until(lambda: feed(client)["state"] == "connected" and feed(client)["messages"] > 0, timeout=20)
    assert client.get("/healthz").status_code == 200
    snapshot = wait_until(lambda: client.get("/api/v1/marketdata/binance/BTCUSDT").json.get("quote"))
    assert snapshot["symbol"] == "BTCUSDT" and snapshot["stale"] is False

    stepping_sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "drop_websockets"})
    healed = wait_until(lambda: (f := feed(client))["connects"] == 2 and f["state"] == "connected" and f, timeout=15)
    assert healed and healed["disconnects"] == 1 and healed["last_error"] and healed["restarts"] == 0

    stepping_sim.admin("POST", "/admin/pause")         # a quiet market: the feed goes silent
    stale = wait_until(lambda: (f := feed(client))["state"] == "stale" and f, timeout=10)
    assert stale and stale["last_message_age_s"] > stale["stale_after_s"]
    marked = wait_until(lambda: (q := client.get("/api/v1/marketdata/binance/BTCUSDT").json["quote"])["stale"] and q)
    assert marked
    assert client.get("/healthz").status_code == 200   # stale is visible, but the feed is not down

    stepping_sim.admin("POST", "/admin/resume")
    assert wait_until(lambda: feed(client)["state"] == "connected", timeout=10)
    assert wait_until(lambda: client.get("/api/v1/marketdata/binance/BTCUSDT").json["quote"]["stale"] is False)


def test_unknown_instruments_and_a_missing_supervisor_are_clear_problems(md_settings, bus):
    client = create_app(md_settings, bus=bus).test_client()
    response = client.get("/api/v1/marketdata/binance/NOPE")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json["field"] == "symbol"
    assert client.get("/api/v1/feeds").status_code == 503
    health = client.get("/healthz")
    assert health.status_code == 503 and "supervisor" in health.json["checks"]["feeds"]
    assert client.get("/openapi.json").json["paths"]["/api/v1/feeds"]
