"""Order events as a strategy sees them: the order after the change and the fill, in Decimals."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.domain import OrderStatus, OrderType, Side


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@dataclass(frozen=True, slots=True)
class OrderView:
    id: str
    client_order_id: str
    venue: str
    symbol: str
    side: Side
    type: OrderType
    status: OrderStatus
    quantity: Decimal
    filled_quantity: Decimal
    price: Decimal | None
    average_price: Decimal | None
    version: int
    reject_reason: str | None = None

    @property
    def is_working(self) -> bool:
        return not self.status.is_terminal

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled_quantity

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> "OrderView":
        return cls(
            id=body["id"], client_order_id=body["client_order_id"], venue=body["venue"], symbol=body["symbol"],
            side=Side(body["side"]), type=OrderType(body["type"]), status=OrderStatus(body["status"]),
            quantity=Decimal(body["quantity"]), filled_quantity=Decimal(body["filled_quantity"]),
            price=_dec(body.get("price")), average_price=_dec(body.get("average_price")),
            version=int(body.get("version", 0)), reject_reason=body.get("reject_reason"))


@dataclass(frozen=True, slots=True)
class FillView:
    fill_id: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> "FillView":
        return cls(body["fill_id"], Decimal(body["quantity"]), Decimal(body["price"]), Decimal(body["fee"]),
                   body["fee_asset"])


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """One order event (docs/events.md): `type` such as "order.partially_filled", the order after it."""

    type: str
    order: OrderView
    fill: FillView | None
    reason: str | None

    @property
    def is_fill(self) -> bool:
        return self.fill is not None

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> "OrderUpdate":
        fill = body.get("fill")
        return cls(body["type"], OrderView.from_dict(body["order"]), FillView.from_dict(fill) if fill else None,
                   body.get("reason"))
