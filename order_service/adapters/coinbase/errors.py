"""Coinbase answers and transport failures turned into domain errors, grouped by what the caller should do.

- VenueRejected: final; Coinbase refused the request (4xx, a failure envelope, an unusable key).
- VenueTemporaryError: certainly not executed; retry later (429, no connection).
- VenueUnknownOutcome: may or may not have executed (5xx, read timeout, connection lost mid-way).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from order_service.adapters.transport import rate_limit_wait
from shared.domain.errors import VenueError, VenueRejected, VenueTemporaryError, VenueUnknownOutcome

NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"
UNSUPPORTED = "UNSUPPORTED"


def error_from_response(method: str, path: str, status: int, body: Any, headers: Mapping[str, str]) -> VenueError:
    """The domain error for a non-2xx answer (or a 2xx whose body is not JSON)."""
    error = body.get("error") if isinstance(body, dict) else None
    message = (body.get("message") or body.get("error_details")) if isinstance(body, dict) else None
    where = f"{method} {path}"
    if status == 429:
        return VenueTemporaryError(f"{where}: rate limited ({message or 'HTTP 429'})", error or "RATE_LIMITED",
                                   status, retry_after=rate_limit_wait(headers))
    if status >= 500:
        return VenueUnknownOutcome(f"{where}: HTTP {status}, execution status unknown", error, status)
    if status == 401:
        return VenueRejected(f"{where}: Coinbase refused the API key's JWT ({message or 'unauthorized'})",
                             error or UNAUTHENTICATED, status)
    if 400 <= status < 500:
        return VenueRejected(f"{where}: {message or f'HTTP {status}'}", error or f"HTTP_{status}", status)
    return VenueUnknownOutcome(f"{where}: unexpected answer (HTTP {status})", error, status)


def order_failure(envelope: Mapping[str, Any]) -> VenueRejected:
    """The rejection a create-order failure envelope (success false) stands for."""
    detail = envelope.get("error_response") or {}
    error = detail.get("error") or envelope.get("failure_reason") or "UNKNOWN_FAILURE_REASON"
    preview = detail.get("preview_failure_reason") or ""
    # UNKNOWN_FAILURE_REASON says nothing; the preview reason then says what was wrong.
    code = preview if error == "UNKNOWN_FAILURE_REASON" and preview else error
    message = detail.get("message") or detail.get("error_details") or error
    if preview and preview != code:
        message = f"{message} ({preview})"
    return VenueRejected(message, code, 200)
