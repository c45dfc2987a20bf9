"""Value objects and the engine's mutable view of an order."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from exchange_simulator.engine.enums import (
    TERMINAL_STATUSES,
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from exchange_simulator.engine.frozen import builder

ZERO = Decimal(0)
_new = object.__new__


@dataclass(frozen=True)
class SymbolSpec:
    """A tradable pair and the filters every order on it must pass."""

    symbol: str
    base_asset: str
    quote_asset: str
    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_price: Decimal
    max_price: Decimal
    min_notional: Decimal
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.001")


@dataclass(slots=True)
class EngineOrder:
    """The engine's view of one order; mutable and owned by the engine (callers get snapshots)."""

    order_id: int
    client_order_id: str
    account: str
    symbol: str
    side: Side
    type: OrderType
    time_in_force: TimeInForce | None
    quantity: Decimal
    price: Decimal | None
    stop_price: Decimal | None
    quote_order_qty: Decimal | None
    status: OrderStatus
    executed_qty: Decimal
    cummulative_quote_qty: Decimal
    created_ms: int
    updated_ms: int
    working_ms: int | None
    is_working: bool
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.EXPIRE_MAKER
    # Balance still held for this order (quote for a BUY, base for a SELL).
    locked: Decimal = ZERO
    resting: bool = field(default=False, repr=False)
    ticks: int = field(default=0, repr=False)  # price in ticks: the book's integer key

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.executed_qty

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES

    def view(self) -> EngineOrder:
        """What callers get: a copy while the order can still change, the order itself once it is final
        (the engine never touches a finished order again)."""
        return self.snapshot() if self.status not in TERMINAL_STATUSES else self

    def snapshot(self) -> EngineOrder:
        """An independent copy, safe to hand out while the engine keeps mutating the original."""
        # Filling a bare instance slot by slot is a third cheaper than the 22-argument __init__; every
        # submit returns one of these.
        copy = _new(EngineOrder)
        copy.order_id = self.order_id
        copy.client_order_id = self.client_order_id
        copy.account = self.account
        copy.symbol = self.symbol
        copy.side = self.side
        copy.type = self.type
        copy.time_in_force = self.time_in_force
        copy.quantity = self.quantity
        copy.price = self.price
        copy.stop_price = self.stop_price
        copy.quote_order_qty = self.quote_order_qty
        copy.status = self.status
        copy.executed_qty = self.executed_qty
        copy.cummulative_quote_qty = self.cummulative_quote_qty
        copy.created_ms = self.created_ms
        copy.updated_ms = self.updated_ms
        copy.working_ms = self.working_ms
        copy.is_working = self.is_working
        copy.self_trade_prevention = self.self_trade_prevention
        copy.locked = self.locked
        copy.resting = self.resting
        copy.ticks = self.ticks
        return copy


@dataclass(frozen=True, slots=True)
class Fill:
    """One side of one trade, as that order's owner sees it."""

    trade_id: int
    order_id: int
    account: str
    symbol: str
    side: Side
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    commission: Decimal
    commission_asset: str
    is_maker: bool
    time_ms: int


@dataclass(frozen=True, slots=True)
class Trade:
    """The public print of one trade."""

    trade_id: int
    symbol: str
    price: Decimal
    qty: Decimal
    buyer_order_id: int
    seller_order_id: int
    buyer_is_maker: bool
    time_ms: int


@dataclass(frozen=True, slots=True)
class Balance:
    free: Decimal
    locked: Decimal

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


@dataclass(frozen=True, slots=True)
class SubmitResult:
    order: EngineOrder
    fills: list[Fill]


# The engine builds these on every order and trade; see `frozen.builder`.
new_fill = builder(Fill)
new_trade = builder(Trade)
new_submit_result = builder(SubmitResult)
