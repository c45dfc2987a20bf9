"""Flowa answers turned into domain errors, grouped by what the caller should do.

Flowa answers with an envelope {RequestId, StrategyId, Success, Error} and publishes no error codes,
so the code a rejection carries is the HTTP status, and its message is Flowa's Error text.

- VenueRejected: final; the request was refused (4xx, or Success false).
- VenueTemporaryError: certainly not executed; retry later (429, no connection, no valid token).
- VenueUnknownOutcome: may or may not have executed (5xx, read timeout, connection lost mid-way).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from order_service.adapters.transport import rate_limit_wait
from shared.domain.errors import VenueError, VenueRejected, VenueTemporaryError, VenueUnknownOutcome


def envelope_error(body: Any) -> str | None:
    """Flowa's Error text when the body is a failed envelope."""
    if isinstance(body, dict) and body.get("Success") is False:
        return str(body.get("Error") or "request refused")
    return None


def error_from_response(method: str, path: str, status: int, body: Any, headers: Mapping[str, str]) -> VenueError:
    """The domain error for an HTTP error status, or a 2xx whose envelope says Success false."""
    where = f"{method} {path}"
    message = envelope_error(body) or (body.get("Error") if isinstance(body, dict) else None)
    if status == 429:
        return VenueTemporaryError(f"{where}: rate limited ({message or 'HTTP 429'})", status, status,
                                   retry_after=rate_limit_wait(headers))
    if status == 408:
        return VenueTemporaryError(f"{where}: request timed out before it was read", status, status)
    if status >= 500:
        return VenueUnknownOutcome(f"{where}: HTTP {status}, outcome unknown ({message or 'no detail'})",
                                   status, status)
    if 400 <= status < 500 or message is not None:
        return VenueRejected(message or f"{where}: HTTP {status}", status, status)
    return VenueUnknownOutcome(f"{where}: unexpected answer (HTTP {status})", status, status)

