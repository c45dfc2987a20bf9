"""What the Flowa dialect remembers: each simple order (a "strategy") and each account's trades.

A strategy outlives the engine orders behind it: Flowa amends in place, which the engine does as a
cancel and a new order, so a strategy maps to its current engine order and keeps its id, CustomId and
executed quantity across amendments. Read and change this state under the venue's session lock.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

HISTORY_LIMIT = 100_000
ZERO = Decimal(0)


class Status(str, Enum):
    PENDING_CREATE = "PENDING_CREATE"
    OPEN = "OPEN"
    PARTIALLY_EXECUTED = "PARTIALLY_EXECUTED"
    TOTALLY_EXECUTED = "TOTALLY_EXECUTED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    FINISHED = "FINISHED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({Status.TOTALLY_EXECUTED, Status.CANCELLED, Status.REJECTED, Status.FINISHED})


@dataclass
class Strategy:
    """One simple order as Flowa shows it."""

    strategy_id: str
    account: str             # the simulator account (engine balances)
    user: str                # the API client that sent it
    broker: str
    flowa_account: str       # the B3 account named in the request
    symbol: str
    side: str
    order_type: str
    time_in_force: str
    quantity: int
    price: Decimal | None
    stop_price: Decimal | None
    custom_id: str | None
    memo: str | None
    send_time_ms: int
    display_quantity: int | None = None
    expire_date: str | None = None
    status: Status = Status.PENDING_CREATE
    executed: Decimal = ZERO
    notional: Decimal = ZERO
    error: str | None = None
    engine_order_id: int | None = None
    generation: int = 0      # how many engine orders have stood for it

    @property
    def average_price(self) -> Decimal:
        return self.notional / self.executed if self.executed else ZERO

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.executed

    def settle_status(self, engine_order_open: bool) -> None:
        """The status that follows from the executions and whether the engine order still works."""
        if self.status.is_final:
            return
        if self.executed >= self.quantity:
            self.status = Status.TOTALLY_EXECUTED
        elif not engine_order_open:
            self.status = Status.CANCELLED
        elif self.executed > 0:
            self.status = Status.PARTIALLY_EXECUTED
        else:
            self.status = Status.OPEN


@dataclass(frozen=True)
class TradeRecord:
    index: int               # position in the account's trade list: the cursor of GET /api/trading/trades
    trade_id: str            # the ATG trade id
    exchange_trade_id: str   # the matching engine's trade id
    strategy: Strategy = field(compare=False, repr=False)
    quantity: Decimal = ZERO
    price: Decimal = ZERO
    time_ms: int = 0


class StrategyBook:
    def __init__(self, history_limit: int = HISTORY_LIMIT) -> None:
        self._by_id: OrderedDict[str, Strategy] = OrderedDict()
        self._by_custom: dict[tuple[str, str], Strategy] = {}
        self._by_engine: dict[int, Strategy] = {}
        self._history_limit = history_limit

    def add(self, strategy: Strategy) -> None:
        self._by_id[strategy.strategy_id] = strategy
        if strategy.custom_id:
            self._by_custom[(strategy.account, strategy.custom_id)] = strategy
        if len(self._by_id) > self._history_limit:
            self._forget_oldest_finished()

    def get(self, account: str, strategy_id: str) -> Strategy | None:
        strategy = self._by_id.get(strategy_id)
        return strategy if strategy is not None and strategy.account == account else None

    def by_custom_id(self, account: str, custom_id: str) -> Strategy | None:
        return self._by_custom.get((account, custom_id))

    def by_engine_order(self, order_id: int) -> Strategy | None:
        return self._by_engine.get(order_id)

    def bind(self, strategy: Strategy, order_id: int) -> None:
        """Make `order_id` the engine order that works this strategy now."""
        if strategy.engine_order_id is not None:
            self._by_engine.pop(strategy.engine_order_id, None)
        strategy.engine_order_id = order_id
        strategy.generation += 1
        self._by_engine[order_id] = strategy

    def unbind(self, order_id: int) -> None:
        self._by_engine.pop(order_id, None)

    def of_account(self, account: str) -> list[Strategy]:
        return [s for s in self._by_id.values() if s.account == account]

    def _forget_oldest_finished(self) -> None:
        for strategy_id, strategy in list(self._by_id.items()):
            if len(self._by_id) <= self._history_limit:
                return
            if strategy.status.is_final:
                del self._by_id[strategy_id]
                if strategy.custom_id and self._by_custom.get((strategy.account, strategy.custom_id)) is strategy:
                    del self._by_custom[(strategy.account, strategy.custom_id)]


class TradeLog:
    """Each account's executions in order; indexes stay stable when the oldest are forgotten."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self._trades: dict[str, deque[TradeRecord]] = {}
        self._next_index: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._limit = limit

    def record(self, strategy: Strategy, exchange_trade_id: int, quantity: Decimal, price: Decimal,
               time_ms: int) -> TradeRecord:
        account = strategy.account
        index = self._next_index.get(account, 0)
        self._next_index[account] = index + 1
        trade = TradeRecord(index, str(next(self._ids)), str(exchange_trade_id), strategy, quantity, price, time_ms)
        self._trades.setdefault(account, deque(maxlen=self._limit)).append(trade)
        return trade

    def since(self, account: str, index: int, limit: int) -> list[TradeRecord]:
        trades = self._trades.get(account, ())
        if not trades:
            return []
        start = max(index - trades[0].index, 0)
        return list(itertools.islice(trades, start, start + limit))
