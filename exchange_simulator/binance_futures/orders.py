"""Parsing of a USD-M new-order request into a checked, typed request (no engine access here)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from exchange_simulator.binance import errors
from exchange_simulator.binance.params import Params
from exchange_simulator.binance_futures import errors as futures_errors
from exchange_simulator.binance_futures.model import POSITION_SIDE_BOTH
from exchange_simulator.binance_futures.serialise import TIME_IN_FORCE
from exchange_simulator.engine import OrderType, SelfTradePrevention, Side

CLIENT_ORDER_ID_PATTERN = r"^[.A-Z:/a-z0-9_-]{1,36}$"
_CLIENT_ORDER_ID_RE = re.compile(CLIENT_ORDER_ID_PATTERN)
RESPONSE_TYPES = ("ACK", "RESULT")
_ORDER_TYPES = {"LIMIT": OrderType.LIMIT, "MARKET": OrderType.MARKET}
_HEDGE_SIDES = ("LONG", "SHORT")
# Accepted for compatibility, without effect on LIMIT and MARKET orders in the simulator.
_IGNORED = ("workingType", "priceProtect", "priceMatch")


@dataclass(frozen=True)
class FuturesOrder:
    symbol: str
    side: Side
    type: OrderType
    time_in_force: str
    quantity: Decimal
    price: Decimal | None
    reduce_only: bool
    client_order_id: str | None
    response_type: str
    good_till_ms: int
    stp: SelfTradePrevention

    @property
    def is_buy(self) -> bool:
        return self.side is Side.BUY


def client_order_id(params: Params, name: str) -> str | None:
    value = params.raw(name)
    if value is not None and not _CLIENT_ORDER_ID_RE.match(value):
        raise errors.illegal_chars(name, CLIENT_ORDER_ID_PATTERN)
    return value


def parse_new_order(params: Params, symbol: str) -> FuturesOrder:
    """Read and cross-check the parameters of POST /fapi/v1/order (Binance's -1xxx/-4061 answers)."""
    side = params.enum("side", Side, errors.invalid_side, required=True)
    position_side = params.raw("positionSide") or POSITION_SIDE_BOTH
    if position_side in _HEDGE_SIDES:
        raise futures_errors.position_side_mismatch()
    if position_side != POSITION_SIDE_BOTH:
        raise errors.illegal_chars("positionSide", "BOTH, LONG, SHORT")
    raw_type = params.required("type")
    if raw_type not in _ORDER_TYPES:
        raise errors.invalid_order_type()
    order_type = _ORDER_TYPES[raw_type]
    tif = params.raw("timeInForce")
    if tif is not None and tif not in TIME_IN_FORCE:
        raise errors.invalid_tif()
    quantity = params.decimal("quantity", required=True)
    price = params.decimal("price")
    reduce_only = params.choice("reduceOnly", ("true", "false"), "false") == "true"
    client_id = client_order_id(params, "newClientOrderId")
    response_type = params.choice("newOrderRespType", RESPONSE_TYPES, "ACK")
    good_till = params.integer("goodTillDate", malformed=lambda n: errors.illegal_chars(n, "^[0-9]{1,20}$"))
    stp = params.enum("selfTradePreventionMode", SelfTradePrevention, lambda: errors.illegal_chars(
        "selfTradePreventionMode", ", ".join(m.value for m in SelfTradePrevention))) or SelfTradePrevention.NONE
    params.ignore(*_IGNORED)
    if order_type is OrderType.LIMIT:
        if tif is None:
            raise errors.mandatory_missing("timeInForce")
        if price is None:
            raise errors.mandatory_missing("price")
    else:
        if price is not None:
            raise errors.not_required("price")
        tif = "GTC"  # Binance reports MARKET orders as GTC whatever was sent
    if tif == "GTD" and good_till is None:
        raise errors.mandatory_missing("goodTillDate")
    if tif != "GTD" and good_till is not None:
        raise errors.not_required("goodTillDate")
    if quantity <= 0:
        raise errors.BinanceError(-4003, "Quantity less than or equal to zero.")
    return FuturesOrder(symbol, side, order_type, tif, quantity, price, reduce_only, client_id, response_type,
                        good_till or 0, stp)
