"""What Coinbase knows beyond the engine: order UUIDs, client ids, configurations, fills and GTD deadlines."""
from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from exchange_simulator.engine import OrderUpdated, Side

FILLS_PER_ACCOUNT = 100_000
ZERO = Decimal(0)


@dataclass
class OrderRecord:
    """One Coinbase order; its live state (sizes, status) is the engine order `engine_id`."""

    order_id: str
    engine_id: int
    account: str
    client_order_id: str
    product_id: str
    side: Side
    kind: str                       # the order_configuration key, e.g. "limit_limit_gtc"
    configuration: dict[str, Any]   # the order_configuration as the client sent it
    created_ms: int
    end_ms: int | None = None       # GTD orders expire then
    expired: bool = False
    number_of_fills: int = 0
    total_fees: Decimal = ZERO
    last_fill_ms: int | None = None


@dataclass(frozen=True)
class CoinbaseFill:
    entry_id: str
    trade_id: str
    order_id: str
    product_id: str
    side: Side
    price: Decimal
    size: Decimal
    commission: Decimal  # in the quote currency, as Coinbase charges it
    is_maker: bool
    time_ms: int


@dataclass
class _Account:
    orders: dict[str, OrderRecord] = field(default_factory=dict)       # by order id, oldest first
    by_client_id: dict[str, OrderRecord] = field(default_factory=dict)
    fills: deque[CoinbaseFill] = field(default_factory=lambda: deque(maxlen=FILLS_PER_ACCOUNT))


class OrderLedger:
    """Batch listener of the venue (runs under the engine lock); read and change it under the lock too."""

    def __init__(self, accounts: Iterable[str]):
        self._accounts = {account: _Account() for account in accounts}
        self._by_engine_id: dict[int, OrderRecord] = {}
        self._gtd: dict[str, OrderRecord] = {}

    def add(self, record: OrderRecord) -> None:
        account = self._accounts[record.account]
        account.orders[record.order_id] = record
        account.by_client_id[record.client_order_id] = record
        self._by_engine_id[record.engine_id] = record
        if record.end_ms is not None:
            self._gtd[record.order_id] = record

    def order(self, account: str, order_id: str) -> OrderRecord | None:
        return self._accounts[account].orders.get(order_id)

    def by_client_id(self, account: str, client_order_id: str) -> OrderRecord | None:
        return self._accounts[account].by_client_id.get(client_order_id)

    def orders(self, account: str) -> list[OrderRecord]:
        """Every order of the account, newest first."""
        return list(reversed(self._accounts[account].orders.values()))

    def fills(self, account: str) -> list[CoinbaseFill]:
        """Every fill of the account, newest first."""
        return list(reversed(self._accounts[account].fills))

    def take_due(self, now_ms: int) -> list[OrderRecord]:
        """GTD orders whose end time has come; each is handed out once."""
        due = [r for r in self._gtd.values() if r.end_ms is not None and r.end_ms <= now_ms]
        for record in due:
            del self._gtd[record.order_id]
        return due

    def on_batch(self, events: list[Any]) -> None:
        for event in events:
            if not isinstance(event, OrderUpdated) or event.fill is None:
                continue
            record = self._by_engine_id.get(event.fill.order_id)
            if record is None:
                continue  # the synthetic market's own orders
            fill = event.fill
            commission = fill.commission if fill.commission_asset != fill.symbol.split("-")[0] \
                else fill.commission * fill.price
            record.number_of_fills += 1
            record.total_fees += commission
            record.last_fill_ms = fill.time_ms
            self._accounts[record.account].fills.append(CoinbaseFill(
                entry_id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{record.order_id}/{fill.trade_id}")),
                trade_id=str(fill.trade_id), order_id=record.order_id, product_id=record.product_id,
                side=fill.side, price=fill.price, size=fill.qty, commission=commission,
                is_maker=fill.is_maker, time_ms=fill.time_ms))
