"""Serving one websocket client from its fan-out queue, shared by every dialect's stream endpoints."""
from __future__ import annotations

import socket
from typing import Any, Callable

from simple_websocket import ConnectionClosed

from exchange_simulator.fanout import Connection

POLL_SECONDS = 0.05
# A client's own thread sends at most this many frames before it reads the client again.
MAX_FRAMES_PER_WAKE = 500
CLOSE_HANDSHAKE_SECONDS = 1.0
# Websocket close codes
GOING_AWAY = 1001
POLICY_VIOLATION = 1008


def drain(connection: Connection, send: Callable[[str, Any], None]) -> None:
    """Send the queued messages as ``send(stream, payload)``, waiting up to POLL_SECONDS for the first one."""
    item = connection.next(POLL_SECONDS)
    frames = 0
    while item is not None:
        send(*item)
        frames += 1
        if frames >= MAX_FRAMES_PER_WAKE:
            return
        item = connection.next(0)


def hung_up(ws, connection: Connection) -> bool:
    """True, once the websocket is closed, when the hub has closed the client (too slow, or dropped on purpose)."""
    if not connection.closed:
        return False
    ws.close(reason=GOING_AWAY, message=connection.close_reason)
    return True


def serve(ws, run: Callable[[], None]) -> None:
    """Run a client's session until either side leaves, then end its TCP connection."""
    try:
        run()
    except ConnectionClosed:
        pass
    finally:
        finish(ws)


def finish(ws) -> None:
    """End the TCP connection once the closing handshake is done (or has had its chance).

    The HTTP server keeps its own reference to the socket, so closing the websocket alone would leave
    the client waiting for the end of the stream.
    """
    if ws.connected:
        try:
            ws.close(reason=GOING_AWAY)
        except ConnectionClosed:
            pass
    ws.thread.join(timeout=CLOSE_HANDSHAKE_SECONDS)
    try:
        ws.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
