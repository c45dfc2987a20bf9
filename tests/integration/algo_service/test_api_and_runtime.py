"""The algo API on real Redis (any worker sees every algo), and the runtime's once-only order events."""
from __future__ import annotations

import json
import threading
import time

import pytest

from shared.bus import ORDER_STREAM, algo_orders_channel
from shared.settings import Settings

from algo_service.app import create_app, build_service
from algo_service.runtime import Runtime, stream_position
from algo_service.sdk import Strategy, StrategyContext
from algo_service.store import AlgoStore
from tests.unit.algo_service.fakes import FakeOrders

pytestmark = pytest.mark.redis


@pytest.fixture
def clients(bus):
    """Two apps on one Redis, as two gunicorn workers would be."""
    settings = Settings.from_env({}, dotenv_path=None)
    return [create_app(settings, service=build_service(settings, bus)).test_client() for _ in range(2)]


PARAMS = {"broker": "SIM", "account": "1", "symbol": "BITH11", "side": "BUY", "quantity": "10"}


def test_deploy_list_and_stop_from_different_workers(clients, bus):
    first, second = clients
    created = first.post("/api/v1/algos", json={"strategy": "spread-crypto-etf", "params": PARAMS})
    assert created.status_code == 201
    algo = created.get_json()
    assert algo["status"] == "STARTING" and algo["params"]["reprice_threshold"] == "0.0015"
    assert json.loads(bus.client.lpop(bus.key("algos:commands"))) == {"op": "start", "algo_id": algo["id"]}

    listed = second.get("/api/v1/algos", query_string={"status": "STARTING", "strategy": "spread-crypto-etf"})
    assert [a["id"] for a in listed.get_json()["algos"]] == [algo["id"]]
    assert second.get("/api/v1/algos", query_string={"strategy": "twap"}).get_json()["algos"] == []

    stopping = second.delete(f"/api/v1/algos/{algo['id']}")
    assert stopping.status_code == 202 and stopping.get_json()["status"] == "STOPPING"
    events = [f["type"] for _, f in bus.client.xrange(bus.key("algos:events"))]
    assert events == ["algo.starting", "algo.stopping"]


def test_bad_requests_are_problems_naming_the_field(clients):
    client = clients[0]
    unknown = client.post("/api/v1/algos", json={"strategy": "nope", "params": {}})
    assert unknown.status_code == 404 and unknown.get_json()["catalog"] == ["spread-crypto-etf", "twap"]
    bad = client.post("/api/v1/algos", json={"strategy": "spread-crypto-etf", "params": {**PARAMS, "side": "HOLD"}})
    assert bad.status_code == 422 and bad.get_json()["field"] == "params.side"
    missing = client.post("/api/v1/algos", json={"strategy": "twap", "params": {"venue": "binance"}})
    assert missing.status_code == 422 and missing.get_json()["field"].startswith("params.")
    assert client.get("/api/v1/algos/algo-none").status_code == 404
    assert client.get("/api/v1/algos", query_string={"status": "SLEEPING"}).status_code == 422
    strategies = client.get("/api/v1/strategies").get_json()["strategies"]
    schema = next(s for s in strategies if s["name"] == "spread-crypto-etf")["params_schema"]
    assert schema["properties"]["quantity"]["type"] == "string"


def test_account_is_filled_into_the_params(clients):
    params = {k: v for k, v in PARAMS.items() if k != "account"}
    algo = clients[0].post("/api/v1/algos", json={"strategy": "spread-crypto-etf", "params": params,
                                                  "account": "777"}).get_json()
    assert algo["params"]["account"] == "777" and algo["account"] == "777"


class Recorder(Strategy):
    name = "recorder"

    def on_start(self):
        self.updates = []

    def on_order_event(self, update):
        self.updates.append((update.order.id, update.order.version, update.type))


def _event(algo_id: str, order_id: str, version: int, kind: str = "order.accepted") -> str:
    order = {"id": order_id, "client_order_id": "c", "venue": "binance", "symbol": "BTCUSDT", "side": "BUY",
             "type": "LIMIT", "status": "NEW", "quantity": "1", "filled_quantity": "0", "price": "1",
             "average_price": None, "version": version}
    return json.dumps({"type": kind, "order_id": order_id, "algo_id": algo_id, "order": order, "fill": None,
                       "reason": None}, separators=(",", ":"))


def test_order_events_arrive_once_from_pubsub_or_stream(bus):
    strategy = Recorder(StrategyContext("algo-x", None, FakeOrders("algo-x")))
    strategy.on_start()
    runtime = Runtime(strategy, bus, stream_from=stream_position(bus))
    runtime.start_readers()
    stop = threading.Event()
    loop = threading.Thread(target=runtime.run, args=(stop,), daemon=True)
    loop.start()
    time.sleep(0.2)
    both = _event("algo-x", "o1", 1)
    bus.client.xadd(bus.key(ORDER_STREAM), {"seq": "1", "type": "order.accepted", "order_id": "o1", "event": both})
    bus.publish(algo_orders_channel("algo-x"), both)
    stream_only = _event("algo-x", "o1", 2, "order.amended")   # missed by pub/sub
    bus.client.xadd(bus.key(ORDER_STREAM), {"seq": "2", "type": "order.amended", "order_id": "o1",
                                            "event": stream_only})
    other = _event("algo-y", "o9", 1)
    bus.client.xadd(bus.key(ORDER_STREAM), {"seq": "3", "type": "order.accepted", "order_id": "o9", "event": other})
    deadline = time.monotonic() + 5
    while len(strategy.updates) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    stop.set()
    loop.join(2)
    runtime.close()
    assert strategy.updates == [("o1", 1, "order.accepted"), ("o1", 2, "order.amended")]


def test_a_second_process_cannot_claim_a_running_algo(bus):
    store = AlgoStore(bus)
    assert store.claim("algo-z", 101)
    assert not store.claim("algo-z", 202)
    assert store.owner("algo-z") == 101
