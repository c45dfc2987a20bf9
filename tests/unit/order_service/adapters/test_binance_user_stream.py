import json
from collections import deque
from dataclasses import replace

import pytest
from websockets.exceptions import ConnectionClosedError

from order_service.adapters.binance.adapter import BinanceSpotAdapter
from order_service.adapters.binance.http import BinanceHttpClient
from order_service.adapters.binance.signing import sign
from order_service.adapters.binance.user_stream import UserDataStream
from shared.domain.enums import OrderStatus
from tests.unit.order_service.adapters.conftest import API_KEY, API_SECRET

DROP = object()


def execution_report(client_id: str, x: str = "NEW", status: str = "NEW", trade_id: int = -1, last_qty="0") -> str:
    return json.dumps({"e": "executionReport", "E": 1, "s": "BTCUSDT", "c": client_id, "S": "BUY", "o": "LIMIT",
                       "f": "GTC", "q": "1.00000000", "p": "100.00000000", "x": x, "X": status, "r": "NONE",
                       "i": 1, "l": last_qty, "z": last_qty, "L": "100.00000000", "n": "0", "N": None,
                       "T": 2, "t": trade_id, "m": False, "Z": str(100 * float(last_qty)), "C": ""})


class FakeSocket:
    def __init__(self, frames, subscribe_answer: dict | None = None) -> None:
        self.frames = deque(frames)
        self.closed = False
        self.sent: list[dict] = []
        self.subscribe_answer = subscribe_answer or {"status": 200, "result": {"subscriptionId": 0}}

    def send(self, message: str) -> None:
        request = json.loads(message)
        self.sent.append(request)
        self.frames.appendleft(json.dumps({"id": request["id"], **self.subscribe_answer}))

    def recv(self, timeout=None):
        if not self.frames:
            raise TimeoutError
        frame = self.frames.popleft()
        if frame is DROP:
            raise ConnectionClosedError(None, None)
        return frame

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.closed = True


class FakeConnect:
    """Each connection plays the next script of frames; `urls` records where it connected."""

    def __init__(self, *scripts) -> None:
        self.scripts = deque(scripts)
        self.urls: list[str] = []
        self.sockets: list[FakeSocket] = []

    def __call__(self, url, **kwargs):
        self.urls.append(url)
        if not self.scripts:
            raise ConnectionRefusedError("no more connections")
        script = self.scripts.popleft()
        if isinstance(script, Exception):
            raise script
        socket = script if isinstance(script, FakeSocket) else FakeSocket(script)
        self.sockets.append(socket)
        return socket


@pytest.fixture
def stream_config(config):
    return replace(config, ws_url="ws://venue.test/binance")


def test_execution_reports_are_delivered_and_other_events_ignored(fake_binance, stream_config):
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "key-1"})
    connect = FakeConnect([
        json.dumps({"e": "outboundAccountPosition", "E": 1, "u": 1, "B": []}),
        execution_report("a", "NEW", "NEW"),
        execution_report("a", "TRADE", "FILLED", trade_id=9, last_qty="1.00000000"),
    ])
    reports = []
    stream = UserDataStream(BinanceHttpClient(stream_config), stream_config, connect=connect, sleep=lambda s: None)

    stream.run(reports.append, lambda: len(reports) >= 2)

    assert connect.urls == ["ws://venue.test/binance/ws/key-1"]
    assert [r.status for r in reports] == [OrderStatus.NEW, OrderStatus.FILLED]
    assert reports[1].fills[0].venue_trade_id == "9"


def test_reconnects_with_backoff_after_a_drop(fake_binance, stream_config):
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "key-1"})
    connect = FakeConnect(
        [execution_report("a"), DROP],
        ConnectionRefusedError("venue restarting"),
        [execution_report("b")],
    )
    reports, sleeps, connections = [], [], []
    stream = UserDataStream(BinanceHttpClient(stream_config), stream_config, connect=connect, sleep=sleeps.append)

    stream.run(reports.append, lambda: len(reports) >= 2, on_connected=lambda: connections.append(1))

    assert [r.client_order_id for r in reports] == ["a", "b"]
    assert len(connect.urls) == 3 and len(connections) == 2
    assert 0.8 * 1.5 <= sum(sleeps) <= 1.2 * 1.5  # 0.5 then doubled after the refused attempt, ±20 % jitter


def test_an_expired_listen_key_is_replaced(fake_binance, stream_config):
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "key-1"})
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "key-2"})
    connect = FakeConnect([json.dumps({"e": "listenKeyExpired", "E": 1, "listenKey": "key-1"})],
                          [execution_report("b")])
    reports = []
    stream = UserDataStream(BinanceHttpClient(stream_config), stream_config, connect=connect, sleep=lambda s: None)

    stream.run(reports.append, lambda: len(reports) >= 1)

    assert connect.urls == ["ws://venue.test/binance/ws/key-1", "ws://venue.test/binance/ws/key-2"]


