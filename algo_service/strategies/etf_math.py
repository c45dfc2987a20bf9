"""Pricing and hedge arithmetic of the ETF-vs-iNAV strategy: Decimal in, Decimal out, no I/O."""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from shared.domain import Side


def to_step(value: Decimal, step: Decimal, rounding: str = ROUND_FLOOR) -> Decimal:
    return (value / step).to_integral_value(rounding=rounding) * step


def implied_price(inav: Decimal, side: Side, spread: Decimal) -> Decimal:
    """Where to rest: iNAV x (1 - spread) to buy, iNAV x (1 + spread) to sell."""
    return inav * (1 - spread) if side is Side.BUY else inav * (1 + spread)


def quote_price(inav: Decimal, side: Side, spread: Decimal, tick: Decimal) -> Decimal:
    """The implied price on the tick grid, rounded away from the iNAV so the spread is never narrowed."""
    rounding = ROUND_FLOOR if side is Side.BUY else ROUND_CEILING
    return to_step(implied_price(inav, side, spread), tick, rounding)


def needs_reprice(resting: Decimal, implied: Decimal, threshold: Decimal) -> bool:
    """True when the iNAV-implied price has moved more than `threshold` (a fraction) from the resting price."""
    return abs(implied - resting) > resting * threshold


def hedge_target(filled_shares: Decimal, underlying_per_share: Decimal, step: Decimal) -> Decimal:
    """Underlying to hold against `filled_shares`, on the hedge venue's step grid (rounded down).

    Computed from the cumulative fill, so what one fill leaves below the step is carried into the next
    and the hedge never drifts more than one step from exact.
    """
    return to_step(filled_shares * underlying_per_share, step)


def hedge_quantity(target: Decimal, hedged: Decimal, *, min_quantity: Decimal, min_notional: Decimal,
                   price: Decimal | None) -> Decimal:
    """What to send now: the shortfall, or zero while it is below the venue's minimum size or notional."""
    shortfall = target - hedged
    if shortfall <= 0 or shortfall < min_quantity:
        return Decimal(0)
    if min_notional > 0 and price is not None and shortfall * price < min_notional:
        return Decimal(0)
    return shortfall
