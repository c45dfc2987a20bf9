"""The port every venue adapter implements, and the normalised reports it returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Callable, Protocol, runtime_checkable

from shared.domain.enums import Liquidity, OrderStatus
from shared.domain.instrument import Instrument
from shared.domain.order import Order


@dataclass(frozen=True, slots=True)
class VenueFill:
    venue_trade_id: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    liquidity: Liquidity | None
    time: datetime


@dataclass(frozen=True, slots=True)
class ExecutionReport:
    """What a venue says about one order: its state now and any executions it reported."""

    client_order_id: str
    symbol: str
    status: OrderStatus
    venue_order_id: str | None = None
    filled_quantity: Decimal = Decimal(0)  # cumulative, as the venue counts it
    average_price: Decimal | None = None
    fills: tuple[VenueFill, ...] = field(default_factory=tuple)
    reject_code: str | None = None
    reject_reason: str | None = None
    time: datetime | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None


@runtime_checkable
class VenueAdapter(Protocol):
    """A venue as the order service sees it. Errors are VenueRejected / VenueTemporaryError / VenueUnknownOutcome."""

    name: str

    def load_instruments(self) -> list[Instrument]: ...

    def submit(self, order: Order) -> ExecutionReport:
        """Send a new order. Never retried by the adapter: an unknown outcome raises VenueUnknownOutcome."""

    def cancel(self, order: Order) -> ExecutionReport: ...

    def amend(self, order: Order, quantity: Decimal | None, price: Decimal | None) -> ExecutionReport:
        """Change price/quantity, keeping the order's client order id where the venue allows."""

    def query(self, order: Order) -> ExecutionReport | None:
        """The venue's view of the order by client order id, or None when the venue never saw it."""

    def open_orders(self, symbol: str | None = None) -> list[ExecutionReport]: ...

    def stream_executions(self, on_report: Callable[[ExecutionReport], None],
                          should_stop: Callable[[], bool]) -> None:
        """Block, delivering execution reports from the venue's private stream until should_stop() is true."""

    def close(self) -> None: ...
