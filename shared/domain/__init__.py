"""Domain model of the trading system: pure Python, standard library only."""
from shared.domain.enums import (
    EventType,
    InstrumentKind,
    Liquidity,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from shared.domain.errors import (
    DomainError,
    IllegalTransition,
    InstrumentRuleViolation,
    UnknownInstrument,
    VenueError,
    VenueRejected,
    VenueTemporaryError,
    VenueUnknownOutcome,
)
from shared.domain.events import OrderEvent
from shared.domain.fill import Fill
from shared.domain.instrument import Instrument
from shared.domain.order import Order, TRANSITIONS, TERMINAL_STATUSES
from shared.domain.venue import ExecutionReport, VenueAdapter, VenueFill

__all__ = [
    "EventType", "InstrumentKind", "Liquidity", "OrderStatus", "OrderType", "Side", "TimeInForce",
    "DomainError", "IllegalTransition", "InstrumentRuleViolation", "UnknownInstrument", "VenueError",
    "VenueRejected", "VenueTemporaryError", "VenueUnknownOutcome",
    "OrderEvent", "Fill", "Instrument", "Order", "TRANSITIONS", "TERMINAL_STATUSES",
    "ExecutionReport", "VenueAdapter", "VenueFill",
]
