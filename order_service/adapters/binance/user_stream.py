"""The Binance user data stream: listen key or WebSocket API subscription, reconnection with backoff."""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import websockets.exceptions
import websockets.sync.client

from order_service.adapters.binance.config import BinanceConfig
from order_service.adapters.binance.errors import LISTEN_KEY_UNKNOWN, error_from_response
from order_service.adapters.binance.http import BinanceHttpClient, Security
from order_service.adapters.binance.parsing import parse_execution_report
from order_service.adapters.binance.signing import ws_api_signature
from order_service.adapters.reconnect import pause
from shared.backoff import Backoff
from shared.domain.errors import VenueError, VenueRejected
from shared.domain.venue import ExecutionReport

log = logging.getLogger(__name__)

PATH = "/v3/userDataStream"
RECV_TIMEOUT = 1.0  # how often should_stop() is looked at while the stream is quiet
INITIAL_BACKOFF = 0.5
SUBSCRIBE_TIMEOUT = 10.0
KEEPALIVE_RETRY = 60.0
_CONNECTION_ERRORS = (websockets.exceptions.WebSocketException, OSError, TimeoutError, VenueError)


class _SubscriptionEnded(Exception):
    """The venue ended the stream's subscription (listen key expired, WebSocket API session ended)."""


class UserDataStream:
    """Delivers `executionReport` events as ExecutionReports until told to stop; survives drops.

    Binance USD-M futures subclasses it: another listen key path and event (see `_report_of`).
    """

    path = PATH

    def __init__(self, http: BinanceHttpClient, config: BinanceConfig, *,
                 connect: Callable[..., Any] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._http = http
        self._config = config
        self._connect = connect or websockets.sync.client.connect
        self._monotonic = monotonic
        self._sleep = sleep
        self.listen_key: str | None = None
        self._connected = False

    def run(self, on_report: Callable[[ExecutionReport], None], should_stop: Callable[[], bool],
            on_connected: Callable[[], None] | None = None) -> None:
        """Block until should_stop(); `on_connected` runs after every (re)connection, e.g. to reconcile."""
        backoff = Backoff(base=INITIAL_BACKOFF, cap=self._config.reconnect_max_backoff)
        while not should_stop():
            self._connected = False
            try:
                self._listen(on_report, should_stop, on_connected)
            except _SubscriptionEnded:
                log.info("binance user stream subscription ended; subscribing again")
                self.listen_key = None
            except _CONNECTION_ERRORS as exc:
                if self._connected:
                    backoff.reset()  # a stream that worked gets a quick first retry
                wait = backoff.next_delay()
                log.warning("binance user stream down (%s); reconnecting in %.1fs", _describe(exc), wait)
                pause(wait, should_stop, self._sleep)

    def close(self) -> None:
        """Give the listen key back to Binance."""
        key, self.listen_key = self.listen_key, None
        if key is None:
            return
        try:
            self._http.delete(self.path, self._key_params(key), security=Security.API_KEY)
        except VenueError as exc:
            log.warning("binance listen key not closed: %s", exc)

    # -- internals ----------------------------------------------------------------------------------

    def _listen(self, on_report: Callable[[ExecutionReport], None], should_stop: Callable[[], bool],
                on_connected: Callable[[], None] | None) -> None:
        by_ws_api = self._config.ws_api_url is not None
        if by_ws_api:
            url = self._config.ws_api_url
        else:
            # POST returns the account's live key when there is one, or a new one once it expired.
            self.listen_key = self._http.post(self.path, security=Security.API_KEY)["listenKey"]
            url = f"{self._config.ws_url}/ws/{self.listen_key}"
        with self._connect(url, close_timeout=2) as ws:
            if by_ws_api:
                self._subscribe(ws)
            self._connected = True
            log.info("binance user stream connected")
            if on_connected is not None:
                on_connected()
            next_keepalive = self._monotonic() + self._config.keepalive_interval
            while not should_stop():
                if not by_ws_api and self._monotonic() >= next_keepalive:
                    next_keepalive = self._keepalive()
                try:
                    raw = ws.recv(timeout=RECV_TIMEOUT)
                except TimeoutError:
                    continue
                self._dispatch(raw, on_report)

    def _subscribe(self, ws: Any) -> None:
        """Subscribe this WebSocket API session to the account's user data stream."""
        params = {"apiKey": self._config.api_key, "timestamp": str(self._http.timestamp_ms())}
        params["signature"] = ws_api_signature(self._config.api_secret, params)
        request_id = uuid.uuid4().hex
        ws.send(json.dumps({"id": request_id, "method": "userDataStream.subscribe.signature", "params": params}))
        deadline = self._monotonic() + SUBSCRIBE_TIMEOUT
        while self._monotonic() < deadline:
            try:
                answer = json.loads(ws.recv(timeout=RECV_TIMEOUT))
            except TimeoutError:
                continue
            if isinstance(answer, dict) and answer.get("id") == request_id:
                if answer.get("status") == 200:
                    return
                error = answer.get("error") or {}
                raise error_from_response("WS", "userDataStream.subscribe.signature", int(answer.get("status") or 400),
                                          error, {})
        raise TimeoutError("no answer to the user data stream subscription")

    def _keepalive(self) -> float:
        """PUT the listen key; return when the next keepalive is due."""
        try:
            self._http.put(self.path, self._key_params(self.listen_key), security=Security.API_KEY)
        except VenueRejected as exc:
            if exc.code == LISTEN_KEY_UNKNOWN:
                raise _SubscriptionEnded() from None
            raise
        except VenueError as exc:
            log.warning("binance listen key keepalive failed (%s); trying again shortly", exc)
            return self._monotonic() + KEEPALIVE_RETRY
        return self._monotonic() + self._config.keepalive_interval

    def _dispatch(self, raw: str | bytes, on_report: Callable[[ExecutionReport], None]) -> None:
        try:
            event = json.loads(raw)
        except ValueError:
            log.warning("binance user stream: unreadable frame ignored")
            return
        if isinstance(event, dict) and isinstance(event.get("event"), dict):
            event = event["event"]  # frames of the WebSocket API subscription wrap the payload
        kind = event.get("e") if isinstance(event, dict) else None
        if kind in ("listenKeyExpired", "eventStreamTerminated"):
            raise _SubscriptionEnded()
        if kind is None:
            return
        try:
            report = self._report_of(event)
        except (KeyError, ValueError, ArithmeticError, VenueError) as exc:
            log.error("binance %s event could not be read: %r", kind, exc)
            return
        if report is None:
            return
        try:
            on_report(report)
        except Exception:  # noqa: BLE001 - one failing report must not stop the stream for every order
            log.exception("execution report handler failed for %s", report.client_order_id)

    def _key_params(self, key: str | None) -> dict[str, str]:
        """The parameters naming the listen key in a keepalive or close."""
        return {"listenKey": key or ""}

    @staticmethod
    def _report_of(event: dict) -> ExecutionReport | None:
        """The execution report an event carries, or None for the other events of the stream."""
        if event.get("e") != "executionReport":
            return None
        return parse_execution_report(event)


def _describe(exc: BaseException) -> str:
    # Websocket errors can quote the URL, and the URL holds the listen key.
    return exc.args[0] if isinstance(exc, VenueError) and exc.args else type(exc).__name__
