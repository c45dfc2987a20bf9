"""Fan-out of stream messages to websocket clients without ever blocking the publisher."""
from __future__ import annotations

import logging
import queue
import threading
from contextlib import contextmanager
from typing import Any, Iterator

logger = logging.getLogger(__name__)


class Connection:
    """One websocket client: a bounded queue filled by publishers and drained by the client's own thread."""

    def __init__(self, maxsize: int, label: str = ""):
        self.label = label
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize)
        self._closed = threading.Event()
        self.close_reason: str | None = None
        # topic -> the stream name the client knows it by (used in combined-stream frames)
        self.subscriptions: dict[str, str] = {}

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def offer(self, stream: str, payload: Any) -> None:
        if self.closed:
            return
        try:
            self._queue.put_nowait((stream, payload))
        except queue.Full:
            logger.warning("websocket client %s is too slow; disconnecting it", self.label)
            self.close("slow consumer")

    def next(self, timeout: float) -> tuple[str, Any] | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self, reason: str) -> None:
        if not self.closed:
            self.close_reason = reason
            self._closed.set()


class Hub:
    """Topic-based registry of connections; publishing only enqueues."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._topics: dict[str, set[Connection]] = {}
        self._connections: set[Connection] = set()

    def attach(self, connection: Connection) -> None:
        with self._lock:
            self._connections.add(connection)

    @contextmanager
    def attached(self, connection: Connection) -> Iterator[Connection]:
        """The connection attached for the duration of a client's session."""
        self.attach(connection)
        try:
            yield connection
        finally:
            self.detach(connection)

    def subscribe(self, connection: Connection, topic: str, stream_name: str | None = None) -> None:
        with self._lock:
            connection.subscriptions[topic] = stream_name or topic
            self._topics.setdefault(topic, set()).add(connection)

    def unsubscribe(self, connection: Connection, topic: str) -> None:
        with self._lock:
            connection.subscriptions.pop(topic, None)
            subscribers = self._topics.get(topic)
            if subscribers is not None:
                subscribers.discard(connection)
                if not subscribers:
                    del self._topics[topic]

    def detach(self, connection: Connection) -> None:
        with self._lock:
            self._connections.discard(connection)
            for topic in list(connection.subscriptions):
                subscribers = self._topics.get(topic)
                if subscribers is not None:
                    subscribers.discard(connection)
                    if not subscribers:
                        del self._topics[topic]
            connection.subscriptions.clear()

    def has_subscribers(self, topic: str) -> bool:
        return topic in self._topics

    def publish(self, topic: str, payload: Any) -> None:
        with self._lock:
            subscribers = list(self._topics.get(topic, ()))
        for connection in subscribers:
            connection.offer(connection.subscriptions.get(topic, topic), payload)

    def drop_all(self, reason: str) -> int:
        """Close every connection (fault injection); returns how many were open."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.close(reason)
        return len(connections)

    def connection_count(self) -> int:
        with self._lock:
            return len(self._connections)


class HubWebsockets:
    """The operator API's websocket controls of a dialect whose clients are served from ``self.hub``."""

    hub: Hub

    def drop_websockets(self) -> int:
        """Disconnect every websocket client of this dialect; returns how many there were."""
        return self.hub.drop_all("connection dropped")

    def websocket_count(self) -> int:
        return self.hub.connection_count()
