"""Domain orders turned into Binance spot request parameters (all values plain strings, never floats)."""
from __future__ import annotations

import re
from decimal import Decimal

from order_service.adapters.binance.parsing import to_decimal
from shared.domain.enums import OrderType, TimeInForce
from shared.domain.errors import VenueRejected
from shared.domain.order import Order

UNSUPPORTED = "UNSUPPORTED"
CLIENT_ORDER_ID = re.compile(r"^[a-zA-Z0-9-_]{1,36}$")
_REPLACEMENT_SUFFIX = re.compile(r"-r(\d+)$")
_BINANCE_TIFS = frozenset({TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK})


def plain(value: Decimal) -> str:
    """A decimal as Binance reads it: positional notation, no exponent, no trailing zeros."""
    return format(to_decimal(value), "f")


def new_order_params(order: Order) -> dict[str, str]:
    """Parameters of POST /v3/order; raises VenueRejected(UNSUPPORTED) for what Binance spot cannot do."""
    params = {"symbol": order.symbol, "side": order.side.value}
    params.update(_shape(order, order.quantity, order.price))
    params["newClientOrderId"] = order.venue_client_order_id or order.client_order_id
    params["newOrderRespType"] = "FULL"
    return params


def cancel_replace_params(order: Order, new_client_order_id: str, quantity: Decimal | None,
                          price: Decimal | None) -> dict[str, str]:
    """Parameters of POST /v3/order/cancelReplace for an amend of `order`.

    Binance replaces the order with a new one, so the new order's quantity is what is left to trade:
    the new total minus what the original order already filled. Fills that land between our last
    report and the cancel are not known here; they show in the answer's cancelResponse.
    """
    if order.type not in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        raise VenueRejected(f"Binance spot cannot amend a {order.type.value} order", UNSUPPORTED)
    total = order.quantity if quantity is None else quantity
    remaining = total - order.filled_quantity
    if remaining <= 0:
        raise VenueRejected(
            f"amended quantity {plain(total)} must exceed the filled quantity {plain(order.filled_quantity)}",
            UNSUPPORTED)
    params = {"symbol": order.symbol, "side": order.side.value}
    params.update(_shape(order, remaining, order.price if price is None else price))
    params["cancelReplaceMode"] = "STOP_ON_FAILURE"
    params["cancelOrigClientOrderId"] = order.venue_client_order_id or order.client_order_id
    params["newClientOrderId"] = new_client_order_id
    params["newOrderRespType"] = "FULL"
    return params


def replacement_client_order_id(order: Order) -> str:
    """A fresh venue client id for the order replacing `order` on Binance: `<client id>-r<n>`."""
    current = order.venue_client_order_id or order.client_order_id
    match = _REPLACEMENT_SUFFIX.search(current)
    counter = int(match.group(1)) + 1 if match else 1
    suffix = f"-r{counter}"
    base = re.sub(r"[^a-zA-Z0-9_-]", "_", order.client_order_id)
    return base[: 36 - len(suffix)] + suffix


def _shape(order: Order, quantity: Decimal, price: Decimal | None) -> dict[str, str]:
    """type, timeInForce, quantity, price and stopPrice for the order's type."""
    if order.reduce_only:
        raise VenueRejected("Binance spot has no reduce-only orders", UNSUPPORTED)
    tif = order.time_in_force
    if tif is not None and tif not in _BINANCE_TIFS:
        raise VenueRejected(f"Binance spot does not support time in force {tif.value}; use GTC, IOC or FOK",
                            UNSUPPORTED)
    if order.type is OrderType.MARKET:
        return {"type": "MARKET", "quantity": plain(quantity)}
    if order.type is OrderType.STOP_MARKET:
        # STOP_LOSS triggers a SELL when the price falls to the stop and a BUY when it rises to it.
        return {"type": "STOP_LOSS", "quantity": plain(quantity), "stopPrice": plain(_required(order.stop_price, "stop_price"))}
    limit = plain(_required(price, "price"))
    if order.type is OrderType.LIMIT and order.post_only:
        if tif not in (None, TimeInForce.GTC):
            raise VenueRejected("a post-only order rests until canceled: time in force must be GTC", UNSUPPORTED)
        return {"type": "LIMIT_MAKER", "quantity": plain(quantity), "price": limit}
    shape = {"type": "LIMIT", "timeInForce": (tif or TimeInForce.GTC).value, "quantity": plain(quantity),
             "price": limit}
    if order.type is OrderType.STOP_LIMIT:
        shape["type"] = "STOP_LOSS_LIMIT"
        shape["stopPrice"] = plain(_required(order.stop_price, "stop_price"))
    return shape


def _required(value: Decimal | None, name: str) -> Decimal:
    if value is None:
        raise VenueRejected(f"{name} is required for this order type", UNSUPPORTED)
    return value
