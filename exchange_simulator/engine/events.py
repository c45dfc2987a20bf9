"""Events the engine emits, synchronously and in order, to its subscribers."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Union

from exchange_simulator.engine.frozen import builder
from exchange_simulator.engine.model import Balance, EngineOrder, Fill, Trade

UpdateKind = Literal["NEW", "TRADE", "CANCELED", "EXPIRED", "REJECTED", "TRIGGERED"]


@dataclass(frozen=True, slots=True)
class OrderUpdated:
    """An order changed; `order` is a snapshot taken right after the change."""

    order: EngineOrder
    fill: Fill | None
    kind: UpdateKind


@dataclass(frozen=True, slots=True)
class TradePrinted:
    trade: Trade


@dataclass(frozen=True, slots=True)
class BookChanged:
    """A symbol's book changed; `bids`/`asks` hold each touched level's new total (zero when gone)."""

    symbol: str
    update_id: int = 0
    bids: tuple[tuple[Decimal, Decimal], ...] = ()
    asks: tuple[tuple[Decimal, Decimal], ...] = ()


@dataclass(frozen=True, slots=True)
class BalancesChanged:
    """Some of an account's balances changed; only those assets are listed."""

    account: str
    balances: dict[str, Balance]


Event = Union[OrderUpdated, TradePrinted, BookChanged, BalancesChanged]

# Built for every order change and trade while someone listens; see `frozen.builder`.
new_order_updated = builder(OrderUpdated)
new_trade_printed = builder(TradePrinted)
