"""USD-M stream payloads from batches of engine events: user data, bookTicker, aggTrade and markPrice."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable

from exchange_simulator.binance.streams import user_topic
from exchange_simulator.binance_futures import serialise
from exchange_simulator.binance_futures.bookkeeping import Bookkeeper
from exchange_simulator.binance_futures.contracts import Contract
from exchange_simulator.engine import BookChanged, Engine, OrderUpdated, TradePrinted
from exchange_simulator.fanout import Hub

_STREAM_RE = re.compile(r"^([a-z0-9]+)@(bookTicker|aggTrade|markPrice)(@1s)?$")


@dataclass(frozen=True)
class StreamName:
    symbol: str
    kind: str  # bookTicker | aggTrade | markPrice

    @property
    def topic(self) -> str:
        # markPrice and markPrice@1s share a topic: the simulator pushes the mark whenever it moves.
        return f"{self.symbol.lower()}@{self.kind}"


def parse_stream(name: str, symbols: Iterable[str]) -> StreamName | None:
    match = _STREAM_RE.match(name)
    if not match or (match.group(3) and match.group(2) != "markPrice"):
        return None
    symbol = match.group(1).upper()
    return StreamName(symbol, match.group(2)) if symbol in symbols else None


class FuturesStreamPublisher:
    """Batch listener; runs under the engine lock after the bookkeeper, so it only builds dicts and enqueues."""

    def __init__(self, engine: Engine, hub: Hub, bookkeeper: Bookkeeper, contracts: dict[str, Contract],
                 index: Callable[[str], Decimal], clock: Callable[[], int]) -> None:
        self._engine = engine
        self._hub = hub
        self._books = bookkeeper
        self._contracts = contracts
        self._index = index
        self._clock = clock
        self._last_top: dict[str, tuple] = {}
        self._last_mark: dict[str, Decimal] = {}

    def on_batch(self, events: list[Any]) -> None:
        now = self._clock()
        traded: dict[str, set[str]] = {}
        touched: set[str] = set()
        for event in events:
            if isinstance(event, OrderUpdated):
                if event.order.account in self._books.ledger:
                    self._order_updated(event, now)
                    if event.fill is not None:
                        traded.setdefault(event.order.account, set()).add(event.order.symbol)
            elif isinstance(event, TradePrinted):
                self._publish(f"{event.trade.symbol.lower()}@aggTrade",
                              lambda e=event: serialise.agg_trade_event(self._contracts[e.trade.symbol], e.trade, now))
            elif isinstance(event, BookChanged):
                touched.add(event.symbol)
        for account, symbols in traded.items():
            self._account_update(account, symbols, now)
        for symbol in touched:
            self._book_ticker(symbol, now)
            self._mark_price(symbol, now)

    def _publish(self, topic: str, build: Callable[[], dict]) -> None:
        if self._hub.has_subscribers(topic):
            self._hub.publish(topic, build())

    def _order_updated(self, event: OrderUpdated, now: int) -> None:
        order, fill = event.order, event.fill
        booking = self._books.booking(order.order_id, fill.trade_id) if fill else None
        self._publish(user_topic(order.account), lambda: serialise.order_trade_update(
            order, self._books.terms_of(order), self._contracts[order.symbol], fill, booking, event.kind, now,
            self._books.open_notional(order.account, order.symbol)))

    def _account_update(self, account: str, symbols: set[str], now: int) -> None:
        marks = self._books.marks()

        def build() -> dict:
            rows = [(self._contracts[s], self._books.ledger.position(account, s), marks[s]) for s in sorted(symbols)]
            return serialise.account_update(self._books.ledger.account(account).wallet, rows, now)

        self._publish(user_topic(account), build)

    def _book_ticker(self, symbol: str, now: int) -> None:
        bid, ask = self._engine.best_bid_ask(symbol)
        if self._last_top.get(symbol) == (bid, ask):
            return
        self._last_top[symbol] = (bid, ask)
        self._publish(f"{symbol.lower()}@bookTicker", lambda: serialise.book_ticker_event(
            self._contracts[symbol], self._engine.update_id(symbol), bid, ask, now))

    def _mark_price(self, symbol: str, now: int) -> None:
        mark = self._books.marks().get(symbol)
        if mark is None or self._last_mark.get(symbol) == mark:
            return
        self._last_mark[symbol] = mark
        self._publish(f"{symbol.lower()}@markPrice", lambda: serialise.mark_price_event(
            self._contracts[symbol], mark, self._index(symbol), now))
