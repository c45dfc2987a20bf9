"""Executions of an order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.domain.enums import Liquidity, Side


@dataclass(frozen=True, slots=True)
class Fill:
    fill_id: str
    order_id: str
    venue: str
    symbol: str
    side: Side
    venue_trade_id: str  # the de-duplication key, unique per (venue, symbol)
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    liquidity: Liquidity | None
    time: datetime

    @property
    def notional(self) -> Decimal:
        return self.quantity * self.price
