"""Parsing of a create-order body: its order_configuration becomes the engine's order parameters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from exchange_simulator.coinbase import errors
from exchange_simulator.engine import OrderType, Side, TimeInForce

STOP_UP = "STOP_DIRECTION_STOP_UP"
STOP_DOWN = "STOP_DIRECTION_STOP_DOWN"

# The order configurations Coinbase spot accepts, with the fields each requires and allows.
CONFIGURATIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "market_market_ioc": (frozenset(), frozenset({"quote_size", "base_size"})),
    "sor_limit_ioc": (frozenset({"base_size", "limit_price"}), frozenset()),
    "limit_limit_gtc": (frozenset({"base_size", "limit_price"}), frozenset({"post_only"})),
    "limit_limit_gtd": (frozenset({"base_size", "limit_price", "end_time"}), frozenset({"post_only"})),
    "limit_limit_fok": (frozenset({"base_size", "limit_price"}), frozenset()),
    "stop_limit_stop_limit_gtc": (frozenset({"base_size", "limit_price", "stop_price", "stop_direction"}),
                                  frozenset()),
}


class OrderFailure(Exception):
    """A create request Coinbase answers with a failure envelope (HTTP 200, success false)."""

    def __init__(self, error: str, preview_failure_reason: str, message: str):
        super().__init__(message)
        self.error = error
        self.preview_failure_reason = preview_failure_reason
        self.message = message


def invalid_config(message: str) -> OrderFailure:
    return OrderFailure("UNSUPPORTED_ORDER_CONFIGURATION", "PREVIEW_INVALID_ORDER_CONFIG", message)


@dataclass(frozen=True)
class NewOrder:
    client_order_id: str
    product_id: str
    side: Side
    kind: str
    configuration: dict[str, Any]
    type: OrderType
    time_in_force: TimeInForce | None
    base_size: Decimal | None
    quote_size: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    end_ms: int | None


def parse_new_order(body: Any) -> NewOrder:
    """Raise CoinbaseError (400) for a malformed request and OrderFailure for one Coinbase would refuse."""
    if not isinstance(body, dict):
        raise errors.invalid_argument("request body must be a JSON object")
    for name in ("client_order_id", "product_id", "side", "order_configuration"):
        if name not in body or body[name] in (None, ""):
            raise errors.invalid_argument(f"{name} is required")
    client_order_id, product_id = body["client_order_id"], body["product_id"]
    if not isinstance(client_order_id, str) or len(client_order_id) > 128:
        raise errors.invalid_argument("client_order_id must be a string of at most 128 characters")
    if not isinstance(product_id, str):
        raise errors.invalid_argument("product_id must be a string")
    try:
        side = Side(body["side"])
    except ValueError:
        raise OrderFailure("INVALID_SIDE", "PREVIEW_INVALID_SIDE", f"invalid side {body['side']!r}") from None
    configuration = body["order_configuration"]
    if not isinstance(configuration, dict) or len(configuration) != 1:
        raise invalid_config("order_configuration must hold exactly one order configuration")
    kind, fields = next(iter(configuration.items()))
    if kind not in CONFIGURATIONS or not isinstance(fields, dict):
        raise invalid_config(f"unsupported order configuration {kind!r}")
    required, optional = CONFIGURATIONS[kind]
    missing = required - fields.keys()
    unknown = fields.keys() - required - optional
    if missing or unknown:
        raise invalid_config(f"{kind}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return _order(client_order_id, product_id, side, kind, fields)


def _order(client_order_id: str, product_id: str, side: Side, kind: str, fields: dict) -> NewOrder:
    base_size, quote_size = _decimal(fields, "base_size"), _decimal(fields, "quote_size")
    limit_price, stop_price = _decimal(fields, "limit_price"), _decimal(fields, "stop_price")
    post_only = fields.get("post_only", False)
    if not isinstance(post_only, bool):
        raise invalid_config("post_only must be true or false")
    end_ms, tif = None, TimeInForce.GTC
    if kind == "market_market_ioc":
        if (base_size is None) == (quote_size is None):
            raise invalid_config("market_market_ioc takes exactly one of base_size and quote_size")
        order_type, tif = OrderType.MARKET, None
    elif kind == "stop_limit_stop_limit_gtc":
        if fields["stop_direction"] not in (STOP_UP, STOP_DOWN):
            raise invalid_config(f"stop_direction must be {STOP_UP} or {STOP_DOWN}")
        order_type = _stop_type(side, fields["stop_direction"] == STOP_UP)
    else:
        order_type = OrderType.LIMIT_MAKER if post_only else OrderType.LIMIT
        if kind == "sor_limit_ioc":
            tif = TimeInForce.IOC
        elif kind == "limit_limit_fok":
            tif = TimeInForce.FOK
        elif kind == "limit_limit_gtd":
            end_ms = _timestamp_ms(fields["end_time"])
        if post_only:
            tif = None
    return NewOrder(client_order_id, product_id, side, kind, {kind: fields}, order_type, tif, base_size, quote_size,
                    limit_price, stop_price, end_ms)


def _stop_type(side: Side, rising: bool) -> OrderType:
    """A buy stop that triggers on a rise is the engine's stop-loss; a sell one on a fall too."""
    return OrderType.STOP_LOSS_LIMIT if (side is Side.BUY) == rising else OrderType.TAKE_PROFIT_LIMIT


def _decimal(fields: dict, name: str) -> Decimal | None:
    raw = fields.get(name)
    if raw is None:
        return None
    try:
        value = Decimal(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0:
        raise invalid_config(f"{name} must be a positive decimal string, got {raw!r}")
    return value


def _timestamp_ms(raw: Any) -> int:
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise invalid_config(f"end_time must be an RFC 3339 timestamp, got {raw!r}") from None
    if moment.tzinfo is None:
        raise invalid_config("end_time needs a time zone, e.g. 2030-01-01T00:00:00Z")
    return int(moment.timestamp() * 1000)
