"""Flowa adapter's order stream with a scripted websocket: token first, heartbeats, fills, reconnection."""
from __future__ import annotations

from collections import deque
from decimal import Decimal
from types import SimpleNamespace

import msgpack
from websockets.exceptions import ConnectionClosedError

from order_service.adapters.flowa.auth import TokenProvider
from order_service.adapters.flowa.stream import StrategyStream
from order_service.adapters.flowa.trades import TradeTracker
from shared.domain.enums import OrderStatus
from tests.unit.order_service.adapters.test_flowa_auth_and_http import CONFIG, FakeSession, token_answer

HEARTBEAT = b"\xff"
DROP = object()
REFUSED = object()


def frame(**fields) -> bytes:
    body = {"StrategyId": "s-1", "StrategyType": "SIMPLE_ORDER", "Status": "OPEN", "Symbol": "PETR4",
            "Quantity": 200, "Price": 38.0, "ExecutedQuantity": 0, "AvgPrice": 0.0, "CustomId": "c-1"}
    body.update(fields)
    return msgpack.packb(body)


class FakeSocket:
    def __init__(self, frames) -> None:
        self.frames = deque(frames)
        self.sent: list = []

    def send(self, message) -> None:
        self.sent.append(message)

    def recv(self, timeout=None):
        if not self.frames:
            raise TimeoutError
        item = self.frames.popleft()
        if item is DROP:
            raise ConnectionClosedError(None, None)
        if item is REFUSED:
            raise ConnectionClosedError(SimpleNamespace(code=1008, reason="invalid token"), None)
        return item

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeConnect:
    def __init__(self, *scripts) -> None:
        self.scripts = deque(scripts)
        self.sockets: list[FakeSocket] = []
        self.urls: list[str] = []

    def __call__(self, url, **kwargs):
        self.urls.append(url)
        socket = FakeSocket(self.scripts.popleft() if self.scripts else [])
        self.sockets.append(socket)
        return socket


def run(connect: FakeConnect, trades: list[dict], tokens=("t1", "t2", "t3"), stop_after: int = 1):
    session = FakeSession([token_answer(t) for t in tokens])
    provider = TokenProvider(CONFIG, session)
    pages = deque([trades, []])
    tracker = TradeTracker(lambda index: pages.popleft() if pages else [])
    stream = StrategyStream(CONFIG, provider, tracker, connect=connect, sleep=lambda s: None)
    reports, connections = [], []

    def should_stop() -> bool:
        return len(connect.sockets) > stop_after or (len(connect.sockets) == stop_after
                                                     and not connect.sockets[-1].frames)

    stream.run(reports.append, should_stop, lambda: connections.append(len(connect.sockets)))
    return reports, connections


def test_token_first_heartbeats_answered_and_updates_reported_with_their_fills():
    trade = {"Id": "9", "Index": 0, "StrategyID": "s-1", "Quantity": 200, "Price": 38.02,
             "TradeDate": "2025-01-13T14:00:00Z"}
    connect = FakeConnect([HEARTBEAT, frame(), HEARTBEAT,
                           frame(Status="TOTALLY_EXECUTED", ExecutedQuantity=200, AvgPrice=38.02)])
    reports, connections = run(connect, [trade])
    assert connect.urls == ["ws://flowa.test/ws/strategies"]
    assert connect.sockets[0].sent == ["t1", b"1", b"1"]
    assert connections == [1]
    assert [r.status for r in reports] == [OrderStatus.NEW, OrderStatus.FILLED]
    filled = reports[1]
    assert [(f.venue_trade_id, f.quantity, f.price) for f in filled.fills] == [("9", Decimal(200), Decimal("38.02"))]


def test_frames_of_other_strategies_and_garbage_are_skipped():
    connect = FakeConnect([b"\x00not msgpack", frame(StrategyType="TWAP"), frame(CustomId=None), frame()])
    reports, _ = run(connect, [])
    assert [r.client_order_id for r in reports] == ["c-1"]


def test_reconnects_after_a_drop_and_says_so_each_time():
    connect = FakeConnect([HEARTBEAT, DROP], [HEARTBEAT, frame()])
    reports, connections = run(connect, [], stop_after=2)
    assert connections == [1, 2]
    assert len(reports) == 1


def test_a_refused_token_is_replaced_on_the_next_connection():
    connect = FakeConnect([REFUSED], [HEARTBEAT, frame()])
    reports, connections = run(connect, [], stop_after=2)
    assert [s.sent[0] for s in connect.sockets] == ["t1", "t2"]
    assert connections == [2]  # the refused connection never counted as connected
    assert len(reports) == 1
