"""The Binance REST client: one keep-alive session, signing, clock offset and rate-limit bookkeeping."""
from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from order_service.adapters.binance.config import BinanceConfig
from order_service.adapters.binance.errors import (
    TIMESTAMP_OUTSIDE_RECV_WINDOW,
    error_from_exception,
    error_from_response,
)
from order_service.adapters.binance.signing import encode_params, sign
from shared.domain.errors import VenueError, VenueTemporaryError, VenueUnknownOutcome

log = logging.getLogger(__name__)


class Security(enum.Enum):
    NONE = "none"        # public market data
    API_KEY = "api_key"  # user data stream management: key header, no signature
    SIGNED = "signed"    # trading and account endpoints


class BinanceHttpClient:
    """Sends Binance REST requests and turns every failure into a domain VenueError."""

    time_path = "/v3/time"  # below rest_url; USD-M futures serves it at /v1/time

    def __init__(self, config: BinanceConfig, session: requests.Session | None = None, *,
                 wall_clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._session = session if session is not None else _session_for(config.rest_url)
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._time_offset_ms: int | None = None
        self._blocked_until = 0.0
        self.used_weight_1m: int | None = None
        self.order_count_10s: int | None = None

    # -- public API ---------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, str] | None = None, *,
            security: Security = Security.SIGNED) -> Any:
        return self.request("GET", path, params, security=security)

    def post(self, path: str, params: Mapping[str, str] | None = None, *,
             security: Security = Security.SIGNED) -> Any:
        return self.request("POST", path, params, security=security)

    def put(self, path: str, params: Mapping[str, str] | None = None, *,
            security: Security = Security.SIGNED) -> Any:
        return self.request("PUT", path, params, security=security)

    def delete(self, path: str, params: Mapping[str, str] | None = None, *,
               security: Security = Security.SIGNED) -> Any:
        return self.request("DELETE", path, params, security=security)

    def request(self, method: str, path: str, params: Mapping[str, str] | None = None, *,
                security: Security = Security.SIGNED) -> Any:
        """Send one request and return its JSON body; raise VenueRejected/TemporaryError/UnknownOutcome."""
        self._refuse_while_rate_limited(method, path)
        query = self._query(params or {}, security)
        url = f"{self._config.rest_url}{path}" + (f"?{query}" if query else "")
        headers = {"X-MBX-APIKEY": self._config.api_key} if security is not Security.NONE else {}
        try:
            response = self._session.request(method, url, headers=headers, timeout=self._config.timeout)
        except requests.RequestException as exc:
            error = error_from_exception(method, path, exc)
            log.warning("binance %s %s failed: %s", method, path, error)
            # The original exception's text holds the full URL with its signature: do not chain it.
            raise error from None
        self._track_usage(response.headers)
        body = _json_or_none(response)
        if response.ok and body is not None:
            return body
        error = error_from_response(method, path, response.status_code, body, response.headers)
        log.warning("binance %s %s -> HTTP %s code %s", method, path, response.status_code, error.code)
        self._after_error(error)
        raise error

    def sync_time(self) -> None:
        """Measure the offset between the local clock and Binance's, so timestamps fall inside recvWindow."""
        sent = self._wall_clock()
        body = self.request("GET", self.time_path, security=Security.NONE)
        received = self._wall_clock()
        try:
            server_ms = int(body["serverTime"])
        except (KeyError, TypeError, ValueError):
            raise VenueUnknownOutcome(f"GET {self.time_path}: answer without serverTime") from None
        local_ms = int((sent + received) / 2 * 1000)
        with self._lock:
            self._time_offset_ms = server_ms - local_ms
        log.info("binance clock offset %d ms", server_ms - local_ms)

    @property
    def time_offset_ms(self) -> int | None:
        return self._time_offset_ms

    def timestamp_ms(self) -> int:
        """Now on Binance's clock, in milliseconds (measuring the offset on first use)."""
        if self._time_offset_ms is None:
            self.sync_time()
        return int(self._wall_clock() * 1000) + (self._time_offset_ms or 0)

    def close(self) -> None:
        self._session.close()

    # -- internals ----------------------------------------------------------------------------------

    def _query(self, params: Mapping[str, str], security: Security) -> str:
        if security is not Security.SIGNED:
            return encode_params(params)
        signed = dict(params)
        signed["recvWindow"] = str(self._config.recv_window)
        signed["timestamp"] = str(self.timestamp_ms())
        payload = encode_params(signed)
        return f"{payload}&signature={sign(self._config.api_secret, payload)}"

    def _refuse_while_rate_limited(self, method: str, path: str) -> None:
        # After a 429 Binance bans the IP (418) if we keep sending, so we stay silent until Retry-After.
        remaining = self._blocked_until - self._monotonic()
        if remaining > 0:
            raise VenueTemporaryError(
                f"{method} {path}: not sent, rate limited by Binance for another {remaining:.1f}s",
                http_status=429, retry_after=remaining)

    def _track_usage(self, headers: Mapping[str, str]) -> None:
        weight = headers.get("X-MBX-USED-WEIGHT-1M")
        orders = headers.get("X-MBX-ORDER-COUNT-10S")
        if weight is not None and weight.isdigit():
            self.used_weight_1m = int(weight)
        if orders is not None and orders.isdigit():
            self.order_count_10s = int(orders)

    def _after_error(self, error: VenueError) -> None:
        if isinstance(error, VenueTemporaryError) and error.retry_after is not None:
            with self._lock:
                self._blocked_until = max(self._blocked_until, self._monotonic() + error.retry_after)
        elif error.code == TIMESTAMP_OUTSIDE_RECV_WINDOW:
            try:
                self.sync_time()
            except VenueError as exc:
                log.warning("binance clock resync failed: %s", exc)


def _session_for(url: str) -> requests.Session:
    """A keep-alive session whose proxy and CA bundle settings are read from the environment once.

    A session that trusts the environment reads it again on every request (proxy variables, netrc,
    CA bundle), which costs more than signing the request; what it finds does not change while
    the service runs.
    """
    session = requests.Session()
    environment = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies.update(environment["proxies"])
    session.verify = environment["verify"]
    session.trust_env = False
    return session


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
