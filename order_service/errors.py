"""Errors of the order service layer; the HTTP layer maps each to its problem status."""
from __future__ import annotations

from shared.domain import OrderStatus


class OrderServiceError(Exception):
    status = 400
    title = "Bad request"
    field: str | None = None

    def __init__(self, detail: str, **extra) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class UnknownVenue(OrderServiceError):
    status, title, field = 422, "Unknown venue", "venue"


class VenueDisabled(OrderServiceError):
    status, title, field = 422, "Venue not configured", "venue"


class UnknownSymbol(OrderServiceError):
    status, title, field = 422, "Unknown symbol", "symbol"


class RuleViolation(OrderServiceError):
    status, title = 422, "Instrument rule violated"

    def __init__(self, detail: str, field: str, rule: str, nearest_valid: str | None) -> None:
        super().__init__(detail, rule=rule, nearest_valid=nearest_valid)
        self.field = field


class MissingField(OrderServiceError):
    status, title = 422, "Missing field"

    def __init__(self, detail: str, field: str) -> None:
        super().__init__(detail)
        self.field = field


class OrderNotFound(OrderServiceError):
    status, title = 404, "Order not found"


class IdempotencyConflict(OrderServiceError):
    status, title, field = 409, "Client order id already used", "client_order_id"


class OrderStateConflict(OrderServiceError):
    status, title = 409, "Order state conflict"

    def __init__(self, detail: str, order_status: OrderStatus) -> None:
        super().__init__(detail, order_status=order_status.value)


class VenueRefused(OrderServiceError):
    """The venue refused a cancel or an amendment; the order is unchanged."""

    status, title = 409, "Venue refused the request"

    def __init__(self, detail: str, code: str | None) -> None:
        super().__init__(detail, venue_code=code)


class VenueUnavailable(OrderServiceError):
    status, title = 503, "Venue unavailable"

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after
