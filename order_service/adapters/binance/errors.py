"""Binance answers and transport failures turned into domain errors, grouped by what the caller should do.

- VenueRejected: final; the request was refused (HTTP 4xx with a Binance code).
- VenueTemporaryError: certainly not executed; retry later (rate limits, clock skew, no connection).
- VenueUnknownOutcome: may or may not have executed (5xx, -1007, read timeout, connection lost mid-way).

Messages carry the method, path and venue code only: never the query string (it holds the signature).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
import urllib3.exceptions

from shared.domain.errors import VenueError, VenueRejected, VenueTemporaryError, VenueUnknownOutcome

TIMESTAMP_OUTSIDE_RECV_WINDOW = -1021
TOO_MANY_REQUESTS = -1003
TOO_MANY_ORDERS = -1015
BACKEND_TIMEOUT = -1007
CANCEL_REJECTED = -2011
NO_SUCH_ORDER = -2013
LISTEN_KEY_UNKNOWN = -1125

RATE_LIMIT_CODES = frozenset({TOO_MANY_REQUESTS, TOO_MANY_ORDERS})
RATE_LIMIT_STATUSES = frozenset({418, 429})
# Without a Retry-After header we still back off, so a burst never escalates a 429 into an IP ban.
DEFAULT_RETRY_AFTER = 1.0


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("Retry-After")
    try:
        return max(float(raw), 0.0) if raw is not None else None
    except ValueError:
        return None


def error_from_response(method: str, path: str, status: int, body: Any,
                        headers: Mapping[str, str]) -> VenueError:
    """The domain error for a non-2xx answer (or a 2xx whose body is not Binance JSON)."""
    code = body.get("code") if isinstance(body, dict) else None
    msg = body.get("msg") if isinstance(body, dict) else None
    where = f"{method} {path}"
    if status in RATE_LIMIT_STATUSES or code in RATE_LIMIT_CODES:
        wait = retry_after_seconds(headers)
        return VenueTemporaryError(
            f"{where}: rate limited ({msg or f'HTTP {status}'})", code, status, retry_after=DEFAULT_RETRY_AFTER if wait is None else wait)
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


def error_from_exception(method: str, path: str, exc: requests.RequestException) -> VenueError:
    """The domain error for a request that got no HTTP answer."""
    where = f"{method} {path}"
    if _never_reached_venue(exc):
        return VenueTemporaryError(f"{where}: could not connect ({type(exc).__name__})")
    if isinstance(exc, requests.Timeout):
        return VenueUnknownOutcome(f"{where}: no answer within the read timeout")
    return VenueUnknownOutcome(f"{where}: connection lost before an answer ({type(exc).__name__})")


def _never_reached_venue(exc: requests.RequestException) -> bool:
    """True when the connection was never established, so the venue cannot have seen the request."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError) or not exc.args:
        return False
    reason = getattr(exc.args[0], "reason", exc.args[0])
    return isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError))
