"""The Flowa dialect's websockets over real connections: token first, MessagePack frames, 0xFF heartbeats."""
from __future__ import annotations

import time
from contextlib import contextmanager

import msgpack
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.integration.exchange_simulator.flowa_support import fault, start_flowa

HEARTBEAT = b"\xff"


@contextmanager
def subscribe(sim, path: str, token: str):
    """A connected client past the handshake: token sent and the server's first heartbeat received."""
    with connect(f"{sim.ws}/{path}", open_timeout=5, close_timeout=1) as ws:
        ws.send(token)
        assert ws.recv(timeout=5) == HEARTBEAT
        yield ws


def next_map(ws, timeout: float = 5.0) -> dict:
    """The next MessagePack frame, answering heartbeats on the way."""
    deadline = time.monotonic() + timeout
    while True:
        frame = ws.recv(timeout=max(deadline - time.monotonic(), 0.01))
        if frame == HEARTBEAT:
            ws.send(b"1")
            continue
        assert isinstance(frame, bytes)
        return msgpack.unpackb(frame)


def test_order_updates_arrive_as_messagepack_snapshots(flowa):
    token = flowa.token()
    with subscribe(flowa, "strategies", token) as ws:
        strategy_id = flowa.order(token, CustomId="ws-1", Price="38.10", Quantity=300).json()["StrategyId"]
        update = next_map(ws)
        assert (update["StrategyId"], update["CustomId"], update["StrategyType"]) == (strategy_id, "ws-1", "SIMPLE_ORDER")
        assert (update["Status"], update["ExecutedQuantity"], update["Quantity"]) == ("TOTALLY_EXECUTED", 300, 300)
        assert update["AvgPrice"] > 38

        resting = flowa.order(token, CustomId="ws-2").json()["StrategyId"]
        assert next_map(ws)["Status"] == "OPEN"
        flowa.call("DELETE", f"/api/simple-order/{resting}", token)
        assert next_map(ws)["Status"] == "CANCELLED"
        flowa.order(token, CustomId="ws-3", Quantity=1)
        rejected = next_map(ws)
        assert (rejected["CustomId"], rejected["Status"]) == ("ws-3", "REJECTED")
        assert "lot size" in rejected["Error"]


def test_trades_arrive_on_their_own_socket(flowa):
    token = flowa.token()
    with subscribe(flowa, "trades", token) as ws:
        strategy_id = flowa.order(token, Symbol="ETHE11", Side="SELL", OrderType="MARKET", Price=None,
                                  Quantity=7).json()["StrategyId"]
        trade = next_map(ws)
        assert (trade["StrategyID"], trade["Symbol"], trade["Side"], trade["Quantity"]) == (
            strategy_id, "ETHE11", "SELL", 7)
        assert trade["Id"] and trade["Index"] == 0 and trade["Price"] > 0


def test_a_bad_token_closes_the_socket(flowa):
    with connect(f"{flowa.ws}/strategies", open_timeout=5, close_timeout=1) as ws:
        ws.send("not-a-token")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 1008


def test_unanswered_heartbeats_end_the_connection():
    sim, stop = start_flowa(heartbeat_seconds=0.1)
    try:
        token = sim.token()
        with subscribe(sim, "strategies", token) as answering:
            for _ in range(6):  # answered heartbeats keep the connection open
                assert answering.recv(timeout=2) == HEARTBEAT
                answering.send(b"1")
        with subscribe(sim, "strategies", token) as silent:
            with pytest.raises(ConnectionClosed):
                while True:
                    assert silent.recv(timeout=5) == HEARTBEAT
    finally:
        stop()


def test_dropping_websockets_disconnects_clients(flowa):
    token = flowa.token()
    with subscribe(flowa, "strategies", token) as ws:
        assert flowa.dialect.websocket_count() == 1
        fault(flowa, "drop_websockets")
        with pytest.raises(ConnectionClosed):
            next_map(ws)
