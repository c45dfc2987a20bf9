"""The worker's heartbeat on the bus: which venue streams are connected, so `up` and /healthz can tell."""
from __future__ import annotations

import json
import os
import time

from shared.bus import EventBus

KEY = "health:order_worker"
TTL_SECONDS = 5


def beat(bus: EventBus, streams: dict[str, str]) -> None:
    payload = {"status": "running", "pid": os.getpid(), "time": time.time(), "streams": streams}
    bus.set_value(KEY, json.dumps(payload), TTL_SECONDS)


def worker_status(bus: EventBus) -> dict | None:
    raw = bus.get_value(KEY)
    return json.loads(raw) if raw else None


def streams_connected(bus: EventBus) -> bool:
    status = worker_status(bus)
    return bool(status) and all(state == "connected" for state in status["streams"].values())
