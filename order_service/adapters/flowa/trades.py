"""The account's executions, read from GET /api/trading/trades by index and kept per strategy.

Flowa's order snapshots carry the executed quantity but no trade ids; every fill the system records
needs its venue trade id, so fills come from the trade list. A cursor keeps each poll incremental.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from order_service.adapters.flowa.parsing import parse_trade
from shared.domain.errors import VenueError
from shared.domain.venue import VenueFill

log = logging.getLogger(__name__)

MAX_STRATEGIES = 50_000
MAX_PAGES_PER_POLL = 1_000


class TradeTracker:
    def __init__(self, fetch: Callable[[int], list[dict[str, Any]]], max_strategies: int = MAX_STRATEGIES) -> None:
        """`fetch(index)` returns the trades from that index on (an empty list once there are no more)."""
        self._fetch = fetch
        self._max_strategies = max_strategies
        self._lock = threading.Lock()
        self._cursor = 0
        self._fills: OrderedDict[str, dict[str, VenueFill]] = OrderedDict()

    def poll(self) -> int:
        """Read the trades made since the last poll; returns how many. Raises VenueError."""
        with self._lock:
            read = 0
            for _ in range(MAX_PAGES_PER_POLL):
                page = self._fetch(self._cursor)
                if not isinstance(page, list) or not page:
                    break
                for row in page:
                    self._keep(row)
                    index = row.get("Index") if isinstance(row, dict) else None
                    self._cursor = index + 1 if isinstance(index, int) else self._cursor + 1
                read += len(page)
            return read

    def fills_of(self, strategy_id: str) -> list[VenueFill]:
        with self._lock:
            return list(self._fills.get(strategy_id, {}).values())

    def poll_quietly(self) -> None:
        """Poll, logging instead of raising: the caller can do without the fills for now."""
        try:
            self.poll()
        except VenueError as exc:
            log.warning("flowa trades not read: %s", exc)

    def _keep(self, row: Any) -> None:
        try:
            strategy_id, fill = parse_trade(row)
        except (KeyError, TypeError, ValueError, ArithmeticError, VenueError) as exc:
            log.error("flowa trade could not be read and is skipped: %r (%r)", row, exc)
            return
        fills = self._fills.get(strategy_id)
        if fills is None:
            fills = self._fills[strategy_id] = {}
            if len(self._fills) > self._max_strategies:
                self._fills.popitem(last=False)
        fills[fill.venue_trade_id] = fill
