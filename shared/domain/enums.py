"""Closed vocabularies of the domain."""
from enum import Enum


class Side(str, Enum):
    BUY = "BUY"
    SELL = "SELL"

    @property
    def opposite(self) -> "Side":
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(str, Enum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP_MARKET = "STOP_MARKET"
    STOP_LIMIT = "STOP_LIMIT"


class TimeInForce(str, Enum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    DAY = "DAY"
    GTD = "GTD"


class OrderStatus(str, Enum):
    PENDING_NEW = "PENDING_NEW"
    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    PENDING_CANCEL = "PENDING_CANCEL"
    CANCELED = "CANCELED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @property
    def is_terminal(self) -> bool:
        return self in (OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED)


class InstrumentKind(str, Enum):
    SPOT = "spot"
    PERPETUAL = "perpetual"
    FUTURE = "future"
    EQUITY = "equity"
    ETF = "etf"


class Liquidity(str, Enum):
    MAKER = "maker"
    TAKER = "taker"


class EventType(str, Enum):
    ACCEPTED = "order.accepted"
    REJECTED = "order.rejected"
    PARTIALLY_FILLED = "order.partially_filled"
    FILLED = "order.filled"
    CANCELED = "order.canceled"
    CANCEL_REJECTED = "order.cancel_rejected"
    AMENDED = "order.amended"
    EXPIRED = "order.expired"
