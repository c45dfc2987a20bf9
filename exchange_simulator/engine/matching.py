"""The matching core: walks the opposite side with price-time priority, books trades and their balance
moves, rests or expires what is left, and triggers stop orders."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from exchange_simulator.engine.accounts import Accounts
from exchange_simulator.engine.book import BookSide, Level, OrderBook
from exchange_simulator.engine.enums import OrderStatus, SelfTradePrevention, Side, TimeInForce
from exchange_simulator.engine.events import Event, UpdateKind, new_order_updated, new_trade_printed
from exchange_simulator.engine.model import ZERO, EngineOrder, Fill, SymbolSpec, new_fill, new_trade
from exchange_simulator.engine.registry import OrderRegistry
from exchange_simulator.engine.rules import stop_triggered

_BUY = Side.BUY
_STP_NONE = SelfTradePrevention.NONE
_STP_EXPIRE_MAKER = SelfTradePrevention.EXPIRE_MAKER
_STP_EXPIRE_TAKER = SelfTradePrevention.EXPIRE_TAKER
_PARTIAL = OrderStatus.PARTIALLY_FILLED
_FILLED = OrderStatus.FILLED
_EXPIRED = OrderStatus.EXPIRED
_EXPIRED_IN_MATCH = OrderStatus.EXPIRED_IN_MATCH
_GTC = TimeInForce.GTC
_FOK = TimeInForce.FOK


class Matcher:
    """Order execution shared by every entry point of the Engine (submit, stop triggers, cancels)."""

    _specs: dict[str, SymbolSpec]
    _accounts: Accounts
    _orders: OrderRegistry
    _listeners: list
    _events: list[Event]
    _touched: list[OrderBook]
    _call: int

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
        # Most orders rest without trading: compare with the best opposite price in ticks before anything else.
        prices = (book.asks if is_buy else book.bids).prices
        if prices and (limit_ticks is None or (prices[0] <= limit_ticks if is_buy else prices[-1] >= limit_ticks)):
            self._match(book, order, is_buy, limit_ticks, now, fills)
            if order.status is _EXPIRED_IN_MATCH:
                return
        if order.executed_qty == order.quantity and order.quantity:
            self._finish_order(order, now)
        elif limit_price is None or order.time_in_force is not _GTC:
            self._expire(order, _EXPIRED, now)
        else:
            level = (book.bids if is_buy else book.asks).add(order)
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
        levels, prices = opposite.levels, opposite.prices
        while taker.executed_qty < taker.quantity:
            if not prices:
                return
            level = levels[prices[0] if is_buy else prices[-1]]
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
        buyer_assets = accounts.assets(buyer.account)
        seller_assets = accounts.assets(seller.account)
        # Both sides locked what they pay before they could trade, so those holdings exist.
        buyer_assets[quote].locked -= quote_qty
        holding = buyer_assets.get(base) or accounts.holding(buyer.account, base)
        holding.free += qty - buyer_commission
        seller_assets[base].locked -= qty
        holding = seller_assets.get(quote) or accounts.holding(seller.account, quote)
        holding.free += quote_qty - seller_commission
        if accounts.tracking:
            dirty = accounts.dirty
            dirty.add((buyer.account, quote))
            dirty.add((buyer.account, base))
            dirty.add((seller.account, base))
            dirty.add((seller.account, quote))
        buyer.locked -= quote_qty
        seller.locked -= qty

        maker.executed_qty += qty
        maker.cummulative_quote_qty += quote_qty
        maker.updated_ms = now
        maker.status = _FILLED if maker.executed_qty == maker.quantity else _PARTIAL
        taker.executed_qty += qty
        taker.cummulative_quote_qty += quote_qty
        taker.updated_ms = now
        taker.status = _FILLED if taker.executed_qty == taker.quantity else _PARTIAL

        level.qty -= qty
        self._touch(book, not taker_buys, level)
        if maker.status is _FILLED:
            opposite.remove(maker)
            self._finish_order(maker, now)

        taker_fill = new_fill(
            trade_id, taker.order_id, taker.account, spec.symbol, taker.side, price, qty, quote_qty,
            buyer_commission if taker_buys else seller_commission, base if taker_buys else quote, False, now,
        )
        fills.append(taker_fill)
        if self._listeners:
            self._events.append(
                new_trade_printed(
                    new_trade(trade_id, spec.symbol, price, qty, buyer.order_id, seller.order_id, not taker_buys, now)
                )
            )
            maker_fill = new_fill(
                trade_id, maker.order_id, maker.account, spec.symbol, maker.side, price, qty, quote_qty,
                seller_commission if taker_buys else buyer_commission, quote if taker_buys else base, True, now,
            )
            self._emit_order(maker, maker_fill, "TRADE")
            self._emit_order(taker, taker_fill, "TRADE")

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
        if book.touched_in != self._call:
            book.touched_in = self._call
            book.update_id += 1
            if self._listeners:
                self._touched.append(book)
        if self._listeners:
            (book.touched_bids if is_bid else book.touched_asks)[level.ticks] = level.price

    def _emit_order(self, order: EngineOrder, fill: Fill | None, kind: UpdateKind) -> None:
        self._events.append(new_order_updated(order.view(), fill, kind))
