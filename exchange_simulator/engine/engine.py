"""The matching engine: accepts orders, matches them with price-time priority, keeps balances.

Not thread-safe: callers serialise access. Every public call that changes state runs to completion and
then hands its events, in order, to the subscribers.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from types import MappingProxyType

from exchange_simulator.engine.accounts import Accounts
from exchange_simulator.engine.book import BookSide, Level, OrderBook
from exchange_simulator.engine.enums import (
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from exchange_simulator.engine.errors import OrderRejected, UnknownOrder
from exchange_simulator.engine.events import (
    BalancesChanged,
    BookChanged,
    Event,
    OrderUpdated,
    TradePrinted,
    UpdateKind,
)
from exchange_simulator.engine.filters import (
    check_notional,
    check_parameters,
    check_price,
    check_quantity,
    to_decimal,
)
from exchange_simulator.engine.model import (
    ZERO,
    Balance,
    EngineOrder,
    Fill,
    SubmitResult,
    SymbolSpec,
    Trade,
)
from exchange_simulator.engine.ids import ClientIdSource
from exchange_simulator.engine.registry import OrderRegistry

logger = logging.getLogger(__name__)

_BUY = Side.BUY
_SELL = Side.SELL
_MARKET = OrderType.MARKET
_LIMIT = OrderType.LIMIT
_LIMIT_MAKER = OrderType.LIMIT_MAKER
_STP_NONE = SelfTradePrevention.NONE
_STP_EXPIRE_MAKER = SelfTradePrevention.EXPIRE_MAKER
_STP_EXPIRE_TAKER = SelfTradePrevention.EXPIRE_TAKER
_NEW = OrderStatus.NEW
_PARTIAL = OrderStatus.PARTIALLY_FILLED
_FILLED = OrderStatus.FILLED
_EXPIRED = OrderStatus.EXPIRED
_EXPIRED_IN_MATCH = OrderStatus.EXPIRED_IN_MATCH
_CANCELED = OrderStatus.CANCELED
_GTC = TimeInForce.GTC
_FOK = TimeInForce.FOK
_STOP_LOSS_TYPES = frozenset({OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT})


class UnknownSymbol(OrderRejected):
    def __init__(self, symbol: str) -> None:
        super().__init__(RejectReason.UNKNOWN_SYMBOL, f"unknown symbol {symbol!r}")


def stop_triggered(order_type: OrderType, side: Side, stop_price: Decimal, last_price: Decimal) -> bool:
    """Binance's rule: a stop-loss sells when the price falls to the stop, buys when it rises to it;
    a take-profit does the opposite."""
    falling = (side is _BUY) != (order_type in _STOP_LOSS_TYPES)
    return last_price <= stop_price if falling else last_price >= stop_price


class Engine:
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
        self._touched: list[OrderBook] = []  # books the running call changed
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
            time_in_force, ticks = self._validate(
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
        # A finished order never changes again, so it needs no copy.
        return SubmitResult(order.snapshot() if order.is_open else order, fills)

    def _validate(
        self,
        book: OrderBook,
        is_buy: bool,
        order_type: OrderType,
        is_stop: bool,
        quantity: Decimal | None,
        price: Decimal | None,
        stop_price: Decimal | None,
        quote_order_qty: Decimal | None,
        time_in_force: TimeInForce | None,
    ) -> tuple[TimeInForce | None, int]:
        """Raise OrderRejected for bad parameters or filter failures; return the effective time in force
        and the limit price in ticks."""
        spec = book.spec
        if order_type is _LIMIT and stop_price is None and quote_order_qty is None and price is not None:
            # The common case, checked without the general parameter rules.
            if quantity is None:
                raise OrderRejected(RejectReason.INVALID_ORDER, "LIMIT orders need a quantity")
            if time_in_force is None:
                time_in_force = _GTC
        else:
            time_in_force = check_parameters(order_type, quantity, price, stop_price, quote_order_qty, time_in_force)
            if stop_price is not None:
                check_price(spec, stop_price, "stop price")
        ticks = 0
        if price is not None:
            if price < spec.min_price or price > spec.max_price:
                check_price(spec, price)
            ticks, off_tick = divmod(price, spec.tick_size)
            if off_tick:
                check_price(spec, price)
            ticks = int(ticks)
        if quantity is not None and (
            quantity < spec.min_qty or quantity > spec.max_qty or quantity % spec.step_size
        ):
            check_quantity(spec, quantity)
        if order_type is _MARKET:
            if quote_order_qty is not None:
                notional = quote_order_qty
            else:
                best = book.opposite_of(is_buy).best()
                notional = quantity * best.price if best is not None else None
        else:
            notional = quantity * (price if price is not None else stop_price)
        if notional is not None and notional < spec.min_notional:
            check_notional(spec, notional)
        if order_type is _LIMIT_MAKER and _crosses(book.opposite_of(is_buy).best(), is_buy, ticks):
            raise OrderRejected(RejectReason.WOULD_TAKE, "order would immediately match and take")
        if is_stop and book.last_price is not None and stop_triggered(
            order_type, _BUY if is_buy else _SELL, stop_price, book.last_price
        ):
            raise OrderRejected(RejectReason.WOULD_TRIGGER_IMMEDIATELY, "stop price would trigger immediately")
        return time_in_force, ticks

    def cancel(
        self, account: str, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None
    ) -> EngineOrder:
        """Cancel an open order and release its locked balance; raises UnknownOrder."""
        book = self._book(symbol)
        order = self._orders.find(account, symbol, order_id, client_order_id)
        if not order.is_open:
            raise UnknownOrder("order is no longer open")
        self._cancel(book, order, self._clock())
        self._finish()
        return order.snapshot()

    def cancel_all(self, account: str, symbol: str) -> list[EngineOrder]:
        book = self._book(symbol)
        now = self._clock()
        cancelled = []
        for order in self._orders.open_orders(account, symbol):
            self._cancel(book, order, now)
            cancelled.append(order.snapshot())
        self._finish()
        return cancelled

    def get_order(
        self, account: str, symbol: str, *, order_id: int | None = None, client_order_id: str | None = None
    ) -> EngineOrder:
        self._book(symbol)
        return self._orders.find(account, symbol, order_id, client_order_id).snapshot()

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

    def _walk(
        self,
        book: OrderBook,
        account: str,
        is_buy: bool,
        stp: SelfTradePrevention,
        limit_ticks: int | None,
        max_qty: Decimal | None,
        max_quote: Decimal | None,
    ) -> tuple[Decimal, Decimal]:
        """(base, quote) an order would trade right now; mirrors `_match` without changing anything."""
        step = book.spec.step_size
        qty = quote = ZERO
        for level in book.opposite_of(is_buy).levels_best_first():
            if limit_ticks is not None and (level.ticks > limit_ticks if is_buy else level.ticks < limit_ticks):
                break
            level_price = level.price
            for maker in level.orders:
                if not maker.resting:
                    continue
                if maker.account == account and stp is not _STP_NONE:
                    if stp is _STP_EXPIRE_MAKER:
                        continue
                    return qty, quote
                take = maker.quantity - maker.executed_qty
                if max_quote is not None:
                    affordable = ((max_quote - quote) / level_price).quantize(step, ROUND_DOWN)
                    if affordable < take:
                        # Matching goes by price: once the budget cannot clear this order, nothing behind it trades.
                        return qty + affordable, quote + affordable * level_price
                elif take >= max_qty - qty:
                    take = max_qty - qty
                    return qty + take, quote + take * level_price
                qty += take
                quote += take * level_price
        return qty, quote

    def _work(self, book: OrderBook, order: EngineOrder, now: int, fills: list[Fill]) -> None:
        """Match a working order, then rest or expire what is left of it."""
        is_buy = order.side is _BUY
        limit_price = order.price
        limit_ticks = None if limit_price is None else order.ticks
        if order.time_in_force is _FOK:
            available = self._walk(
                book, order.account, is_buy, order.self_trade_prevention, limit_ticks, order.remaining, None
            )[0]
            if available < order.remaining:
                self._expire(order, _EXPIRED, now)
                return
        best = book.opposite_of(is_buy).best()
        if best is not None and (limit_ticks is None or _crosses(best, is_buy, limit_ticks)):
            self._match(book, order, is_buy, limit_ticks, now, fills)
        if order.status is _EXPIRED_IN_MATCH:
            return
        if order.executed_qty == order.quantity and order.quantity:
            self._finish_order(order, now)
        elif limit_price is None or order.time_in_force is not _GTC:
            self._expire(order, _EXPIRED, now)
        else:
            level = book.side_of(is_buy).add(order)
            self._touch(book, is_buy, level)
            if is_buy and order.executed_qty:
                # A buy that traded below its limit no longer needs all the quote it locked.
                self._release(order, order.locked - (order.quantity - order.executed_qty) * limit_price)

    def _match(
        self,
        book: OrderBook,
        taker: EngineOrder,
        is_buy: bool,
        limit_ticks: int | None,
        now: int,
        fills: list[Fill],
    ) -> None:
        """Trade `taker` against the opposite side while prices cross and it has quantity left."""
        opposite = book.opposite_of(is_buy)
        step = book.spec.step_size
        account = taker.account
        stp = taker.self_trade_prevention
        is_market = limit_ticks is None
        while taker.executed_qty < taker.quantity:
            level = opposite.best()
            if level is None:
                return
            if not is_market and (level.ticks > limit_ticks if is_buy else level.ticks < limit_ticks):
                return
            price = level.price
            maker = level.head()
            if maker.account == account and stp is not _STP_NONE:
                if stp is not _STP_EXPIRE_TAKER:
                    self._take_off(book, opposite, maker, now)
                    self._expire(maker, _EXPIRED_IN_MATCH, now)
                if stp is not _STP_EXPIRE_MAKER:
                    self._expire(taker, _EXPIRED_IN_MATCH, now)
                    return
                continue
            qty = maker.quantity - maker.executed_qty
            wanted = taker.quantity - taker.executed_qty
            if wanted < qty:
                qty = wanted
            if is_market:
                # A market order may only spend what it locked (the book can change while a stop waits).
                affordable = (taker.locked / price).quantize(step, ROUND_DOWN) if is_buy else taker.locked
                if affordable < qty:
                    if affordable <= 0:
                        return
                    qty = affordable
            self._trade(book, opposite, level, taker, maker, is_buy, price, qty, now, fills)

    def _trade(
        self,
        book: OrderBook,
        opposite: BookSide,
        level: Level,
        taker: EngineOrder,
        maker: EngineOrder,
        taker_buys: bool,
        price: Decimal,
        qty: Decimal,
        now: int,
        fills: list[Fill],
    ) -> None:
        spec = book.spec
        quote_qty = price * qty
        trade_id = book.trade_seq = book.trade_seq + 1
        book.last_price = price
        if taker_buys:
            buyer, seller = taker, maker
            buyer_fee, seller_fee = spec.taker_fee, spec.maker_fee
        else:
            buyer, seller = maker, taker
            buyer_fee, seller_fee = spec.maker_fee, spec.taker_fee
        buyer_commission = qty * buyer_fee
        seller_commission = quote_qty * seller_fee

        accounts = self._accounts
        base, quote = spec.base_asset, spec.quote_asset
        holding = accounts.holding(buyer.account, quote)
        holding.locked -= quote_qty
        holding = accounts.holding(buyer.account, base)
        holding.free += qty - buyer_commission
        holding = accounts.holding(seller.account, base)
        holding.locked -= qty
        holding = accounts.holding(seller.account, quote)
        holding.free += quote_qty - seller_commission
        if accounts.tracking:
            dirty = accounts.dirty
            dirty.add((buyer.account, quote))
            dirty.add((buyer.account, base))
            dirty.add((seller.account, base))
            dirty.add((seller.account, quote))
        buyer.locked -= quote_qty
        seller.locked -= qty

        for order in (maker, taker):
            order.executed_qty += qty
            order.cummulative_quote_qty += quote_qty
            order.updated_ms = now
            order.status = _FILLED if order.executed_qty == order.quantity else _PARTIAL

        level.qty -= qty
        self._touch(book, not taker_buys, level)
        if maker.status is _FILLED:
            opposite.remove(maker)
            self._finish_order(maker, now)

        taker_commission = buyer_commission if taker_buys else seller_commission
        fills.append(
            Fill(
                trade_id, taker.order_id, taker.account, spec.symbol, taker.side, price, qty, quote_qty,
                taker_commission, base if taker_buys else quote, False, now,
            )
        )
        if self._listeners:
            self._events.append(
                TradePrinted(
                    Trade(trade_id, spec.symbol, price, qty, buyer.order_id, seller.order_id, not taker_buys, now)
                )
            )
            maker_fill = Fill(
                trade_id, maker.order_id, maker.account, spec.symbol, maker.side, price, qty, quote_qty,
                seller_commission if taker_buys else buyer_commission, quote if taker_buys else base, True, now,
            )
            self._emit_order(maker, maker_fill, "TRADE")
            self._emit_order(taker, fills[-1], "TRADE")

    def _run_stops(self, book: OrderBook, now: int) -> None:
        """Trigger, oldest first, every waiting stop whose price the last trade reached, until none is left."""
        while book.stops and book.last_price is not None:
            last = book.last_price
            triggered = next(
                (o for o in book.stops.values() if stop_triggered(o.type, o.side, o.stop_price, last)), None
            )
            if triggered is None:
                return
            del book.stops[triggered.order_id]
            self._trigger(book, triggered, now)

    def _trigger(self, book: OrderBook, order: EngineOrder, now: int) -> None:
        order.is_working = True
        order.working_ms = now
        order.updated_ms = now
        if order.price is None and order.side is _BUY:
            # It locked quantity x stop price while waiting; as a market order it needs what the book asks now.
            self._release(order, order.locked)
            needed = self._walk(book, order.account, True, order.self_trade_prevention, None, order.quantity, None)[1]
            free = self._accounts.free(order.account, book.spec.quote_asset)
            lock = min(needed, free)
            self._accounts.lock(order.account, book.spec.quote_asset, lock)
            order.locked = lock
        if self._listeners:
            self._emit_order(order, None, "TRIGGERED")
        self._work(book, order, now, [])

    def _cancel(self, book: OrderBook, order: EngineOrder, now: int) -> None:
        if order.resting:
            self._take_off(book, book.side_of(order.side is _BUY), order, now)
        else:
            book.stops.pop(order.order_id, None)
        order.status = _CANCELED
        self._end(order, now, "CANCELED")

    def _take_off(self, book: OrderBook, side: BookSide, order: EngineOrder, now: int) -> None:
        level = side.remove(order)
        self._touch(book, side.is_bid, level)

    def _expire(self, order: EngineOrder, status: OrderStatus, now: int) -> None:
        order.status = status
        self._end(order, now, "EXPIRED")

    def _finish_order(self, order: EngineOrder, now: int) -> None:
        """A completely filled order leaves the open set; its last TRADE update already said FILLED."""
        order.updated_ms = now
        self._release(order, order.locked)
        self._orders.close(order)

    def _end(self, order: EngineOrder, now: int, kind: UpdateKind) -> None:
        order.updated_ms = now
        self._release(order, order.locked)
        self._orders.close(order)
        if self._listeners:
            self._emit_order(order, None, kind)

    def _release(self, order: EngineOrder, amount: Decimal) -> None:
        if amount:
            spec = self._specs[order.symbol]
            asset = spec.quote_asset if order.side is _BUY else spec.base_asset
            self._accounts.unlock(order.account, asset, amount)
            order.locked -= amount

    def _touch(self, book: OrderBook, is_bid: bool, level: Level) -> None:
        if not book.touched:
            book.touched = True
            self._touched.append(book)
        if self._listeners:
            (book.touched_bids if is_bid else book.touched_asks)[level.ticks] = level.price

    def _emit_order(self, order: EngineOrder, fill: Fill | None, kind: UpdateKind) -> None:
        self._events.append(OrderUpdated(order.snapshot(), fill, kind))

    def _finish(self) -> None:
        """Close the running call: bump update ids and deliver its events."""
        listeners = self._listeners
        book_events = []
        if self._touched:
            for book in self._touched:
                book.update_id += 1
                book.touched = False
                if listeners:
                    book_events.append(_book_changed(book))
            self._touched.clear()
        if not listeners:
            return
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


def _crosses(best: Level | None, is_buy: bool, ticks: int) -> bool:
    if best is None:
        return False
    return best.ticks <= ticks if is_buy else best.ticks >= ticks
