"""The matching engine: accepts orders, matches them with price-time priority, keeps balances.

Not thread-safe: callers serialise access. Every public call that changes state runs to completion and
then hands its events, in order, to the subscribers.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from exchange_simulator.engine.accounts import Accounts
from exchange_simulator.engine.book import OrderBook
from exchange_simulator.engine.enums import (
    TERMINAL_STATUSES,
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from exchange_simulator.engine.errors import OrderRejected, UnknownOrder, UnknownSymbol
from exchange_simulator.engine.events import BalancesChanged, BookChanged, Event
from exchange_simulator.engine.filters import to_decimal, validate_order
from exchange_simulator.engine.ids import ClientIdSource
from exchange_simulator.engine.matching import Matcher
from exchange_simulator.engine.model import (
    ZERO,
    Balance,
    EngineOrder,
    Fill,
    SubmitResult,
    SymbolSpec,
    new_submit_result,
)
from exchange_simulator.engine.registry import OrderRegistry

logger = logging.getLogger(__name__)

_BUY = Side.BUY
_MARKET = OrderType.MARKET
_LIMIT = OrderType.LIMIT
_LIMIT_MAKER = OrderType.LIMIT_MAKER
_NEW = OrderStatus.NEW
_CANCELED = OrderStatus.CANCELED


class Engine(Matcher):
    def __init__(
        self,
        symbols: Iterable[SymbolSpec],
        clock: Callable[[], int],
        *,
        id_seed: int | None = None,
        history_limit: int = 100_000,
    ) -> None:
        self._clock = clock
        self._specs: dict[str, SymbolSpec] = {}
        self.symbols: Mapping[str, SymbolSpec] = MappingProxyType(self._specs)
        self._books: dict[str, OrderBook] = {}
        self._accounts = Accounts()
        self._orders = OrderRegistry(history_limit)
        self._listeners: list[Callable[[Event], None]] = []
        self._events: list[Event] = []
        self._call = 0  # numbers the state-changing calls, so a book counts one update per call
        self._touched: list[OrderBook] = []  # books the running call changed (kept only for subscribers)
        self._next_order_id = 1
        self._client_ids = ClientIdSource(id_seed)
        for spec in symbols:
            self.add_symbol(spec)

    # ----------------------------------------------------------------- set-up

    def add_symbol(self, spec: SymbolSpec) -> None:
        if spec.symbol in self._books:
            raise ValueError(f"symbol {spec.symbol} is already listed")
        self._specs[spec.symbol] = spec
        self._books[spec.symbol] = OrderBook(spec)

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.append(listener)
        self._accounts.tracking = True

    # ---------------------------------------------------------------- accounts

    def deposit(self, account: str, asset: str, amount: Decimal) -> None:
        """Credit (or, with a negative amount, withdraw from) an account's free balance."""
        self._accounts.deposit(account, asset, to_decimal(amount, "amount"))
        self._finish()

    def balances(self, account: str) -> dict[str, Balance]:
        return self._accounts.balances(account)

    # ------------------------------------------------------------------ orders

    def submit(
        self,
        account: str,
        symbol: str,
        side: Side,
        type: OrderType,  # noqa: A002 - the contract's name
        *,
        quantity: Decimal | None = None,
        price: Decimal | None = None,
        time_in_force: TimeInForce | None = None,
        stop_price: Decimal | None = None,
        quote_order_qty: Decimal | None = None,
        client_order_id: str | None = None,
        self_trade_prevention: SelfTradePrevention = SelfTradePrevention.EXPIRE_MAKER,
    ) -> SubmitResult:
        """Validate, lock balance, match and rest or expire the remainder; raises OrderRejected."""
        book = self._books.get(symbol)
        if book is None:
            raise UnknownSymbol(symbol)
        # Dialects pass enums and Decimals; plain strings and numbers are accepted too.
        if side.__class__ is not Side:
            side = Side(side)
        if type.__class__ is not OrderType:
            type = OrderType(type)  # noqa: A001
        if self_trade_prevention.__class__ is not SelfTradePrevention:
            self_trade_prevention = SelfTradePrevention(self_trade_prevention)
        if time_in_force is not None and time_in_force.__class__ is not TimeInForce:
            time_in_force = TimeInForce(time_in_force)
        if quantity is not None and quantity.__class__ is not Decimal:
            quantity = to_decimal(quantity, "quantity")
        if price is not None and price.__class__ is not Decimal:
            price = to_decimal(price, "price")
        if stop_price is not None and stop_price.__class__ is not Decimal:
            stop_price = to_decimal(stop_price, "stop_price")
        if quote_order_qty is not None and quote_order_qty.__class__ is not Decimal:
            quote_order_qty = to_decimal(quote_order_qty, "quote_order_qty")
        is_buy = side is _BUY
        is_stop = type is not _LIMIT and type is not _MARKET and type is not _LIMIT_MAKER
        try:
            time_in_force, ticks = validate_order(
                book, is_buy, type, is_stop, quantity, price, stop_price, quote_order_qty, time_in_force
            )
        except InvalidOperation:  # a NaN compared with a filter bound
            raise OrderRejected(RejectReason.INVALID_ORDER, "order parameters must be finite numbers") from None
        if client_order_id is None:
            client_order_id = self._client_ids.next()
        elif self._orders.has_open_client_id(account, client_order_id):
            raise OrderRejected(
                RejectReason.DUPLICATE_CLIENT_ORDER_ID, f"client order id {client_order_id!r} is already in use"
            )
        spec = book.spec

        if quote_order_qty is not None:
            # Spend the budget on what the book offers now; from here on it is a plain quantity order.
            quantity, cost = self._walk(book, account, is_buy, self_trade_prevention, None, None, quote_order_qty)
            lock = cost if is_buy else quantity
        elif not is_buy:
            lock = quantity
        elif type is _MARKET:
            lock = self._walk(book, account, True, self_trade_prevention, None, quantity, None)[1]
        else:
            lock = quantity * (price if price is not None else stop_price)
        if not self._accounts.lock(account, spec.quote_asset if is_buy else spec.base_asset, lock):
            raise OrderRejected(
                RejectReason.INSUFFICIENT_BALANCE, "account has insufficient balance for requested action"
            )

        # Accepted: nothing below may reject.
        now = self._clock()
        order_id = self._next_order_id
        self._next_order_id = order_id + 1
        order = EngineOrder(
            order_id,
            client_order_id,
            account,
            symbol,
            side,
            type,
            time_in_force,
            quantity,
            price,
            stop_price,
            quote_order_qty,
            _NEW,
            ZERO,
            ZERO,
            now,
            now,
            None if is_stop else now,
            not is_stop,
            self_trade_prevention,
            lock,
            False,
            ticks,
        )
        self._orders.add(order)
        if self._listeners:
            self._emit_order(order, None, "NEW")
        fills: list[Fill] = []
        if is_stop:
            book.stops[order_id] = order
        else:
            self._work(book, order, now, fills)
            if book.stops:
                self._run_stops(book, now)
        self._finish()
        return new_submit_result(order.view(), fills)

    def cancel(
        self, account: str, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None
    ) -> EngineOrder:
        """Cancel an open order and release its locked balance; raises UnknownOrder."""
        book = self._books.get(symbol)
        if book is None:
            raise UnknownSymbol(symbol)
        order = self._orders.find(account, symbol, order_id, client_order_id)
        if order.status in TERMINAL_STATUSES:
            raise UnknownOrder("order is no longer open")
        self._cancel(book, order, self._clock())
        self._finish()
        return order  # final now, so the engine never changes it again (see EngineOrder.view)

    def cancel_all(self, account: str, symbol: str) -> list[EngineOrder]:
        book = self._book(symbol)
        now = self._clock()
        cancelled = []
        for order in self._orders.open_orders(account, symbol):
            self._cancel(book, order, now)
            cancelled.append(order.view())
        self._finish()
        return cancelled

    def get_order(
        self, account: str, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None
    ) -> EngineOrder:
        self._book(symbol)
        return self._orders.find(account, symbol, order_id, client_order_id).view()

    def open_orders(self, account: str, symbol: str | None = None) -> list[EngineOrder]:
        if symbol is not None:
            self._book(symbol)
        return [order.snapshot() for order in self._orders.open_orders(account, symbol)]

    # ------------------------------------------------------------- market data

    def depth(
        self, symbol: str, limit: int = 100
    ) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        book = self._book(symbol)
        return book.bids.depth(limit), book.asks.depth(limit)

    def best_bid_ask(
        self, symbol: str
    ) -> tuple[tuple[Decimal, Decimal] | None, tuple[Decimal, Decimal] | None]:
        book = self._book(symbol)
        bid, ask = book.bids.best(), book.asks.best()
        return (
            (bid.price, bid.qty) if bid is not None else None,
            (ask.price, ask.qty) if ask is not None else None,
        )

    def last_trade_price(self, symbol: str) -> Decimal | None:
        return self._book(symbol).last_price

    def update_id(self, symbol: str) -> int:
        return self._book(symbol).update_id

    # --------------------------------------------------------------- internals

    def _book(self, symbol: str) -> OrderBook:
        book = self._books.get(symbol)
        if book is None:
            raise UnknownSymbol(symbol)
        return book

    def _cancel(self, book: OrderBook, order: EngineOrder, now: int) -> None:
        if order.resting:
            is_bid = order.side is _BUY
            self._touch(book, is_bid, (book.bids if is_bid else book.asks).remove(order))
        else:
            book.stops.pop(order.order_id, None)
        order.status = _CANCELED
        self._end(order, now, "CANCELED")

    def _finish(self) -> None:
        """Close the running call and deliver its events."""
        self._call += 1
        listeners = self._listeners
        if not listeners:
            return
        book_events = [_book_changed(book) for book in self._touched]
        self._touched.clear()
        events = self._events
        self._events = []
        events.extend(BalancesChanged(a, b) for a, b in self._accounts.take_dirty().items())
        events.extend(book_events)
        for event in events:
            for listener in listeners:
                try:
                    listener(event)
                except Exception:  # one faulty subscriber must not starve the others
                    logger.exception("engine event listener failed on %s", type(event).__name__)


def _book_changed(book: OrderBook) -> BookChanged:
    """The event for a book the running call changed, with the new totals of the levels it touched."""
    bids, asks = book.bids, book.asks
    event = BookChanged(
        book.spec.symbol,
        book.update_id,
        tuple((book.touched_bids[t], bids.total_at(t)) for t in sorted(book.touched_bids, reverse=True)),
        tuple((book.touched_asks[t], asks.total_at(t)) for t in sorted(book.touched_asks)),
    )
    book.touched_bids.clear()
    book.touched_asks.clear()
    return event
