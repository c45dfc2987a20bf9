"""Books the futures accounts' fills into the ledger and remembers them (and each order's futures terms)."""
from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import Any

from exchange_simulator.binance_futures.ledger import Booking, Exposure, Ledger
from exchange_simulator.binance_futures.model import BookedFill, OrderTerms
from exchange_simulator.engine import Engine, EngineOrder, OrderUpdated, Side
from exchange_simulator.market import SyntheticMarket

HISTORY_PER_ACCOUNT = 100_000


class Bookkeeper:
    """Batch listener of the futures venue; runs (and must be read) under the venue's lock.

    Added before the stream publisher, so a fill is booked before it is reported.
    """

    def __init__(self, ledger: Ledger, engine: Engine, market: SyntheticMarket) -> None:
        self.ledger = ledger
        self._engine = engine
        self._market = market
        self.terms: dict[int, OrderTerms] = {}
        self._bookings: dict[tuple[int, int], Booking] = {}
        self._fills: dict[str, deque[BookedFill]] = {}

    def on_batch(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, OrderUpdated) and event.fill is not None and event.fill.account in self.ledger:
                fill = event.fill
                booking = self.ledger.book_fill(fill.account, fill.symbol, fill.side is Side.BUY, fill.qty,
                                                fill.price, fill.is_maker, fill.time_ms)
                self._bookings[(fill.order_id, fill.trade_id)] = booking
                self._fills.setdefault(fill.account, deque(maxlen=HISTORY_PER_ACCOUNT)).append(
                    BookedFill(fill, booking))

    def terms_of(self, order: EngineOrder) -> OrderTerms:
        return self.terms.get(order.order_id) or OrderTerms("GTC")

    def booking(self, order_id: int, trade_id: int) -> Booking | None:
        return self._bookings.get((order_id, trade_id))

    def fills(self, account: str, symbol: str, *, order_id: int | None = None, from_id: int | None = None,
              start_ms: int | None = None, end_ms: int | None = None, limit: int = 500) -> list[BookedFill]:
        """Matching fills in trade-id order: from ``from_id`` on, or else the most recent ``limit``."""
        rows = [
            r for r in self._fills.get(account, ())
            if r.fill.symbol == symbol
            and (order_id is None or r.fill.order_id == order_id)
            and (from_id is None or r.fill.trade_id >= from_id)
            and (start_ms is None or r.fill.time_ms >= start_ms)
            and (end_ms is None or r.fill.time_ms <= end_ms)
        ]
        rows.sort(key=lambda r: r.fill.trade_id)
        return rows[:limit] if from_id is not None else rows[-limit:]

    # -- margin inputs -----------------------------------------------------------------------------

    def marks(self) -> dict[str, Decimal]:
        """Mark price per symbol: the synthetic market's mid, which follows Binance spot."""
        return {symbol: self._market.mid(symbol) for symbol in self._market.symbols}

    def exposures(self, account: str) -> list[Exposure]:
        """The unfilled part of every open order of the account."""
        marks = self.marks()
        return [
            Exposure(o.symbol, o.side is Side.BUY, o.remaining, o.price if o.price is not None else marks[o.symbol])
            for o in self._engine.open_orders(account)
        ]

    def open_notional(self, account: str, symbol: str) -> tuple[Decimal, Decimal]:
        """Notional of the account's open buy and sell orders on a symbol (the stream's b and a)."""
        bids = asks = Decimal(0)
        for order in self._engine.open_orders(account, symbol):
            notional = order.remaining * (order.price or Decimal(0))
            if order.side is Side.BUY:
                bids += notional
            else:
                asks += notional
        return bids, asks
