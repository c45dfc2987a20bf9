"""Flowa's /ws/strategies order updates: token first, MessagePack frames, 0xFF heartbeats, reconnection."""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

import msgpack
import websockets.exceptions
import websockets.sync.client

from order_service.adapters.flowa.auth import TokenProvider
from order_service.adapters.flowa.config import FlowaConfig
from order_service.adapters.flowa.parsing import STRATEGY_TYPE, parse_order
from order_service.adapters.flowa.trades import TradeTracker
from order_service.adapters.reconnect import pause
from shared.backoff import Backoff
from shared.domain.errors import VenueError
from shared.domain.venue import ExecutionReport

log = logging.getLogger(__name__)

HEARTBEAT = b"\xff"
HEARTBEAT_ANSWER = b"1"
RECV_TIMEOUT = 1.0       # how often should_stop() is looked at while the stream is quiet
FIRST_FRAME_TIMEOUT = 2.0  # the wait for the server's first frame, which confirms the token was taken
INITIAL_BACKOFF = 0.5
POLICY_VIOLATION = 1008  # the server's close code for a refused token
_CONNECTION_ERRORS = (websockets.exceptions.WebSocketException, OSError, TimeoutError, VenueError)


class StrategyStream:
    """Delivers order snapshots as ExecutionReports, with their fills, until told to stop; survives drops."""

    def __init__(self, config: FlowaConfig, tokens: TokenProvider, trades: TradeTracker, *,
                 connect: Callable[..., Any] | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._config = config
        self._tokens = tokens
        self._trades = trades
        self._connect = connect or websockets.sync.client.connect
        self._sleep = sleep

    def run(self, on_report: Callable[[ExecutionReport], None], should_stop: Callable[[], bool],
            on_connected: Callable[[], None] | None = None) -> None:
        """Block until should_stop(); `on_connected` runs after every (re)connection, e.g. to reconcile."""
        backoff = Backoff(base=INITIAL_BACKOFF, cap=self._config.reconnect_max_backoff)
        while not should_stop():
            token: str | None = None
            connected = False
            try:
                token = self._tokens.token()
                with self._connect(f"{self._config.ws_url}/strategies", open_timeout=10, close_timeout=2) as ws:
                    ws.send(token)
                    first = self._first_frame(ws)
                    connected = True
                    log.info("flowa order stream connected")
                    if on_connected is not None:
                        on_connected()
                    if first is not None:
                        self._handle(ws, first, on_report)
                    while not should_stop():
                        try:
                            frame = ws.recv(timeout=RECV_TIMEOUT)
                        except TimeoutError:
                            continue
                        self._handle(ws, frame, on_report)
            except _CONNECTION_ERRORS as exc:
                if _token_refused(exc) and token is not None:
                    self._tokens.invalidate(token)
                if connected:
                    backoff.reset()  # a stream that worked gets a quick first retry
                wait = backoff.next_delay()
                log.warning("flowa order stream down (%s); reconnecting in %.1fs", _describe(exc), wait)
                pause(wait, should_stop, self._sleep)

    # -- internals ----------------------------------------------------------------------------------

    @staticmethod
    def _first_frame(ws: Any) -> Any:
        try:
            return ws.recv(timeout=FIRST_FRAME_TIMEOUT)
        except TimeoutError:
            return None

    def _handle(self, ws: Any, frame: Any, on_report: Callable[[ExecutionReport], None]) -> None:
        if frame == HEARTBEAT:
            ws.send(HEARTBEAT_ANSWER)
            return
        try:
            payload = msgpack.unpackb(frame, raw=False) if isinstance(frame, bytes) else None
        except (ValueError, msgpack.UnpackException):
            payload = None
        if not isinstance(payload, dict):
            log.warning("flowa order stream: unreadable frame ignored")
            return
        if payload.get("StrategyType", STRATEGY_TYPE) != STRATEGY_TYPE or not payload.get("CustomId"):
            return  # another kind of strategy, or an order this system did not send
        try:
            report = parse_order(payload)
        except (KeyError, TypeError, ValueError, ArithmeticError, VenueError) as exc:
            log.error("flowa order update for %s could not be read: %r", payload.get("CustomId"), exc)
            return
        if report.filled_quantity > 0:
            self._trades.poll_quietly()
            report = dataclasses.replace(report, fills=tuple(self._trades.fills_of(report.venue_order_id)))
        try:
            on_report(report)
        except Exception:  # noqa: BLE001 - one failing report must not stop the stream for every order
            log.exception("execution report handler failed for %s", report.client_order_id)


def _token_refused(exc: BaseException) -> bool:
    received = getattr(exc, "rcvd", None)
    return received is not None and received.code == POLICY_VIOLATION


def _describe(exc: BaseException) -> str:
    return exc.message if isinstance(exc, VenueError) else type(exc).__name__
