"""Binance websocket streams: raw /binance/ws/<streams>, combined /binance/stream?streams=a/b, user data."""
from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

from flask import Blueprint, request
from flask_sock import Sock

from exchange_simulator.binance.streams import parse_stream, user_topic
from exchange_simulator.fanout import Connection
from exchange_simulator.ws_server import POLICY_VIOLATION, drain, hung_up, serve

if TYPE_CHECKING:
    from exchange_simulator.binance.dialect import BinanceDialect

logger = logging.getLogger(__name__)

# A stream name and the venue's symbols -> something with a `.topic`, or None when the name is invalid.
StreamParser = Callable[[str, Iterable[str]], Optional[Any]]

LISTEN_KEY_CHECK_SECONDS = 1.0


def _dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))


class StreamSession:
    """One websocket client: its subscriptions, control messages and the drain loop of its queue."""

    def __init__(self, dialect: "BinanceDialect", ws, combined: bool, parse: StreamParser = parse_stream):
        self.dialect = dialect
        self.ws = ws
        self.combined = combined
        self.parse = parse
        self.connection = Connection(dialect.config.ws_queue_size, label=request.remote_addr or "")
        self.listen_keys: dict[str, str] = {}  # listen key -> account

    def subscribe(self, names: list[str]) -> str | None:
        """Subscribe to stream names (market streams or listen keys); returns the first invalid name."""
        resolved = []
        for name in names:
            account = self.dialect.listen_keys.account_of(name) if isinstance(name, str) else None
            if account is not None:
                resolved.append((user_topic(account), name, name, account))
                continue
            stream = self.parse(name, self.dialect.venue.engine.symbols) if isinstance(name, str) else None
            if stream is None:
                return str(name)
            resolved.append((stream.topic, name, None, None))
        for topic, name, key, account in resolved:
            self.dialect.hub.subscribe(self.connection, topic, name)
            if key is not None:
                self.listen_keys[key] = account
        return None

    def unsubscribe(self, names: list[str]) -> None:
        for topic, name in list(self.connection.subscriptions.items()):
            if name in names:
                self.dialect.hub.unsubscribe(self.connection, topic)
                self.listen_keys.pop(name, None)

    def run(self, initial: list[str]) -> None:
        with self.dialect.hub.attached(self.connection):
            invalid = self.subscribe(initial)
            if invalid is not None:
                self.ws.close(reason=POLICY_VIOLATION, message=f"Invalid stream name: {invalid}"[:120])
                return
            self._loop()

    def _loop(self) -> None:
        next_key_check = time.monotonic() + LISTEN_KEY_CHECK_SECONDS
        while not hung_up(self.ws, self.connection):
            drain(self.connection, self._send)
            message = self.ws.receive(timeout=0)
            if message is not None:
                self._control(message)
            if self.listen_keys and time.monotonic() >= next_key_check:
                next_key_check = time.monotonic() + LISTEN_KEY_CHECK_SECONDS
                self._check_listen_keys()

    def _send(self, stream: str, payload: Any) -> None:
        self.ws.send(_dumps({"stream": stream, "data": payload} if self.combined else payload))

    def _check_listen_keys(self) -> None:
        for key in list(self.listen_keys):
            if self.dialect.listen_keys.account_of(key) is None:
                self._send(key, {"e": "listenKeyExpired", "E": self.dialect.venue.clock(), "listenKey": key})
                self.connection.close("listenKey expired")

    def _control(self, message: str | bytes) -> None:
        try:
            request_ = json.loads(message)
        except ValueError:
            self._reply({"error": {"code": 3, "msg": "Invalid JSON: expected a JSON object"}, "id": None})
            return
        if not isinstance(request_, dict):
            self._reply({"error": {"code": 3, "msg": "Invalid JSON: expected a JSON object"}, "id": None})
            return
        req_id = request_.get("id")
        method = request_.get("method")
        params = request_.get("params", [])
        if not isinstance(req_id, (int, str)) or isinstance(req_id, bool):
            self._reply({"error": {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"},
                         "id": req_id})
            return
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            if not isinstance(params, list):
                self._reply({"error": {"code": 2, "msg": "Invalid request: params must be a list"}, "id": req_id})
                return
            if method == "SUBSCRIBE":
                invalid = self.subscribe(params)
                if invalid is not None:
                    self._reply({"error": {"code": 2, "msg": f"Invalid request: invalid stream name '{invalid}'"},
                                 "id": req_id})
                    return
            else:
                self.unsubscribe(params)
            self._reply({"result": None, "id": req_id})
        elif method == "LIST_SUBSCRIPTIONS":
            self._reply({"result": sorted(self.connection.subscriptions.values()), "id": req_id})
        elif method == "GET_PROPERTY" and params == ["combined"]:
            self._reply({"result": self.combined, "id": req_id})
        elif method == "SET_PROPERTY" and isinstance(params, list) and len(params) == 2 and params[0] == "combined":
            if not isinstance(params[1], bool):
                self._reply({"error": {"code": 1, "msg": "Invalid value type: expected Boolean"}, "id": req_id})
                return
            self.combined = params[1]
            self._reply({"result": None, "id": req_id})
        else:
            self._reply({"error": {"code": 2, "msg": f"Invalid request: unknown method '{method}'"}, "id": req_id})

    def _reply(self, body: dict) -> None:
        self.ws.send(_dumps(body))


def create_ws_blueprint(dialect: "BinanceDialect", url_prefix: str = "/binance",
                        parse: StreamParser = parse_stream) -> Blueprint:
    """Stream endpoints below `url_prefix`; `parse` reads the dialect's market stream names."""
    bp = Blueprint(url_prefix.strip("/").replace("-", "_") + "_ws", __name__, url_prefix=url_prefix)
    sock = Sock()

    def serve_streams(ws, names: list[str], combined: bool) -> None:
        session = StreamSession(dialect, ws, combined, parse)
        serve(ws, lambda: session.run([n for n in names if n]))

    @sock.route("/ws", bp=bp)
    def raw_no_stream(ws):
        serve_streams(ws, [], combined=False)

    @sock.route("/ws/<path:streams>", bp=bp)
    def raw_streams(ws, streams: str):
        serve_streams(ws, streams.split("/"), combined=False)

    @sock.route("/stream", bp=bp)
    def combined_streams(ws):
        serve_streams(ws, request.args.get("streams", "").split("/"), combined=True)

    return bp
