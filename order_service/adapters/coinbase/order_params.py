"""A domain order as Coinbase's create-order body (one order_configuration per order type)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from order_service.adapters.coinbase.errors import UNSUPPORTED
from shared.domain.enums import OrderType, Side, TimeInForce
from shared.domain.errors import VenueRejected
from shared.domain.order import Order

STOP_UP = "STOP_DIRECTION_STOP_UP"
STOP_DOWN = "STOP_DIRECTION_STOP_DOWN"


def _number(value: Decimal) -> str:
    return format(value, "f")


def _unsupported(message: str) -> VenueRejected:
    return VenueRejected(f"Coinbase does not support {message}", UNSUPPORTED)


def order_configuration(order: Order) -> dict[str, dict[str, Any]]:
    """Raise VenueRejected(UNSUPPORTED) for what Coinbase spot cannot express."""
    size = _number(order.quantity)
    if order.type is OrderType.MARKET:
        return {"market_market_ioc": {"base_size": size}}
    if order.type not in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        raise _unsupported(f"{order.type.value} orders")
    if order.price is None:
        raise VenueRejected(f"{order.type.value} orders need a limit price", "INVALID_ORDER")
    price = _number(order.price)
    if order.type is OrderType.STOP_LIMIT:
        if order.stop_price is None:
            raise VenueRejected("STOP_LIMIT orders need a stop price", "INVALID_ORDER")
        if order.time_in_force not in (None, TimeInForce.GTC) or order.post_only:
            raise _unsupported("stop-limit orders other than GTC without post-only")
        # A buy stop enters as the price rises through it; a sell stop protects as it falls.
        direction = STOP_UP if order.side is Side.BUY else STOP_DOWN
        return {"stop_limit_stop_limit_gtc": {"base_size": size, "limit_price": price,
                                              "stop_price": _number(order.stop_price), "stop_direction": direction}}
    tif = order.time_in_force or TimeInForce.GTC
    if tif is TimeInForce.GTC:
        return {"limit_limit_gtc": {"base_size": size, "limit_price": price, "post_only": order.post_only}}
    if order.post_only:
        raise _unsupported(f"post-only {tif.value} orders")
    if tif is TimeInForce.FOK:
        return {"limit_limit_fok": {"base_size": size, "limit_price": price}}
    if tif is TimeInForce.IOC:
        return {"sor_limit_ioc": {"base_size": size, "limit_price": price}}
    raise _unsupported(f"{tif.value} limit orders (they need an end time)")


def new_order_body(order: Order) -> dict[str, Any]:
    return {"client_order_id": order.venue_client_order_id or order.client_order_id, "product_id": order.symbol,
            "side": order.side.value, "order_configuration": order_configuration(order)}
