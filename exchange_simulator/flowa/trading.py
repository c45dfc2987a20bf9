"""Simple-order operations of the Flowa dialect on the B3 venue (transport-neutral: dicts in, dicts out)."""
from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Any, Callable

from exchange_simulator.config import AccountConfig
from exchange_simulator.engine import (
    Engine,
    EngineOrder,
    OrderRejected,
    OrderType,
    RejectReason,
    Side,
    TimeInForce,
    UnknownOrder,
)
from exchange_simulator.flowa import errors, serialise
from exchange_simulator.flowa.errors import FlowaError
from exchange_simulator.flowa.publisher import FlowaPublisher
from exchange_simulator.flowa.requests import NewOrder, parse_amendment, parse_new_order
from exchange_simulator.flowa.session import TradingHours
from exchange_simulator.flowa.state import Status, Strategy, StrategyBook, TradeLog
from exchange_simulator.venue import Venue

logger = logging.getLogger(__name__)

TRADES_PAGE = 500
STRATEGIES_PAGE = 500

# Flowa order type -> engine type. B3's MARKET is a protected market order and MARKET_LIMIT turns its
# remainder into a limit order; the engine has neither, so both trade what the book offers and the
# rest is cancelled. B3 stops buy when the price rises to the trigger and sell when it falls to it,
# which is the engine's stop-loss rule on both sides.
_ENGINE_TYPES = {
    "LIMIT": OrderType.LIMIT,
    "MARKET": OrderType.MARKET,
    "MARKET_LIMIT": OrderType.MARKET,
    "STOP_LIMIT": OrderType.STOP_LOSS_LIMIT,
    "STOP_MARKET": OrderType.STOP_LOSS,
}
# DAY and GTD orders are not expired at the close by the simulator: they rest like GTC.
_ENGINE_TIF = {"DAY": TimeInForce.GTC, "GTC": TimeInForce.GTC, "GTD": TimeInForce.GTC,
               "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}


def rejection_message(exc: OrderRejected, spec) -> str:
    if exc.reason is RejectReason.FILTER_LOT_SIZE:
        return f"Quantity must be a multiple of the lot size {spec.step_size:f}"
    if exc.reason is RejectReason.FILTER_PRICE:
        return f"Price must be a multiple of the tick size {spec.tick_size:f} within the price band"
    if exc.reason is RejectReason.INSUFFICIENT_BALANCE:
        return "Insufficient funds or custody for the order"
    if exc.reason is RejectReason.WOULD_TRIGGER_IMMEDIATELY:
        return "StopTriggerPrice would trigger immediately"
    return exc.detail


class FlowaTrading:
    def __init__(self, venue: Venue, book: StrategyBook, trades: TradeLog, publisher: FlowaPublisher,
                 clock: Callable[[], int], hours: TradingHours | None) -> None:
        self._venue = venue
        self._book = book
        self._trades = trades
        self._publisher = publisher
        self._clock = clock
        self._hours = hours

    # -- commands ------------------------------------------------------------------------------------

    def create(self, client: AccountConfig, raw: Any) -> dict:
        order = parse_new_order(raw, self._venue.engine.symbols)
        account = client.account_id
        with self._venue.session() as engine:
            if order.custom_id is not None:
                existing = self._book.by_custom_id(account, order.custom_id)
                if existing is not None:
                    raise FlowaError(400, f"CustomId {order.custom_id} is already used by strategy "
                                          f"{existing.strategy_id}", existing.strategy_id)
            strategy = self._new_strategy(client, order)
            self._book.add(strategy)
            closed = self._hours.closed_reason(order.symbol, self._clock()) if self._hours else None
            if closed is not None:
                raise self._reject(strategy, closed)
            try:
                placed = self._submit(engine, strategy, strategy.quantity, strategy.price, strategy.stop_price)
            except OrderRejected as exc:
                raise self._reject(strategy, rejection_message(exc, engine.symbols[order.symbol])) from None
            self._book.bind(strategy, placed.order_id)
        return errors.envelope(strategy.strategy_id)

    def amend(self, client: AccountConfig, strategy_id: str, raw: Any) -> dict:
        """Change the order in place: same StrategyId and CustomId; a new price or size loses queue priority."""
        change = parse_amendment(raw)
        with self._venue.session() as engine:
            strategy = self._open_strategy(client, strategy_id)
            quantity = change.quantity if change.quantity is not None else strategy.quantity
            if quantity <= strategy.executed:
                raise errors.rejected(strategy_id, f"Quantity must exceed the executed quantity {strategy.executed}")
            if change.price is not None and strategy.price is None:
                raise errors.bad_request(f"{strategy.order_type} orders take no Price")
            if change.stop_price is not None and strategy.stop_price is None:
                raise errors.bad_request(f"{strategy.order_type} orders take no StopTriggerPrice")
            if change.changes_engine_order:
                price = change.price if change.price is not None else strategy.price
                stop = change.stop_price if change.stop_price is not None else strategy.stop_price
                self._replace(engine, strategy, quantity, price, stop)
                strategy.quantity, strategy.price, strategy.stop_price = quantity, price, stop
            if change.display_quantity is not None:
                strategy.display_quantity = change.display_quantity
            if change.expire_date is not None:
                strategy.expire_date = change.expire_date
            strategy.settle_status(engine_order_open=True)
            self._publisher.publish_strategy(strategy)
        return errors.envelope(strategy_id)

    def cancel(self, client: AccountConfig, strategy_id: str) -> dict:
        with self._venue.session() as engine:
            strategy = self._open_strategy(client, strategy_id)
            try:
                engine.cancel(strategy.account, strategy.symbol, order_id=strategy.engine_order_id)
            except UnknownOrder:
                raise errors.not_open(strategy_id, strategy.status.value) from None
        return errors.envelope(strategy_id)

    # -- queries -------------------------------------------------------------------------------------

    def order(self, client: AccountConfig, strategy_id: str) -> dict:
        with self._venue.session():
            strategy = self._book.get(client.account_id, strategy_id)
            if strategy is None:
                raise errors.not_found(strategy_id)
            return serialise.order_json(strategy)

    def order_by_custom_id(self, client: AccountConfig, custom_id: str) -> dict:
        with self._venue.session():
            strategy = self._book.by_custom_id(client.account_id, custom_id)
            if strategy is None:
                raise errors.not_found()
            return serialise.order_json(strategy)

    def strategies(self, client: AccountConfig, page: int) -> list[dict]:
        with self._venue.session():
            rows = self._book.of_account(client.account_id)[page * STRATEGIES_PAGE:(page + 1) * STRATEGIES_PAGE]
            return [serialise.order_json(s) for s in rows]

    def trades(self, client: AccountConfig, index: int) -> list[dict]:
        with self._venue.session():
            return [serialise.trade_json(t) for t in self._trades.since(client.account_id, index, TRADES_PAGE)]

    # -- internals -----------------------------------------------------------------------------------

    def _new_strategy(self, client: AccountConfig, order: NewOrder) -> Strategy:
        return Strategy(
            strategy_id=uuid.uuid4().hex, account=client.account_id, user=client.api_key, broker=order.broker,
            flowa_account=order.account, symbol=order.symbol, side=order.side, order_type=order.order_type,
            time_in_force=order.time_in_force, quantity=order.quantity, price=order.price,
            stop_price=order.stop_price, custom_id=order.custom_id, memo=order.memo,
            send_time_ms=self._clock(), display_quantity=order.display_quantity, expire_date=order.expire_date)

    def _reject(self, strategy: Strategy, message: str) -> FlowaError:
        strategy.status = Status.REJECTED
        strategy.error = message
        self._publisher.publish_strategy(strategy)
        logger.info("flowa order %s rejected: %s", strategy.strategy_id, message)
        return errors.rejected(strategy.strategy_id, message)

    def _open_strategy(self, client: AccountConfig, strategy_id: str) -> Strategy:
        strategy = self._book.get(client.account_id, strategy_id)
        if strategy is None:
            raise errors.not_found(strategy_id)
        if strategy.status.is_final or strategy.engine_order_id is None:
            raise errors.not_open(strategy_id, strategy.status.value)
        return strategy

    def _submit(self, engine: Engine, strategy: Strategy, quantity: Decimal, price: Decimal | None,
                stop: Decimal | None, triggered: bool = False) -> EngineOrder:
        order_type = _ENGINE_TYPES[strategy.order_type]
        if triggered and order_type is OrderType.STOP_LOSS_LIMIT:
            order_type, stop = OrderType.LIMIT, None  # a triggered stop-limit now rests as a plain limit
        tif = _ENGINE_TIF[strategy.time_in_force] if order_type.has_limit_price else None
        return engine.submit(
            strategy.account, strategy.symbol, Side(strategy.side), order_type, quantity=Decimal(quantity),
            price=price, stop_price=stop, time_in_force=tif,
            client_order_id=f"{strategy.strategy_id}.{strategy.generation + 1}").order

    def _replace(self, engine: Engine, strategy: Strategy, quantity: int, price: Decimal | None,
                 stop: Decimal | None) -> None:
        """Swap the engine order for one with the new terms; on refusal put the old terms back and raise 422."""
        current = engine.get_order(strategy.account, strategy.symbol, order_id=strategy.engine_order_id)
        triggered = current.type.is_stop and current.is_working
        engine.cancel(strategy.account, strategy.symbol, order_id=current.order_id)
        self._book.unbind(current.order_id)  # its CANCELED event must not end the strategy
        try:
            placed = self._submit(engine, strategy, quantity - strategy.executed, price, stop, triggered)
        except OrderRejected as exc:
            message = rejection_message(exc, engine.symbols[strategy.symbol])
            try:
                restored = self._submit(engine, strategy, strategy.remaining, strategy.price, strategy.stop_price,
                                        triggered)
            except OrderRejected:  # the book moved through the old price meanwhile: nothing left to restore
                strategy.status = Status.CANCELLED
                self._publisher.publish_strategy(strategy)
                raise errors.rejected(strategy.strategy_id, f"{message}; the order could not be restored "
                                                            "and is cancelled") from None
            self._book.bind(strategy, restored.order_id)
            raise errors.rejected(strategy.strategy_id, message) from None
        self._book.bind(strategy, placed.order_id)
