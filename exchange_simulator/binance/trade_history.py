"""The executions of the simulated accounts, kept for GET /api/v3/myTrades."""
from __future__ import annotations

from collections import deque
from typing import Any, Iterable

from exchange_simulator.engine import Fill, OrderUpdated

HISTORY_PER_ACCOUNT = 100_000


class TradeHistory:
    """Batch listener of the venue (runs under the engine lock); read it under the lock too."""

    def __init__(self, accounts: Iterable[str], limit: int = HISTORY_PER_ACCOUNT):
        # Only the configured accounts: the synthetic maker and flow trade far too often to keep.
        self._fills: dict[str, deque[Fill]] = {account: deque(maxlen=limit) for account in accounts}

    def on_batch(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, OrderUpdated) and event.fill is not None:
                history = self._fills.get(event.fill.account)
                if history is not None:
                    history.append(event.fill)

    def fills(self, account: str, symbol: str, *, order_id: int | None = None, from_id: int | None = None,
              start_ms: int | None = None, end_ms: int | None = None, limit: int = 500) -> list[Fill]:
        """Matching fills in trade-id order: from ``from_id`` on, or else the most recent ``limit``."""
        rows = [
            f for f in self._fills.get(account, ())
            if f.symbol == symbol
            and (order_id is None or f.order_id == order_id)
            and (from_id is None or f.trade_id >= from_id)
            and (start_ms is None or f.time_ms >= start_ms)
            and (end_ms is None or f.time_ms <= end_ms)
        ]
        rows.sort(key=lambda f: f.trade_id)
        return rows[:limit] if from_id is not None else rows[-limit:]
