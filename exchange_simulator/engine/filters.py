"""Parameter and filter checks an order must pass before the engine accepts it."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from exchange_simulator.engine.enums import OrderType, RejectReason, TimeInForce
from exchange_simulator.engine.errors import OrderRejected
from exchange_simulator.engine.model import SymbolSpec

_MARKET = OrderType.MARKET
_LIMIT_MAKER = OrderType.LIMIT_MAKER


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
