"""Flowa websockets /flowa/ws/strategies and /flowa/ws/trades.

The client's first message is its access token; after that the server sends MessagePack maps (order
snapshots or trades of the token's account) and, every heartbeat interval, the single byte 0xFF,
which the client answers with b"1". A bad token, or heartbeats left unanswered, end the connection.
The server sends one heartbeat right after accepting the token, so a client knows it is subscribed.
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Callable

from flask import Blueprint, request
from flask_sock import Sock

from exchange_simulator.fanout import Connection
from exchange_simulator.flowa.publisher import strategies_topic, trades_topic
from exchange_simulator.ws_server import GOING_AWAY, POLICY_VIOLATION, drain, hung_up, serve

if TYPE_CHECKING:
    from exchange_simulator.flowa.dialect import FlowaDialect

logger = logging.getLogger(__name__)

HEARTBEAT = b"\xff"
HEARTBEAT_ANSWERS = (b"1", "1")
TOKEN_TIMEOUT = 10.0
MISSED_HEARTBEATS = 3


class FlowaSocket:
    """One websocket client, subscribed to one topic of its account."""

    def __init__(self, dialect: "FlowaDialect", ws, topic_of: Callable[[str], str]) -> None:
        self.dialect = dialect
        self.ws = ws
        self.topic_of = topic_of
        self.connection = Connection(dialect.config.ws_queue_size, label=request.remote_addr or "")

    def run(self) -> None:
        token = self.ws.receive(timeout=TOKEN_TIMEOUT)
        if isinstance(token, bytes):
            token = token.decode("utf-8", errors="replace")
        account = self.dialect.tokens.account_of(token.strip()) if token else None
        if account is None:
            self.ws.close(reason=POLICY_VIOLATION, message="Unauthorized: invalid or expired token")
            return
        with self.dialect.hub.attached(self.connection):
            self.dialect.hub.subscribe(self.connection, self.topic_of(account.account_id))
            self._loop()

    def _loop(self) -> None:
        interval = self.dialect.heartbeat_seconds
        self.ws.send(HEARTBEAT)
        last_answer = time.monotonic()
        next_beat = last_answer + interval
        while not hung_up(self.ws, self.connection):
            drain(self.connection, self._send)
            message = self.ws.receive(timeout=0)
            while message is not None:
                if message in HEARTBEAT_ANSWERS:
                    last_answer = time.monotonic()
                message = self.ws.receive(timeout=0)
            now = time.monotonic()
            if now - last_answer > interval * MISSED_HEARTBEATS:
                self.ws.close(reason=GOING_AWAY, message="heartbeat not answered")
                return
            if now >= next_beat:
                self.ws.send(HEARTBEAT)
                next_beat = now + interval

    def _send(self, stream: str, frame: bytes) -> None:
        self.ws.send(frame)  # one topic per client: the stream name says nothing the frame does not


def create_ws_blueprint(dialect: "FlowaDialect") -> Blueprint:
    bp = Blueprint("flowa_ws", __name__, url_prefix="/flowa")
    sock = Sock()

    @sock.route("/ws/strategies", bp=bp)
    def strategies(ws):
        serve(ws, FlowaSocket(dialect, ws, strategies_topic).run)

    @sock.route("/ws/trades", bp=bp)
    def trades(ws):
        serve(ws, FlowaSocket(dialect, ws, trades_topic).run)

    return bp
