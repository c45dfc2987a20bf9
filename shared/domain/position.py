"""Positions built from fills: net quantity, average entry price and realised PnL by average cost."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from shared.domain.enums import Side
from shared.domain.fill import Fill

ZERO = Decimal(0)


@dataclass(slots=True)
class Position:
    """What the fills of one (venue, symbol, account) add up to.

    The average entry price follows the average-cost method: buys into a long (or sells into a short)
    move it; a fill against the position realises (fill price - entry) x closed quantity, in the quote
    currency, and leaves it unchanged; a fill through zero opens the other side at the fill price.
    Fees are kept apart, per asset, as venues charge them in different assets.
    """

    venue: str
    symbol: str
    account: str | None
    net_quantity: Decimal = ZERO
    average_entry_price: Decimal | None = None
    realized_pnl: Decimal = ZERO
    bought_quantity: Decimal = ZERO
    sold_quantity: Decimal = ZERO
    bought_notional: Decimal = ZERO
    sold_notional: Decimal = ZERO
    fees: dict[str, Decimal] = field(default_factory=dict)
    fills: int = 0
    last_fill_at: datetime | None = None

    def apply(self, fill: Fill) -> None:
        quantity, price = fill.quantity, fill.price
        signed = quantity if fill.side is Side.BUY else -quantity
        if fill.side is Side.BUY:
            self.bought_quantity += quantity
            self.bought_notional += quantity * price
        else:
            self.sold_quantity += quantity
            self.sold_notional += quantity * price
        if fill.fee:
            self.fees[fill.fee_asset] = self.fees.get(fill.fee_asset, ZERO) + fill.fee
        self.fills += 1
        if self.last_fill_at is None or fill.time > self.last_fill_at:
            self.last_fill_at = fill.time

        held = self.net_quantity
        if held == 0 or (held > 0) == (signed > 0):
            entry = self.average_entry_price or ZERO
            self.average_entry_price = (abs(held) * entry + quantity * price) / (abs(held) + quantity)
            self.net_quantity = held + signed
            return
        closed = min(quantity, abs(held))
        direction = 1 if held > 0 else -1
        self.realized_pnl += (price - self.average_entry_price) * closed * direction
        self.net_quantity = held + signed
        if self.net_quantity == 0:
            self.average_entry_price = None
        elif (self.net_quantity > 0) != (held > 0):
            self.average_entry_price = price  # through zero: the rest is a new position at this price

    @property
    def average_buy_price(self) -> Decimal | None:
        return self.bought_notional / self.bought_quantity if self.bought_quantity else None

    @property
    def average_sell_price(self) -> Decimal | None:
        return self.sold_notional / self.sold_quantity if self.sold_quantity else None


def positions_from(fills: Iterable[tuple[Fill, str | None]]) -> list[Position]:
    """One position per (venue, symbol, account) from (fill, account) pairs given oldest first."""
    found: dict[tuple[str, str, str | None], Position] = {}
    for fill, account in fills:
        key = (fill.venue, fill.symbol, account)
        position = found.get(key)
        if position is None:
            position = found[key] = Position(fill.venue, fill.symbol, account)
        position.apply(fill)
    return sorted(found.values(), key=lambda p: (p.venue, p.symbol, p.account or ""))
