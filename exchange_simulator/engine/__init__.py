"""Venue-neutral matching engine: price-time priority books, balances and order lifecycle events."""
from exchange_simulator.engine.enums import (
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from exchange_simulator.engine.engine import Engine
from exchange_simulator.engine.errors import EngineError, OrderRejected, UnknownOrder, UnknownSymbol
from exchange_simulator.engine.events import (
    BalancesChanged,
    BookChanged,
    Event,
    OrderUpdated,
    TradePrinted,
)
from exchange_simulator.engine.rules import stop_triggered
from exchange_simulator.engine.model import (
    Balance,
    EngineOrder,
    Fill,
    SubmitResult,
    SymbolSpec,
    Trade,
)

__all__ = [
    "Balance",
    "BalancesChanged",
    "BookChanged",
    "Engine",
    "EngineError",
    "EngineOrder",
    "Event",
    "Fill",
    "OrderRejected",
    "OrderStatus",
    "OrderType",
    "OrderUpdated",
    "RejectReason",
    "SelfTradePrevention",
    "Side",
    "SubmitResult",
    "SymbolSpec",
    "TimeInForce",
    "Trade",
    "TradePrinted",
    "UnknownOrder",
    "UnknownSymbol",
    "stop_triggered",
]
