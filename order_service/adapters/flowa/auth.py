"""OAuth2 client-credentials access token: fetched once, shared by every request, renewed before expiry."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import requests

from order_service.adapters.flowa.config import FlowaConfig
from order_service.adapters.transport import error_from_exception, json_or_none
from shared.domain.errors import VenueRejected, VenueTemporaryError

log = logging.getLogger(__name__)

# Flowa tokens have lasted 8 hours; used when the answer does not say (no expires_in).
DEFAULT_LIFETIME = 8 * 3600.0
PATH = "/connect/token"


class TokenProvider:
    """Thread-safe; a token is fetched at most once however many threads need one at the same time."""

    def __init__(self, config: FlowaConfig, session: requests.Session, *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._session = session
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def token(self) -> str:
        """A live access token; raises VenueRejected (bad credentials) or VenueTemporaryError."""
        with self._lock:
            if self._token is None or self._monotonic() >= self._renew_at:
                self._token, lifetime = self._fetch()
                margin = min(self._config.token_refresh_margin, lifetime / 2)
                self._renew_at = self._monotonic() + lifetime - margin
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget `token` (the venue refused it), so the next call fetches a new one."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _fetch(self) -> tuple[str, float]:
        form = {"grant_type": "client_credentials", "scope": self._config.scope,
                "client_id": self._config.client_id, "client_secret": self._config.client_secret}
        try:
            response = self._session.post(self._config.token_url, data=form, timeout=self._config.timeout)
        except requests.RequestException as exc:
            error = error_from_exception("POST", PATH, exc)
            # Asking for a token changes nothing at the venue, so no outcome is ever unknown here.
            raise VenueTemporaryError(f"no access token: {error.message}") from None
        body = json_or_none(response)
        if response.status_code in (400, 401, 403):
            error = body.get("error") if isinstance(body, dict) else None
            detail = body.get("error_description") if isinstance(body, dict) else None
            raise VenueRejected(f"Flowa refused the client credentials: {error or response.status_code}"
                                + (f" ({detail})" if detail else ""), error or response.status_code,
                                response.status_code)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not response.ok or not isinstance(token, str) or not token:
            raise VenueTemporaryError(f"no access token: HTTP {response.status_code} from the token endpoint",
                                      http_status=response.status_code)
        lifetime = _lifetime(body.get("expires_in"))
        log.info("flowa access token obtained, valid for %.0f s", lifetime)
        return token, lifetime


def _lifetime(raw) -> float:
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME
    return seconds if seconds > 0 else DEFAULT_LIFETIME
