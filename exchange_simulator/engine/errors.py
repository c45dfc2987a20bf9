"""Errors the engine raises; each carries a venue-neutral reason a dialect maps to its own code."""
from __future__ import annotations

from exchange_simulator.engine.enums import RejectReason


class EngineError(Exception):
    """Base of every engine error."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        super().__init__(detail or reason.value)
        self.reason = reason
        self.detail = detail or reason.value


class OrderRejected(EngineError):
    """A submit was refused; the book and the balances are exactly as before the call."""


class UnknownOrder(EngineError):
    """No such order for that account and symbol (or it is no longer open, for a cancel)."""

    def __init__(self, detail: str = "unknown order") -> None:
        super().__init__(RejectReason.UNKNOWN_ORDER, detail)


class UnknownSymbol(OrderRejected):
    def __init__(self, symbol: str) -> None:
        super().__init__(RejectReason.UNKNOWN_SYMBOL, f"unknown symbol {symbol!r}")
