"""JSON shapes of domain objects: Decimals as strings, times as ISO-8601 UTC, enums as their values."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from shared.domain import Fill, Order, OrderEvent
from shared.domain.position import Position

# Averages are quotients: shown to 12 decimal places, which no venue's price or quantity grid goes beyond.
_AVERAGE_PLACES = Decimal("1e-12")


def decimal_str(value: Decimal | None) -> str | None:
    """Plain notation, never an exponent: Decimal('1E+1') -> '10', Decimal('0.010') -> '0.010'."""
    if value is None:
        return None
    return format(value, "f")


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def order_to_dict(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "client_order_id": order.client_order_id,
        "venue": order.venue,
        "symbol": order.symbol,
        "side": order.side.value,
        "type": order.type.value,
        "time_in_force": order.time_in_force.value if order.time_in_force else None,
        "quantity": decimal_str(order.quantity),
        "price": decimal_str(order.price),
        "stop_price": decimal_str(order.stop_price),
        "post_only": order.post_only,
        "reduce_only": order.reduce_only,
        "account": order.account,
        "broker": order.broker,
        "algo_id": order.algo_id,
        "status": order.status.value,
        "filled_quantity": decimal_str(order.filled_quantity),
        "remaining_quantity": decimal_str(order.remaining_quantity),
        "average_price": decimal_str(order.average_price),
        "venue_order_id": order.venue_order_id,
        "reject_code": order.reject_code,
        "reject_reason": order.reject_reason,
        "needs_reconcile": order.needs_reconcile,
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "version": order.version,
    }


def fill_to_dict(fill: Fill) -> dict[str, Any]:
    return {
        "fill_id": fill.fill_id,
        "order_id": fill.order_id,
        "venue": fill.venue,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "venue_trade_id": fill.venue_trade_id,
        "quantity": decimal_str(fill.quantity),
        "price": decimal_str(fill.price),
        "fee": decimal_str(fill.fee),
        "fee_asset": fill.fee_asset,
        "liquidity": fill.liquidity.value if fill.liquidity else None,
        "time": iso(fill.time),
    }


def _sum(value: Decimal) -> str:
    """A total without the trailing zeros its terms brought: 0.010 - 0.010 is "0"."""
    return decimal_str(value.normalize())


def _average(value: Decimal | None) -> str | None:
    return None if value is None else _sum(value.quantize(_AVERAGE_PLACES))


def position_to_dict(position: Position) -> dict[str, Any]:
    return {
        "venue": position.venue,
        "symbol": position.symbol,
        "account": position.account,
        "net_quantity": _sum(position.net_quantity),
        "average_entry_price": _average(position.average_entry_price),
        "realized_pnl": _average(position.realized_pnl),
        "bought_quantity": _sum(position.bought_quantity),
        "sold_quantity": _sum(position.sold_quantity),
        "average_buy_price": _average(position.average_buy_price),
        "average_sell_price": _average(position.average_sell_price),
        "fees": {asset: _sum(amount) for asset, amount in sorted(position.fees.items())},
        "fills": position.fills,
        "last_fill_at": iso(position.last_fill_at),
    }


def event_to_dict(event: OrderEvent) -> dict[str, Any]:
    return {
        "type": event.type.value,
        "schema_version": event.schema_version,
        "time": iso(event.time),
        "order_id": event.order.id,
        "algo_id": event.order.algo_id,
        "order": order_to_dict(event.order),
        "fill": fill_to_dict(event.fill) if event.fill else None,
        "reason": event.reason,
    }


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_default, separators=(",", ":"))
