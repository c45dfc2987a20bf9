"""Binance answers and transport failures turned into domain errors, grouped by what the caller should do.

- VenueRejected: final; the request was refused (HTTP 4xx with a Binance code).
- VenueTemporaryError: certainly not executed; retry later (rate limits, clock skew, no connection).
- VenueUnknownOutcome: may or may not have executed (5xx, -1007, read timeout, connection lost mid-way).

Messages carry the method, path and venue code only: never the query string (it holds the signature).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from order_service.adapters.transport import error_from_exception, rate_limit_wait
from shared.domain.errors import VenueError, VenueRejected, VenueTemporaryError, VenueUnknownOutcome

# The Binance clients take the whole mapping, answers and transport failures, from this module.
__all__ = ["error_from_exception", "error_from_response"]

TIMESTAMP_OUTSIDE_RECV_WINDOW = -1021
TOO_MANY_REQUESTS = -1003
TOO_MANY_ORDERS = -1015
BACKEND_TIMEOUT = -1007
CANCEL_REJECTED = -2011
NO_SUCH_ORDER = -2013
LISTEN_KEY_UNKNOWN = -1125

RATE_LIMIT_CODES = frozenset({TOO_MANY_REQUESTS, TOO_MANY_ORDERS})
RATE_LIMIT_STATUSES = frozenset({418, 429})


def error_from_response(method: str, path: str, status: int, body: Any,
                        headers: Mapping[str, str]) -> VenueError:
    """The domain error for a non-2xx answer (or a 2xx whose body is not Binance JSON)."""
    code = body.get("code") if isinstance(body, dict) else None
    msg = body.get("msg") if isinstance(body, dict) else None
    where = f"{method} {path}"
    if status in RATE_LIMIT_STATUSES or code in RATE_LIMIT_CODES:
        return VenueTemporaryError(f"{where}: rate limited ({msg or f'HTTP {status}'})", code, status,
                                   retry_after=rate_limit_wait(headers))
    if code == TIMESTAMP_OUTSIDE_RECV_WINDOW:
        return VenueTemporaryError(f"{where}: {msg or 'timestamp outside recvWindow'}", code, status)
    if code == BACKEND_TIMEOUT:
        return VenueUnknownOutcome(f"{where}: {msg or 'backend timeout, execution status unknown'}", code, status)
    if status >= 500:
        return VenueUnknownOutcome(f"{where}: HTTP {status}, execution status unknown", code, status)
    if 400 <= status < 500:
        detail = _cancel_replace_detail(body.get("data") if isinstance(body, dict) else None)
        return VenueRejected(f"{msg}{detail}" if msg else f"{where}: HTTP {status}", code, status)
    return VenueUnknownOutcome(f"{where}: unexpected answer (HTTP {status})", code, status)


def _cancel_replace_detail(data: Any) -> str:
    """What each half of a failed cancelReplace said: which one failed is what the caller needs."""
    if not isinstance(data, dict) or "cancelResult" not in data:
        return ""
    parts = []
    for half, result_key, response_key in (("cancel", "cancelResult", "cancelResponse"),
                                           ("new order", "newOrderResult", "newOrderResponse")):
        response = data.get(response_key)
        text = data.get(result_key, "")
        if isinstance(response, dict) and "code" in response:
            text = f"{text} {response['code']} {response.get('msg', '')}".rstrip()
        parts.append(f"{half}: {text}")
    return " (" + "; ".join(parts) + ")"
