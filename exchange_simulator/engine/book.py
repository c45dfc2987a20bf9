"""Price-time priority order book of one symbol.

Each side keeps a dict price -> Level and a `bisect`-sorted list of its prices, both keyed by the price
in whole ticks (integers hash and compare far faster than Decimals). A level is a FIFO deque;
cancelled orders are only flagged (``order.resting = False``) and skipped when they reach the head, so a
cancel costs O(1) apart from dropping a level that became empty.
"""
from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterator
from decimal import Decimal

from exchange_simulator.engine.model import ZERO, EngineOrder, SymbolSpec


class Level:
    __slots__ = ("price", "ticks", "orders", "qty", "live")

    def __init__(self, price: Decimal, ticks: int) -> None:
        self.price = price
        self.ticks = ticks
        self.orders: deque[EngineOrder] = deque()
        self.qty = ZERO  # total remaining quantity of the live orders
        self.live = 0

    def head(self) -> EngineOrder | None:
        """First live order in the queue, discarding cancelled ones in front of it."""
        orders = self.orders
        while orders:
            order = orders[0]
            if order.resting:
                return order
            orders.popleft()
        return None

    def live_orders(self) -> Iterator[EngineOrder]:
        return (order for order in self.orders if order.resting)


class BookSide:
    __slots__ = ("is_bid", "levels", "prices")

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.levels: dict[int, Level] = {}
        self.prices: list[int] = []  # ticks, ascending; the best bid is the last, the best ask the first

    def best(self) -> Level | None:
        prices = self.prices
        if not prices:
            return None
        return self.levels[prices[-1] if self.is_bid else prices[0]]

    def levels_best_first(self) -> Iterator[Level]:
        prices = reversed(self.prices) if self.is_bid else iter(self.prices)
        levels = self.levels
        return (levels[p] for p in prices)

    def add(self, order: EngineOrder) -> Level:
        ticks = order.ticks
        level = self.levels.get(ticks)
        if level is None:
            level = self.levels[ticks] = Level(order.price, ticks)
            insort(self.prices, ticks)
        level.orders.append(order)
        level.qty += order.quantity - order.executed_qty
        level.live += 1
        order.resting = True
        return level

    def remove(self, order: EngineOrder) -> Level:
        """Take a resting order off the book (cancel, expiry or complete fill)."""
        level = self.levels[order.ticks]
        order.resting = False
        level.live -= 1
        if level.live == 0:
            self.drop(level)
        else:
            level.qty -= order.quantity - order.executed_qty
            # Lazily-deleted entries pile up under churn at one price; compact once they dominate.
            if len(level.orders) > 2 * level.live + 32:
                level.orders = deque(level.live_orders())
        return level

    def drop(self, level: Level) -> None:
        level.qty = ZERO
        level.live = 0
        del self.levels[level.ticks]
        prices = self.prices
        del prices[bisect_left(prices, level.ticks)]

    def depth(self, limit: int) -> list[tuple[Decimal, Decimal]]:
        out = []
        for level in self.levels_best_first():
            if len(out) >= limit:
                break
            out.append((level.price, level.qty))
        return out

    def total_at(self, ticks: int) -> Decimal:
        level = self.levels.get(ticks)
        return level.qty if level is not None else ZERO


class OrderBook:
    """Both sides of one symbol plus its trade sequence, last price and waiting stop orders."""

    __slots__ = (
        "spec", "bids", "asks", "last_price", "trade_seq", "update_id", "stops",
        "touched_in", "touched_bids", "touched_asks",
    )

    def __init__(self, spec: SymbolSpec) -> None:
        self.spec = spec
        self.bids = BookSide(is_bid=True)
        self.asks = BookSide(is_bid=False)
        self.last_price: Decimal | None = None
        self.trade_seq = 0
        self.update_id = 0
        self.stops: dict[int, EngineOrder] = {}  # untriggered stop orders by order id (submit order)
        # The engine call that last changed this book, and the price levels (ticks -> price) it changed.
        self.touched_in = -1
        self.touched_bids: dict[int, Decimal] = {}
        self.touched_asks: dict[int, Decimal] = {}

    def side_of(self, is_buy: bool) -> BookSide:
        """The side an order of that direction rests on."""
        return self.bids if is_buy else self.asks

    def opposite_of(self, is_buy: bool) -> BookSide:
        """The side an order of that direction trades against."""
        return self.asks if is_buy else self.bids
