"""The event loop inside one algo process: market data and order events in, strategy callbacks out.

Two reader threads feed one inbox: a pub/sub connection (the strategy's market data channels and the
fast path of its own order events) and a reader of the order event stream, the source of truth, so an
event missed by pub/sub still arrives. Each order event is delivered once: an event whose order version
was already seen (from either path, or from the state rebuilt at start) is skipped. Callbacks run one at
a time on the loop's thread.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from decimal import Decimal
from enum import Enum
from typing import Callable

import redis

from shared import marketdata_codec
from shared.bus import ORDER_STREAM, EventBus, algo_orders_channel
from shared.domain.marketdata import FxRate, Inav, Quote, Trade

from algo_service.sdk.events import OrderUpdate, OrderView
from algo_service.sdk.strategy import Strategy

log = logging.getLogger(__name__)

_MARKET = "md"
_ORDER = "order"
_STREAM_BLOCK_MS = 500


class Outcome(str, Enum):
    FINISHED = "FINISHED"
    STOPPED = "STOPPED"


def stream_position(bus: EventBus) -> str:
    """The id of the newest order event now: reading from it later misses nothing that follows."""
    newest = bus.client.xrevrange(bus.key(ORDER_STREAM), count=1)
    return newest[0][0] if newest else "0-0"


class Runtime:
    def __init__(self, strategy: Strategy, bus: EventBus, *, stream_from: str,
                 restored: list[OrderView] = (), on_fill: Callable[[OrderUpdate], None] | None = None) -> None:
        self.strategy = strategy
        self.bus = bus
        self.algo_id = strategy.algo_id
        self.stream_from = stream_from
        self.on_fill = on_fill or (lambda update: None)
        self.inbox: queue.Queue = queue.Queue()
        self.closing = threading.Event()
        self._floor: dict[str, int] = {o.id: o.version for o in restored}  # everything up to it is known
        self._seen: dict[str, set[int]] = {}
        self._marker = f'"algo_id":"{self.algo_id}"'
        self._threads: list[threading.Thread] = []
        self._pubsub = None

    # -- readers ---------------------------------------------------------------------------------

    def start_readers(self) -> None:
        channels = list(self.strategy.subscriptions())
        self._pubsub = self.bus.pubsub(channels=[*channels, algo_orders_channel(self.algo_id)])
        for last in self.bus.last_values(channels):  # late subscriber: start from each channel's last value
            if last is not None:
                self.inbox.put((_MARKET, last))
        self._spawn("pubsub", self._read_pubsub)
        self._spawn("order-stream", self._read_stream)

    def _spawn(self, name: str, target) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _read_pubsub(self) -> None:
        orders_channel = self.bus.key(algo_orders_channel(self.algo_id))
        while not self.closing.is_set():
            try:
                message = self._pubsub.get_message(timeout=0.5)
            except (redis.ConnectionError, redis.TimeoutError, ValueError):
                if self.closing.is_set():
                    return
                log.warning("market data connection lost; resubscribing")
                time.sleep(0.5)
                continue
            if message is None or message.get("type") != "message":
                continue
            kind = _ORDER if message["channel"] == orders_channel else _MARKET
            self.inbox.put((kind, message["data"]))

    def _read_stream(self) -> None:
        position = self.stream_from
        key = self.bus.key(ORDER_STREAM)
        while not self.closing.is_set():
            try:
                result = self.bus.client.xread({key: position}, count=500, block=_STREAM_BLOCK_MS)
            except (redis.ConnectionError, redis.TimeoutError):
                time.sleep(0.5)
                continue
            for _, entries in result or ():
                for entry_id, fields in entries:
                    position = entry_id
                    event = fields.get("event", "")
                    if self._marker in event:
                        self.inbox.put((_ORDER, event))

    def close(self) -> None:
        self.closing.set()
        for thread in self._threads:
            thread.join(timeout=2)
        if self._pubsub is not None:
            self._pubsub.close()

    # -- the loop --------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> Outcome:
        """Deliver messages until the strategy finishes or a stop is requested; callbacks' errors propagate."""
        next_timer = self._next_timer(time.monotonic())
        while True:
            if self.strategy.finished:
                return Outcome.FINISHED
            if stop.is_set():
                return Outcome.STOPPED
            now = time.monotonic()
            if next_timer is not None and now >= next_timer:
                self.strategy.on_timer()
                next_timer = self._next_timer(now)
                continue
            wait = 0.2 if next_timer is None else max(0.0, min(0.2, next_timer - now))
            try:
                kind, payload = self.inbox.get(timeout=wait)
            except queue.Empty:
                if next_timer is None:
                    next_timer = self._next_timer(time.monotonic())
                continue
            self.dispatch(kind, payload)

    def _next_timer(self, now: float) -> float | None:
        interval = self.strategy.timer_interval
        return None if not interval else now + interval

    def dispatch(self, kind: str, payload: str) -> None:
        if kind == _ORDER:
            self._order_event(payload)
        else:
            self._market_data(payload)

    def _market_data(self, payload: str) -> None:
        try:
            message = marketdata_codec.loads(payload)
        except (ValueError, KeyError, ArithmeticError):
            log.warning("skipped a market data message that does not parse: %.200s", payload)
            return
        if isinstance(message, Quote):
            self.strategy.on_quote(message)
        elif isinstance(message, Inav):
            self.strategy.on_inav(message)
        elif isinstance(message, Trade):
            self.strategy.on_trade(message)
        elif isinstance(message, FxRate):
            self.strategy.on_fx(message)

    def _order_event(self, payload: str) -> None:
        body = json.loads(payload, parse_float=Decimal)
        if body.get("algo_id") != self.algo_id:
            return
        update = OrderUpdate.from_dict(body)
        order = update.order
        seen = self._seen.setdefault(order.id, set())
        if order.version <= self._floor.get(order.id, -1) or order.version in seen:
            return  # already delivered through the other path, or part of the rebuilt state
        seen.add(order.version)
        if update.fill is not None:
            self.on_fill(update)
        self.strategy.on_order_event(update)
