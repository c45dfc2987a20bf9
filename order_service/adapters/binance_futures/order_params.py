"""Domain orders turned into POST /fapi/v1/order parameters (plain strings, never floats)."""
from __future__ import annotations

import re

from order_service.adapters.binance.order_params import UNSUPPORTED, plain
from shared.domain.enums import OrderType, TimeInForce
from shared.domain.errors import VenueRejected
from shared.domain.order import Order

CLIENT_ORDER_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
# One-way mode: every order works on the single BOTH position.
POSITION_SIDE = "BOTH"
_TIFS = frozenset({TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK})


def new_order_params(order: Order) -> dict[str, str]:
    """Parameters of a new USD-M order; raises VenueRejected(UNSUPPORTED) for what the adapter cannot send."""
    client_id = order.venue_client_order_id or order.client_order_id
    if not CLIENT_ORDER_ID.match(client_id):
        raise VenueRejected(f"client order id {client_id!r} does not fit Binance futures' {CLIENT_ORDER_ID.pattern}",
                            UNSUPPORTED)
    params = {"symbol": order.symbol, "side": order.side.value, "positionSide": POSITION_SIDE}
    params.update(_shape(order))
    if order.reduce_only:
        params["reduceOnly"] = "true"
    params["newClientOrderId"] = client_id
    params["newOrderRespType"] = "RESULT"
    return params


def _shape(order: Order) -> dict[str, str]:
    tif = order.time_in_force
    if order.type is OrderType.MARKET:
        if order.post_only:
            raise VenueRejected("a MARKET order cannot be post-only", UNSUPPORTED)
        return {"type": "MARKET", "quantity": plain(order.quantity)}
    if order.type is not OrderType.LIMIT:
        # Conditional orders have moved to a separate algo order API on Binance futures.
        raise VenueRejected(f"Binance futures orders of type {order.type.value} are not supported; use LIMIT or "
                            "MARKET", UNSUPPORTED)
    if order.price is None:
        raise VenueRejected("price is required for a LIMIT order", UNSUPPORTED)
    if order.post_only:
        if tif not in (None, TimeInForce.GTC):
            raise VenueRejected("a post-only order rests until canceled: time in force must be GTC", UNSUPPORTED)
        tif_value = "GTX"
    elif tif is None or tif in _TIFS:
        tif_value = (tif or TimeInForce.GTC).value
    else:
        raise VenueRejected(f"Binance futures does not support time in force {tif.value} here; use GTC, IOC or FOK",
                            UNSUPPORTED)
    return {"type": "LIMIT", "timeInForce": tif_value, "quantity": plain(order.quantity), "price": plain(order.price)}
