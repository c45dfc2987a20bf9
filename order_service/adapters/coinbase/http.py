"""The Coinbase REST client: one keep-alive session and a fresh JWT on every request."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import requests

from order_service.adapters.coinbase.config import CoinbaseConfig
from order_service.adapters.coinbase.errors import error_from_response
from order_service.adapters.coinbase.jwt_auth import JwtSigner
from order_service.adapters.transport import error_from_exception, json_or_none

log = logging.getLogger(__name__)

Query = Mapping[str, str | Sequence[str]]


class CoinbaseHttpClient:
    """Sends Advanced Trade requests and turns every failure into a domain VenueError."""

    def __init__(self, config: CoinbaseConfig, session: requests.Session | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._session = session if session is not None else requests.Session()
        self._signer = JwtSigner(config.key_name, config.private_key, clock)

    def get(self, path: str, params: Query | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.request("POST", path, body=body)

    def request(self, method: str, path: str, *, params: Query | None = None,
                body: Mapping[str, Any] | None = None) -> Any:
        """Send one request and return its JSON body; raise VenueRejected/TemporaryError/UnknownOutcome.

        A 401 is tried once more with a new token: a token can expire in flight, and the venue certainly
        did not act on a request it could not authenticate.
        """
        url = f"{self._config.rest_url}{path}"
        query = urlencode(params or {}, doseq=True)
        response = self._send(method, path, url, query, body)
        if response.status_code == 401:
            log.info("coinbase %s %s -> 401; retrying once with a fresh token", method, path)
            response = self._send(method, path, url, query, body)
        payload = json_or_none(response)
        if response.ok and payload is not None:
            return payload
        error = error_from_response(method, path, response.status_code, payload, response.headers)
        log.warning("coinbase %s %s -> HTTP %s %s", method, path, response.status_code, error.code)
        raise error

    def close(self) -> None:
        self._session.close()

    def _send(self, method: str, path: str, url: str, query: str, body: Mapping[str, Any] | None) -> requests.Response:
        # The token signs the path only; the query string travels outside it, as Coinbase specifies.
        headers = {"Authorization": f"Bearer {self._signer.token(method, url)}"}
        try:
            return self._session.request(method, f"{url}?{query}" if query else url, json=body, headers=headers,
                                         timeout=self._config.timeout)
        except requests.RequestException as exc:
            error = error_from_exception(method, path, exc)
            log.warning("coinbase %s %s failed: %s", method, path, error)
            raise error from None

