"""Transport-level failures every venue client shares, turned into domain errors.

Whether a request that got no answer can have executed is a property of the connection, not of the
venue: one that never connected certainly did not (VenueTemporaryError); one that connected and then
timed out or lost the connection may have (VenueUnknownOutcome).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
import urllib3.exceptions

from shared.domain.errors import VenueError, VenueTemporaryError, VenueUnknownOutcome

# Without a Retry-After header we still back off, so a burst never escalates a 429 into a ban.
DEFAULT_RETRY_AFTER = 1.0


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The Retry-After header in seconds, or None when it is missing or not a number."""
    raw = headers.get("Retry-After")
    try:
        return max(float(raw), 0.0) if raw is not None else None
    except ValueError:
        return None


def rate_limit_wait(headers: Mapping[str, str]) -> float:
    """How long a rate-limited client waits: the venue's Retry-After, else DEFAULT_RETRY_AFTER."""
    wait = retry_after_seconds(headers)
    return DEFAULT_RETRY_AFTER if wait is None else wait


def json_or_none(response: requests.Response) -> Any:
    """The response's JSON body, or None when it has none."""
    try:
        return response.json()
    except ValueError:
        return None


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