def test_listen_key_is_kept_alive_and_renewed_when_binance_forgot_it(fake_binance, stream_config):
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "key-1"})
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "key-2"})
    fake_binance.reply("PUT", "/v3/userDataStream", {})
    fake_binance.reply("PUT", "/v3/userDataStream", {"code": -1125, "msg": "This listenKey does not exist."},
                       status=400)
    clock = {"now": 0.0}

    def monotonic():
        clock["now"] += 700.0  # every look at the clock is 700 s later: a keepalive falls due every 3rd
        return clock["now"]

    connect = FakeConnect([], [execution_report("b")])
    reports = []
    stream = UserDataStream(BinanceHttpClient(stream_config), stream_config, connect=connect,
                            monotonic=monotonic, sleep=lambda s: None)
    stream.run(reports.append, lambda: len(reports) >= 1)

    puts = fake_binance.calls("PUT", "/v3/userDataStream")
    assert [p.params["listenKey"] for p in puts] == ["key-1", "key-1"]
    assert connect.urls[-1].endswith("/ws/key-2")


def test_stops_promptly_when_asked_even_while_disconnected(fake_binance, stream_config):
    fake_binance.reply("POST", "/v3/userDataStream", {"code": -1003, "msg": "busy"}, status=503)
    looks = []

    def should_stop():
        looks.append(1)
        return len(looks) > 5

    stream = UserDataStream(BinanceHttpClient(stream_config), stream_config, connect=FakeConnect(),
                            sleep=lambda s: None)
    stream.run(lambda r: None, should_stop)  # returns instead of retrying forever


def test_a_failing_handler_does_not_stop_the_stream(fake_binance, stream_config):
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "key-1"})
    connect = FakeConnect([execution_report("bad"), execution_report("good")])
    seen = []

    def handler(report):
        seen.append(report.client_order_id)
        if report.client_order_id == "bad":
            raise RuntimeError("store unavailable")

    stream = UserDataStream(BinanceHttpClient(stream_config), stream_config, connect=connect, sleep=lambda s: None)
    stream.run(handler, lambda: "good" in seen)
    assert seen == ["bad", "good"]


def test_close_gives_the_listen_key_back(fake_binance, stream_config):
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "key-1"})
    fake_binance.reply("DELETE", "/v3/userDataStream", {})
    connect = FakeConnect([execution_report("a")])
    adapter = BinanceSpotAdapter(stream_config, connect=connect, sleep=lambda s: None)
    reports = []
    adapter.stream_executions(reports.append, lambda: bool(reports))
    adapter.close()
    (deleted,) = fake_binance.calls("DELETE", "/v3/userDataStream")
    assert deleted.params == {"listenKey": "key-1"}


def test_websocket_api_subscription_is_signed_and_unwraps_events(fake_binance, stream_config):
    config = replace(stream_config, ws_api_url="wss://ws-api.venue.test/ws-api/v3")
    fake_binance.reply("GET", "/v3/time", {"serverTime": 1_700_000_000_000})
    wrapped = json.dumps({"subscriptionId": 0, "event": json.loads(execution_report("a"))})
    connect = FakeConnect([wrapped])
    reports = []
    stream = UserDataStream(BinanceHttpClient(config, wall_clock=lambda: 1_700_000_000.0), config,
                            connect=connect, sleep=lambda s: None)

    stream.run(reports.append, lambda: bool(reports))

    assert connect.urls == ["wss://ws-api.venue.test/ws-api/v3"]
    (request,) = connect.sockets[0].sent
    assert request["method"] == "userDataStream.subscribe.signature"
    params = request["params"]
    assert (params["apiKey"], params["timestamp"]) == (API_KEY, "1700000000000")
    assert params["signature"] == sign(API_SECRET, f"apiKey={API_KEY}&timestamp=1700000000000")
    assert [r.client_order_id for r in reports] == ["a"]
    assert not fake_binance.calls("POST", "/v3/userDataStream")  # no listen key on this path


def test_refused_websocket_api_subscription_is_retried(fake_binance, stream_config):
    config = replace(stream_config, ws_api_url="wss://ws-api.venue.test/ws-api/v3")
    refused = FakeSocket([], {"status": 400, "error": {"code": -1022, "msg": "Signature for this request is not valid."}})
    connect = FakeConnect(refused, [execution_report("a")])
    reports, sleeps = [], []
    stream = UserDataStream(BinanceHttpClient(config), config, connect=connect, sleep=sleeps.append)

    stream.run(reports.append, lambda: bool(reports))

    assert len(connect.urls) == 2 and sleeps and reports
