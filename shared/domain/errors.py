"""Domain errors, grouped by what the caller should do about them."""
from __future__ import annotations

from decimal import Decimal


class DomainError(Exception):
    """Base of every error the domain raises."""


class IllegalTransition(DomainError):
    def __init__(self, order_id: str, current: str, target: str) -> None:
        super().__init__(f"order {order_id}: illegal transition {current} -> {target}")
        self.order_id = order_id
        self.current = current
        self.target = target


class UnknownInstrument(DomainError):
    def __init__(self, venue: str, symbol: str) -> None:
        super().__init__(f"unknown symbol {symbol!r} on venue {venue!r}")
        self.venue = venue
        self.symbol = symbol


class InstrumentRuleViolation(DomainError):
    """An order breaks an instrument rule (tick, step, minimum); `nearest` is the closest valid value."""

    def __init__(self, field: str, rule: str, detail: str, nearest: Decimal | None = None) -> None:
        super().__init__(detail)
        self.field = field
        self.rule = rule
        self.detail = detail
        self.nearest = nearest


class VenueError(DomainError):
    """A venue answered with an error or did not answer. `code`/`message` are the venue's own."""

    should_retry = False

    def __init__(self, message: str, code: str | int | None = None, http_status: int | None = None) -> None:
        super().__init__(message if code is None else f"{code}: {message}")
        self.message = message
        self.code = code
        self.http_status = http_status


class VenueRejected(VenueError):
    """Final: the venue refused the request; retrying the same request is pointless."""


class VenueTemporaryError(VenueError):
    """The request certainly did not take effect (rate limit, connection refused); retry with backoff."""

    should_retry = True

    def __init__(self, message: str, code: str | int | None = None, http_status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, code, http_status)
        self.retry_after = retry_after


class VenueUnknownOutcome(VenueError):
    """Timeout or 5xx: the request may or may not have taken effect. Ask the venue; never resubmit blindly."""
