"""/healthz: the service answers, its store and its event bus are reachable."""
from __future__ import annotations

from flask import Blueprint

from shared.http.bodies import json_response

from order_service.api.common import service
from order_service.heartbeat import worker_status

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    svc = service()
    checks = {"store": _check(svc.store.ping)}
    bus = svc.publisher.bus
    checks["event_bus"] = _check(bus.ping) if bus is not None else "not configured"
    healthy = all(v in ("ok", "not configured") for v in checks.values())
    body = {"status": "ok" if healthy else "failing", "checks": checks}
    if bus is not None and healthy:
        # Informational: fills arrive through the worker, but the API itself is up without it.
        body["order_worker"] = worker_status(bus) or {"status": "not running"}
    return json_response(body, 200 if healthy else 503)


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as error:  # any failure of a dependency is what a health check reports
        return f"failing: {type(error).__name__}"
