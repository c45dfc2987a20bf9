"""Coinbase error bodies: the brokerage API's {"error", "message"} and the v2 API's {"errors": [...]}."""
from __future__ import annotations

from flask import Response, jsonify

from exchange_simulator.faults import Fault, FaultKind


class CoinbaseError(Exception):
    """A brokerage request the venue refuses with an HTTP error status."""

    def __init__(self, http_status: int, error: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.http_status = http_status
        self.error = error
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": self.error, "error_details": self.message, "message": self.message}


class V2Error(Exception):
    """A refusal of the public v2 API (exchange rates, spot prices)."""

    def __init__(self, http_status: int, error_id: str, message: str):
        super().__init__(message)
        self.http_status = http_status
        self.error_id = error_id
        self.message = message

    def body(self) -> dict:
        return {"errors": [{"id": self.error_id, "message": self.message}]}


def response(error: CoinbaseError | V2Error) -> Response:
    answer = jsonify(error.body())
    answer.status_code = error.http_status
    answer.headers.update(getattr(error, "headers", {}))
    return answer


def unauthenticated(message: str) -> CoinbaseError:
    return CoinbaseError(401, "UNAUTHENTICATED", message)


def invalid_argument(message: str) -> CoinbaseError:
    return CoinbaseError(400, "INVALID_ARGUMENT", message)


def not_found(message: str) -> CoinbaseError:
    return CoinbaseError(404, "NOT_FOUND", message)


def internal() -> CoinbaseError:
    return CoinbaseError(500, "INTERNAL", "internal error")


def unavailable(status: int = 503) -> CoinbaseError:
    return CoinbaseError(status, "UNAVAILABLE", "service temporarily unavailable, try again later")


def deadline_exceeded(status: int = 504) -> CoinbaseError:
    return CoinbaseError(status, "DEADLINE_EXCEEDED", "upstream timeout; the request may have been executed")


def rate_limited(retry_after: int) -> CoinbaseError:
    return CoinbaseError(429, "RATE_LIMIT_EXCEEDED", "Too many requests",
                         headers={"Retry-After": str(retry_after)})


def from_fault(fault: Fault) -> CoinbaseError:
    """The brokerage error an injected fault answers with."""
    if fault.kind is FaultKind.HTTP_5XX:
        return unavailable(fault.status or 503)
    if fault.kind is FaultKind.TIMEOUT_1007:
        return deadline_exceeded(fault.status or 504)
    return rate_limited(fault.retry_after)
