"""The Hashdex dialect: `GET /hashdex/inav/{ticker}` and `GET /hashdex/pcf/{ticker}` as JSON."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from exchange_simulator.config import SimulatorConfig
from exchange_simulator.faults import Fault, FaultInjector, FaultKind, apply_faults
from exchange_simulator.hashdex.funds import Funds
from exchange_simulator.world import World


class HashdexError(Exception):
    """A request answered with an HTTP error status and ``{"error", "message"}``."""

    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers or {}


def _response(error: HashdexError) -> Response:
    response = jsonify({"error": error.error, "message": error.message})
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def _fault_error(fault: Fault) -> HashdexError:
    if fault.kind is FaultKind.RATE_LIMIT_429:
        return HashdexError(429, "rate_limited", "too many requests", {"Retry-After": str(fault.retry_after)})
    return HashdexError(fault.status or 503, "unavailable", "service temporarily unavailable")


class HashdexDialect:
    name = "hashdex"
    url_prefix = "/hashdex"

    def __init__(self, world: World, faults: FaultInjector, clock: Callable[[], int]):
        self.faults = faults
        self.funds = Funds(world, clock)

    def blueprints(self) -> list[Blueprint]:
        bp = Blueprint("hashdex", __name__, url_prefix=self.url_prefix)

        @bp.before_request
        def faults() -> None:
            # These are reads: executing one first would change nothing, so every error is answered at once.
            deferred = apply_faults(self.faults, self.name, request.path, _fault_error)
            if deferred is not None:
                raise deferred

        bp.register_error_handler(HashdexError, _response)

        @bp.get("/inav/<ticker>")
        def inav(ticker: str):
            spec = self.funds.find(ticker)
            if spec is None:
                raise _unknown(ticker)
            body = self.funds.inav(ticker, spec)
            if body is None:
                raise HashdexError(503, "unavailable", f"no price for {spec.underlying} yet")
            return body

        @bp.get("/pcf/<ticker>")
        def pcf(ticker: str):
            spec = self.funds.find(ticker)
            if spec is None:
                raise _unknown(ticker)
            return self.funds.pcf(ticker, spec)

        return [bp]

    def http_error(self, exc: HTTPException) -> Response:
        return _response(HashdexError(exc.code or 400, exc.name.lower().replace(" ", "_"),
                                      f"{request.method} {request.path}: {exc.name}"))

    def internal_error(self) -> Response:
        return _response(HashdexError(500, "internal", "internal error"))

    def drop_websockets(self) -> int:
        return 0

    def websocket_count(self) -> int:
        return 0


def _unknown(ticker: str) -> HashdexError:
    return HashdexError(404, "not_found", f"unknown ticker {ticker!r}")


def create(world: World, config: SimulatorConfig, faults: FaultInjector, clock: Callable[[], int]) -> HashdexDialect:
    return HashdexDialect(world, faults, clock)
