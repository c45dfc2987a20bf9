"""The Flowa REST client: one keep-alive session, bearer token, one renewal on 401, errors as domain errors."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import requests

from order_service.adapters.flowa.auth import TokenProvider
from order_service.adapters.flowa.config import FlowaConfig
from order_service.adapters.flowa.errors import envelope_error, error_from_response
from order_service.adapters.transport import error_from_exception, json_or_none
from shared.domain.errors import VenueTemporaryError

log = logging.getLogger(__name__)


class FlowaHttpClient:
    def __init__(self, config: FlowaConfig, session: requests.Session, tokens: TokenProvider) -> None:
        self._config = config
        self._session = session
        self._tokens = tokens

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.request("POST", path, body=body)

    def put(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.request("PUT", path, body=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                body: Mapping[str, Any] | None = None) -> Any:
        """Send one request and return its JSON body; raise VenueRejected/TemporaryError/UnknownOutcome.

        A 401 means the request was refused before it was read, so it is sent once more with a fresh
        token (tokens can be revoked before their announced expiry).
        """
        for attempt in (1, 2):
            token = self._tokens.token()
            try:
                response = self._session.request(method, f"{self._config.rest_url}{path}", params=params, json=body,
                                                 headers={"Authorization": f"Bearer {token}"},
                                                 timeout=self._config.timeout)
            except requests.RequestException as exc:
                error = error_from_exception(method, path, exc)
                log.warning("flowa %s %s failed: %s", method, path, error)
                raise error from None
            if response.status_code != 401:
                break
            self._tokens.invalidate(token)
            log.info("flowa %s %s: token refused (attempt %d)", method, path, attempt)
        else:
            raise VenueTemporaryError(f"{method} {path}: Flowa refused a freshly issued access token", 401, 401)
        answer = json_or_none(response)
        if response.ok and answer is not None and envelope_error(answer) is None:
            return answer
        error = error_from_response(method, path, response.status_code, answer, response.headers)
        log.warning("flowa %s %s -> HTTP %s: %s", method, path, response.status_code, error.message)
        raise error

    def close(self) -> None:
        self._session.close()
