"""Domain orders turned into Flowa simple-order request bodies (PascalCase JSON)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.domain.enums import OrderType, TimeInForce
from shared.domain.errors import VenueRejected
from shared.domain.order import Order

UNSUPPORTED = "UNSUPPORTED"
# Flowa's DAY is B3's default validity; a MARKET order carries it too.
DEFAULT_TIME_IN_FORCE = TimeInForce.DAY
_ORDER_TYPES = {OrderType.MARKET: "MARKET", OrderType.LIMIT: "LIMIT", OrderType.STOP_MARKET: "STOP_MARKET",
                OrderType.STOP_LIMIT: "STOP_LIMIT"}
_TIMES_IN_FORCE = {TimeInForce.DAY: "DAY", TimeInForce.GTC: "GTC", TimeInForce.IOC: "IOC", TimeInForce.FOK: "FOK"}


def price_text(value: Decimal) -> str:
    return format(value, "f")


def shares(quantity: Decimal) -> int:
    """Flowa quantities are whole shares."""
    if quantity != quantity.to_integral_value():
        raise VenueRejected(f"B3 trades whole shares; quantity {quantity} is not one", UNSUPPORTED)
    return int(quantity)


def new_order_body(order: Order) -> dict[str, Any]:
    if order.post_only:
        raise VenueRejected("Flowa has no post-only orders", UNSUPPORTED)
    if order.reduce_only:
        raise VenueRejected("reduce-only does not apply to B3 cash-market orders", UNSUPPORTED)
    tif = order.time_in_force or DEFAULT_TIME_IN_FORCE
    if tif not in _TIMES_IN_FORCE:
        raise VenueRejected(f"time in force {tif.value} is not supported on Flowa orders (it needs an expiry "
                            "date orders do not carry)", UNSUPPORTED)
    body: dict[str, Any] = {
        "Broker": order.broker,
        "Account": order.account,
        "Symbol": order.symbol,
        "Side": order.side.value,
        "OrderType": _ORDER_TYPES[order.type],
        "TimeInForce": _TIMES_IN_FORCE[tif],
        "Quantity": shares(order.quantity),
        "CustomId": order.venue_client_order_id or order.client_order_id,
    }
    if order.price is not None and order.type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        body["Price"] = price_text(order.price)
    if order.stop_price is not None and order.type in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT):
        body["StopTriggerPrice"] = price_text(order.stop_price)
    if order.algo_id:
        body["Memo"] = f"algo {order.algo_id}"
    return body


def amend_body(quantity: Decimal | None, price: Decimal | None) -> dict[str, Any]:
    """Flowa amends in place: the new total quantity and/or limit price."""
    body: dict[str, Any] = {}
    if quantity is not None:
        body["Quantity"] = shares(quantity)
    if price is not None:
        body["Price"] = price_text(price)
    return body
