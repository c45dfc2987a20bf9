"""Translation between table rows and domain objects."""
from __future__ import annotations

from typing import Any

from shared.domain import Fill, Liquidity, Order, OrderStatus, OrderType, Side, TimeInForce

# Fields the store never rewrites once an order exists.
_IMMUTABLE = ("id", "client_order_id", "created_at")
_ORDER_FIELDS = tuple(Order.__dataclass_fields__)
_FILL_FIELDS = tuple(Fill.__dataclass_fields__)


def _value(x: Any) -> Any:
    return None if x is None else getattr(x, "value", x)


def order_to_row(order: Order) -> dict[str, Any]:
    row = {name: getattr(order, name) for name in _ORDER_FIELDS}
    for name in ("side", "type", "time_in_force", "status"):
        row[name] = _value(row[name])
    return row


def order_update_values(order: Order) -> dict[str, Any]:
    """Every column `save` writes: all but the identity and creation time."""
    row = order_to_row(order)
    for name in _IMMUTABLE:
        del row[name]
    return row


def row_to_order(row: Any) -> Order:
    m = row._mapping
    values = {name: m[name] for name in _ORDER_FIELDS}
    values["side"] = Side(values["side"])
    values["type"] = OrderType(values["type"])
    values["status"] = OrderStatus(values["status"])
    if values["time_in_force"] is not None:
        values["time_in_force"] = TimeInForce(values["time_in_force"])
    return Order(**values)


def fill_to_row(fill: Fill) -> dict[str, Any]:
    row = {name: getattr(fill, name) for name in _FILL_FIELDS}
    row["side"] = _value(row["side"])
    row["liquidity"] = _value(row["liquidity"])
    return row


def row_to_fill(row: Any) -> Fill:
    m = row._mapping
    values = {name: m[name] for name in _FILL_FIELDS}
    values["side"] = Side(values["side"])
    if values["liquidity"] is not None:
        values["liquidity"] = Liquidity(values["liquidity"])
    return Fill(**values)
