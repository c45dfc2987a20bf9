"""Price rules shared by order validation and matching."""
from __future__ import annotations

from decimal import Decimal

from exchange_simulator.engine.book import Level
from exchange_simulator.engine.enums import OrderType, Side

_STOP_LOSS_TYPES = frozenset({OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT})


def stop_triggered(order_type: OrderType, side: Side, stop_price: Decimal, last_price: Decimal) -> bool:
    """Binance's rule: a stop-loss sells when the price falls to the stop, buys when it rises to it;
    a take-profit does the opposite."""
    falling = (side is Side.BUY) != (order_type in _STOP_LOSS_TYPES)
    return last_price <= stop_price if falling else last_price >= stop_price


def crosses(best: Level | None, is_buy: bool, ticks: int) -> bool:
    """Whether an order at `ticks` would trade against the best opposite level."""
    if best is None:
        return False
    return best.ticks <= ticks if is_buy else best.ticks >= ticks
