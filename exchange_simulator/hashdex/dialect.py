"""The Hashdex dialect: `GET /hashdex/inav/{ticker}` and `GET /hashdex/pcf/{ticker}` as JSON."""
from __future__ import annotations

import time
from typing import Callable

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from exchange_simulator.config import SimulatorConfig
from exchange_simulator.faults import FaultInjector, FaultKind
from exchange_simulator.hashdex.funds import Funds
from exchange_simulator.world import World


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


class HashdexDialect:
    name = "hashdex"
    url_prefix = "/hashdex"

    def __init__(self, world: World, faults: FaultInjector, clock: Callable[[], int]):
        self.faults = faults
        self.funds = Funds(world, clock)

    def blueprints(self) -> list[Blueprint]:
        bp = Blueprint("hashdex", __name__, url_prefix=self.url_prefix)

        @bp.before_request
        def faults() -> Response | None:
            return self._fault_response()

        @bp.get("/inav/<ticker>")
        def inav(ticker: str):
            spec = self.funds.find(ticker)
            if spec is None:
                return _unknown(ticker)
            body = self.funds.inav(ticker, spec)
            if body is None:
                return _error(503, "unavailable", f"no price for {spec.underlying} yet")
            return body

        @bp.get("/pcf/<ticker>")
        def pcf(ticker: str):
            spec = self.funds.find(ticker)
            return self.funds.pcf(ticker, spec) if spec is not None else _unknown(ticker)

        return [bp]

    def _fault_response(self) -> Response | None:
        """Injected latency and errors; these are reads, so an error is answered without executing."""
        for fault in self.faults.take(self.name, request.path):
            if fault.latency_ms:
                time.sleep(fault.latency_ms / 1000)
            if fault.kind is FaultKind.RATE_LIMIT_429:
                return _error(429, "rate_limited", "too many requests", {"Retry-After": str(fault.retry_after)})
            if fault.kind in (FaultKind.HTTP_5XX, FaultKind.TIMEOUT_1007):
                return _error(fault.status or 503, "unavailable", "service temporarily unavailable")
        return None

    def http_error(self, exc: HTTPException) -> Response:
        return _error(exc.code or 400, exc.name.lower().replace(" ", "_"), f"{request.method} {request.path}: {exc.name}")

    def internal_error(self) -> Response:
        return _error(500, "internal", "internal error")

    def drop_websockets(self) -> int:
        return 0

    def websocket_count(self) -> int:
        return 0


def _unknown(ticker: str) -> Response:
    return _error(404, "not_found", f"unknown ticker {ticker!r}")


def create(world: World, config: SimulatorConfig, faults: FaultInjector, clock: Callable[[], int]) -> HashdexDialect:
    return HashdexDialect(world, faults, clock)
