"""Parameter and filter checks an order must pass before the engine accepts it."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from exchange_simulator.engine.book import OrderBook
from exchange_simulator.engine.enums import OrderType, RejectReason, Side, TimeInForce
from exchange_simulator.engine.errors import OrderRejected
from exchange_simulator.engine.model import SymbolSpec
from exchange_simulator.engine.rules import crosses, stop_triggered

_MARKET = OrderType.MARKET
_LIMIT = OrderType.LIMIT
_LIMIT_MAKER = OrderType.LIMIT_MAKER
_BUY, _SELL = Side.BUY, Side.SELL
_GTC = TimeInForce.GTC


def to_decimal(value: object, name: str) -> Decimal:
    """Accept Decimal, int or numeric string; floats go through str() so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value) if isinstance(value, float) else value)
        except (InvalidOperation, TypeError, ValueError):
            raise OrderRejected(RejectReason.INVALID_ORDER, f"{name} is not a number: {value!r}") from None
    if not result.is_finite():
        raise OrderRejected(RejectReason.INVALID_ORDER, f"{name} is not a finite number: {value!r}")
    return result


def _invalid(detail: str) -> OrderRejected:
    return OrderRejected(RejectReason.INVALID_ORDER, detail)


def check_parameters(
    order_type: OrderType,
    quantity: Decimal | None,
    price: Decimal | None,
    stop_price: Decimal | None,
    quote_order_qty: Decimal | None,
    time_in_force: TimeInForce | None,
) -> TimeInForce | None:
    """Reject a parameter combination the order type does not take; return the effective time in force."""
    if order_type is _MARKET:
        if price is not None or stop_price is not None:
            raise _invalid("MARKET orders take neither price nor stop price")
        if (quantity is None) == (quote_order_qty is None):
            raise _invalid("MARKET orders take exactly one of quantity and quote order quantity")
        if quote_order_qty is not None and quote_order_qty <= 0:
            raise _invalid("quote order quantity must be positive")
        return None
    if quote_order_qty is not None:
        raise _invalid(f"{order_type.value} orders do not take a quote order quantity")
    if quantity is None:
        raise _invalid(f"{order_type.value} orders need a quantity")
    if order_type.has_limit_price:
        if price is None:
            raise _invalid(f"{order_type.value} orders need a price")
    elif price is not None:
        raise _invalid(f"{order_type.value} orders take no price")
    if order_type.is_stop:
        if stop_price is None:
            raise _invalid(f"{order_type.value} orders need a stop price")
    elif stop_price is not None:
        raise _invalid(f"{order_type.value} orders take no stop price")
    if order_type is _LIMIT_MAKER:
        if time_in_force not in (None, TimeInForce.GTC):
            raise _invalid("LIMIT_MAKER orders rest until filled or cancelled")
        return TimeInForce.GTC
    if price is None:  # stop orders that become MARKET
        if time_in_force is not None:
            raise _invalid(f"{order_type.value} orders take no time in force")
        return None
    return time_in_force if time_in_force is not None else TimeInForce.GTC


def check_price(spec: SymbolSpec, price: Decimal, name: str = "price") -> None:
    if price < spec.min_price or price > spec.max_price or price % spec.tick_size:
        raise OrderRejected(
            RejectReason.FILTER_PRICE,
            f"{name} {price} must be a multiple of {spec.tick_size} within [{spec.min_price}, {spec.max_price}]",
        )


def check_quantity(spec: SymbolSpec, quantity: Decimal) -> None:
    if quantity < spec.min_qty or quantity > spec.max_qty or quantity % spec.step_size:
        raise OrderRejected(
            RejectReason.FILTER_LOT_SIZE,
            f"quantity {quantity} must be a multiple of {spec.step_size} within [{spec.min_qty}, {spec.max_qty}]",
        )


def check_notional(spec: SymbolSpec, notional: Decimal) -> None:
    if notional < spec.min_notional:
        raise OrderRejected(
            RejectReason.FILTER_NOTIONAL, f"notional {notional} is below the minimum of {spec.min_notional}"
        )


def validate_order(
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
    if order_type is _LIMIT_MAKER and crosses(book.opposite_of(is_buy).best(), is_buy, ticks):
        raise OrderRejected(RejectReason.WOULD_TAKE, "order would immediately match and take")
    if is_stop and book.last_price is not None and stop_triggered(
        order_type, _BUY if is_buy else _SELL, stop_price, book.last_price
    ):
        raise OrderRejected(RejectReason.WOULD_TRIGGER_IMMEDIATELY, "stop price would trigger immediately")
    return time_in_force, ticks
