"""The order aggregate and its one transition table."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from shared.domain.enums import EventType, OrderStatus, OrderType, Side, TimeInForce
from shared.domain.errors import IllegalTransition
from shared.domain.events import OrderEvent
from shared.domain.fill import Fill

S = OrderStatus

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_NEW: frozenset({S.NEW, S.REJECTED, S.PARTIALLY_FILLED, S.FILLED, S.EXPIRED}),
    S.NEW: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.CANCELED, S.EXPIRED}),
    S.PARTIALLY_FILLED: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.CANCELED, S.EXPIRED}),
    S.PENDING_CANCEL: frozenset({S.CANCELED, S.FILLED, S.PARTIALLY_FILLED, S.NEW}),
    S.FILLED: frozenset(),
    S.CANCELED: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
}
TERMINAL_STATUSES = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

_EVENT_OF_STATUS = {
    S.NEW: EventType.ACCEPTED,
    S.REJECTED: EventType.REJECTED,
    S.CANCELED: EventType.CANCELED,
    S.EXPIRED: EventType.EXPIRED,
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(slots=True)
class Order:
    id: str
    client_order_id: str
    venue: str
    symbol: str
    side: Side
    type: OrderType
    quantity: Decimal
    time_in_force: TimeInForce | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    post_only: bool = False
    reduce_only: bool = False
    account: str | None = None
    broker: str | None = None
    algo_id: str | None = None
    status: OrderStatus = S.PENDING_NEW
    filled_quantity: Decimal = Decimal(0)
    average_price: Decimal | None = None
    venue_order_id: str | None = None
    venue_client_order_id: str | None = None  # differs from client_order_id once a venue replaced the order
    reject_code: str | None = None
    reject_reason: str | None = None
    needs_reconcile: bool = False
    amending: bool = False  # a replace is in flight: the venue's cancel of the old order is not the end
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    version: int = 0

    def __post_init__(self) -> None:
        if self.venue_client_order_id is None:
            self.venue_client_order_id = self.client_order_id

    @property
    def remaining_quantity(self) -> Decimal:
        return self.quantity - self.filled_quantity

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def is_open(self) -> bool:
        return not self.is_terminal

    def snapshot(self) -> "Order":
        return copy.copy(self)

    def can_become(self, target: OrderStatus) -> bool:
        return target in TRANSITIONS[self.status]

    # -- state changes; each returns the events it caused ------------------------------------------

    def transition(self, target: OrderStatus, *, reason: str | None = None, at: datetime | None = None) -> list[OrderEvent]:
        """Move to `target` if the table allows it; raise IllegalTransition otherwise."""
        if target is self.status and target is not S.PARTIALLY_FILLED:
            return []
        if target not in TRANSITIONS[self.status]:
            raise IllegalTransition(self.id, self.status.value, target.value)
        previous, self.status = self.status, target
        self._touch(at)
        event_type = _EVENT_OF_STATUS.get(target)
        if event_type is None or (target is S.NEW and previous is not S.PENDING_NEW):
            return []
        return [self._event(event_type, at, reason=reason)]

    def accept(self, venue_order_id: str | None, at: datetime | None = None) -> list[OrderEvent]:
        """The venue acknowledged the order."""
        if venue_order_id:
            self.venue_order_id = venue_order_id
        self.needs_reconcile = False
        if self.status is S.PENDING_NEW:
            return self.transition(S.NEW, at=at)
        return []

    def reject(self, code: str | None, reason: str, at: datetime | None = None) -> list[OrderEvent]:
        self.reject_code = None if code is None else str(code)
        self.reject_reason = reason
        self.needs_reconcile = False
        return self.transition(S.REJECTED, reason=reason, at=at)

    def apply_fill(self, fill: Fill) -> list[OrderEvent]:
        """Record one execution. The caller guarantees each venue trade id is applied once."""
        if fill.quantity <= 0:
            raise ValueError("fill quantity must be positive")
        if fill.quantity > self.remaining_quantity:
            raise ValueError(f"fill of {fill.quantity} exceeds the remaining {self.remaining_quantity}")
        events = self.accept(None, fill.time) if self.status is S.PENDING_NEW else []
        cost = (self.average_price or Decimal(0)) * self.filled_quantity + fill.price * fill.quantity
        self.filled_quantity += fill.quantity
        self.average_price = cost / self.filled_quantity
        target = S.FILLED if self.remaining_quantity == 0 else S.PARTIALLY_FILLED
        if target not in TRANSITIONS[self.status]:
            raise IllegalTransition(self.id, self.status.value, target.value)
        self.status = target
        self._touch(fill.time)
        kind = EventType.FILLED if target is S.FILLED else EventType.PARTIALLY_FILLED
        events.append(self._event(kind, fill.time, fill=fill))
        return events

    def request_cancel(self, at: datetime | None = None) -> list[OrderEvent]:
        return self.transition(S.PENDING_CANCEL, at=at)

    def cancel_rejected(self, reason: str, at: datetime | None = None) -> list[OrderEvent]:
        """The venue refused a cancel; the order goes back to where it was."""
        if self.status is S.PENDING_CANCEL:
            self.status = S.PARTIALLY_FILLED if self.filled_quantity > 0 else S.NEW
            self._touch(at)
        return [self._event(EventType.CANCEL_REJECTED, at, reason=reason)]

    def amend(self, quantity: Decimal | None, price: Decimal | None, venue_order_id: str | None = None,
              venue_client_order_id: str | None = None, at: datetime | None = None) -> list[OrderEvent]:
        if quantity is not None:
            if quantity <= self.filled_quantity:
                raise ValueError("amended quantity must exceed the filled quantity")
            self.quantity = quantity
        if price is not None:
            self.price = price
        if venue_order_id:
            self.venue_order_id = venue_order_id
        if venue_client_order_id:
            self.venue_client_order_id = venue_client_order_id
        self._touch(at)
        return [self._event(EventType.AMENDED, at)]

    def _touch(self, at: datetime | None) -> None:
        self.updated_at = at or utcnow()
        self.version += 1

    def _event(self, kind: EventType, at: datetime | None, fill: Fill | None = None, reason: str | None = None) -> OrderEvent:
        return OrderEvent(type=kind, order=self.snapshot(), time=at or self.updated_at, fill=fill, reason=reason)
