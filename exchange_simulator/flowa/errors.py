"""Flowa's answer envelope and the errors the dialect answers with.

Flowa publishes no error format beyond the envelope of its order endpoints, {RequestId, StrategyId,
Success, Error}, so every failure of the dialect uses it, with Success false, the reason in Error and
an HTTP status that says what the client should do:

- 400 malformed request (missing or invalid field, unknown symbol, unsupported type)
- 401 missing, unknown or expired token (with ``WWW-Authenticate: Bearer error="invalid_token"``)
- 404 unknown order or path; 405 wrong method
- 409 the order is no longer open (cancel or amend of a finished order)
- 422 the market refused the order (lot, tick, balance, trading hours); the order exists as REJECTED
- 429 too many requests (``Retry-After``); 500/503 the outcome is unknown; 504 gateway timeout (unknown)
"""
from __future__ import annotations

import uuid

from exchange_simulator.faults import Fault, FaultKind


def request_id() -> str:
    return uuid.uuid4().hex


def envelope(strategy_id: str | None, error: str | None = None) -> dict:
    return {"RequestId": request_id(), "StrategyId": strategy_id, "Success": error is None, "Error": error}


class FlowaError(Exception):
    def __init__(self, status: int, message: str, strategy_id: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.strategy_id = strategy_id
        self.headers = headers or {}

    def body(self) -> dict:
        return envelope(self.strategy_id, self.message)


def bad_request(message: str) -> FlowaError:
    return FlowaError(400, message)


def unauthorized() -> FlowaError:
    return FlowaError(401, "Unauthorized: missing, unknown or expired access token",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def not_found(strategy_id: str | None = None) -> FlowaError:
    return FlowaError(404, "Strategy not found", strategy_id)


def not_open(strategy_id: str, status: str) -> FlowaError:
    return FlowaError(409, f"Strategy is {status} and can no longer be changed", strategy_id)


def rejected(strategy_id: str | None, message: str) -> FlowaError:
    return FlowaError(422, message, strategy_id)


def unavailable(status: int = 503) -> FlowaError:
    return FlowaError(status, "Service unavailable; the request's outcome is unknown")


def gateway_timeout(status: int = 504) -> FlowaError:
    return FlowaError(status, "Timeout waiting for the exchange; the request's outcome is unknown")


def too_many_requests(retry_after: int) -> FlowaError:
    return FlowaError(429, "Too many requests", headers={"Retry-After": str(retry_after)})


def internal() -> FlowaError:
    return FlowaError(500, "Internal error; the request's outcome is unknown")


def from_fault(fault: Fault) -> FlowaError:
    """The error an injected fault answers with."""
    if fault.kind is FaultKind.HTTP_5XX:
        return unavailable(fault.status or 503)
    if fault.kind is FaultKind.TIMEOUT_1007:
        return gateway_timeout(fault.status or 504)
    return too_many_requests(fault.retry_after)
