"""Turns batches of engine events into Binance stream payloads and publishes them to websocket topics."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable

from exchange_simulator.binance import serialise
from exchange_simulator.engine import (
    BalancesChanged,
    BookChanged,
    Engine,
    OrderUpdated,
    TradePrinted,
)
from exchange_simulator.fanout import Hub

PARTIAL_DEPTH_LEVELS = (5, 10, 20)
_STREAM_RE = re.compile(r"^([a-z0-9]+)@(trade|bookTicker|depth(?:5|10|20)?)(@100ms|@1000ms)?$")


@dataclass(frozen=True)
class StreamName:
    symbol: str          # venue symbol, upper case
    kind: str            # trade | bookTicker | depth | depth5 | depth10 | depth20

    @property
    def topic(self) -> str:
        # Update-speed suffixes share one topic: every change is pushed as it happens.
        return f"{self.symbol.lower()}@{self.kind}"


def parse_stream(name: str, symbols: Iterable[str]) -> StreamName | None:
    """A market stream name such as ``btcusdt@depth@100ms``; None when malformed or for an unknown symbol."""
    match = _STREAM_RE.match(name)
    if not match or (match.group(3) and match.group(2) in ("trade", "bookTicker")):
        return None
    symbol = match.group(1).upper()
    return StreamName(symbol, match.group(2)) if symbol in symbols else None


def user_topic(account: str) -> str:
    return f"user:{account}"


class StreamPublisher:
    """Batch listener of the venue; runs under the engine lock, so it only builds dicts and enqueues."""

    def __init__(self, engine: Engine, hub: Hub, clock: Callable[[], int]):
        self._engine = engine
        self._hub = hub
        self._clock = clock
        self._last_update_id = {s: engine.update_id(s) for s in engine.symbols}
        self._last_top: dict[str, tuple] = {}
        # order id -> client id of the cancel request, so the CANCELED report carries both ids
        self.cancel_ids: dict[int, str] = {}

    def on_batch(self, events: list[Any]) -> None:
        now = self._clock()
        book_changes: dict[str, list[BookChanged]] = {}
        balances: dict[str, dict] = {}
        for event in events:
            if isinstance(event, OrderUpdated):
                self._order_updated(event, now)
            elif isinstance(event, TradePrinted):
                self._trade(event, now)
            elif isinstance(event, BookChanged):
                book_changes.setdefault(event.symbol, []).append(event)
            elif isinstance(event, BalancesChanged):
                balances.setdefault(event.account, {}).update(event.balances)
        for account, changed in balances.items():
            topic = user_topic(account)
            if self._hub.has_subscribers(topic):
                self._hub.publish(topic, serialise.account_position(changed, now))
        for symbol, changes in book_changes.items():
            self._book_changed(symbol, changes, now)

    def _order_updated(self, event: OrderUpdated, now: int) -> None:
        order = event.order
        cancel_id = self.cancel_ids.pop(order.order_id, None) if event.kind == "CANCELED" else None
        topic = user_topic(order.account)
        if self._hub.has_subscribers(topic):
            report = serialise.execution_report(order, event.fill, event.kind, now, cancel_id,
                                                order.self_trade_prevention)
            self._hub.publish(topic, report)

    def _trade(self, event: TradePrinted, now: int) -> None:
        topic = f"{event.trade.symbol.lower()}@trade"
        if self._hub.has_subscribers(topic):
            self._hub.publish(topic, serialise.trade_event(event.trade, now))

    def _book_changed(self, symbol: str, changes: list[BookChanged], now: int) -> None:
        prefix = symbol.lower()
        first_id = self._last_update_id.get(symbol, changes[0].update_id - 1) + 1
        last_id = max(self._engine.update_id(symbol), max(c.update_id for c in changes))
        self._last_update_id[symbol] = last_id

        depth_topic = f"{prefix}@depth"
        if self._hub.has_subscribers(depth_topic):
            bids: dict[Decimal, Decimal] = {}
            asks: dict[Decimal, Decimal] = {}
            for change in changes:
                bids.update(change.bids)
                asks.update(change.asks)
            payload = serialise.depth_update_event(
                symbol, first_id, last_id,
                serialise.levels(sorted(bids.items(), reverse=True)), serialise.levels(sorted(asks.items())), now,
            )
            self._hub.publish(depth_topic, payload)

        for n in PARTIAL_DEPTH_LEVELS:
            topic = f"{prefix}@depth{n}"
            if self._hub.has_subscribers(topic):
                bid_rows, ask_rows = self._engine.depth(symbol, n)
                self._hub.publish(topic, {"lastUpdateId": last_id, "bids": serialise.levels(bid_rows),
                                          "asks": serialise.levels(ask_rows)})

        bid, ask = self._engine.best_bid_ask(symbol)
        if self._last_top.get(symbol) != (bid, ask):
            self._last_top[symbol] = (bid, ask)
            topic = f"{prefix}@bookTicker"
            if self._hub.has_subscribers(topic):
                self._hub.publish(topic, serialise.book_ticker_event(symbol, last_id, bid, ask))
