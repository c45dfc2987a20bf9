"""Instruments and the rules an order must meet before it is sent to a venue."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from shared.domain.enums import InstrumentKind, OrderType
from shared.domain.errors import InstrumentRuleViolation


def round_to_step(value: Decimal, step: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round `value` to a multiple of `step` (returned at the step's precision)."""
    if step <= 0:
        return value
    return ((value / step).to_integral_value(rounding=rounding) * step).quantize(step)


def is_multiple(value: Decimal, step: Decimal) -> bool:
    return step <= 0 or value % step == 0


@dataclass(frozen=True, slots=True)
class Instrument:
    venue: str
    symbol: str
    kind: InstrumentKind
    base: str
    quote: str
    tick_size: Decimal
    step_size: Decimal
    min_quantity: Decimal = Decimal(0)
    max_quantity: Decimal | None = None
    min_notional: Decimal = Decimal(0)
    lot_size: Decimal = Decimal(1)

    @property
    def key(self) -> tuple[str, str]:
        return (self.venue, self.symbol)

    def round_price(self, price: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
        return round_to_step(price, self.tick_size, rounding)

    def round_quantity(self, quantity: Decimal, rounding: str = ROUND_FLOOR) -> Decimal:
        return round_to_step(quantity, self.step_size, rounding)

    def check(self, order_type: OrderType, quantity: Decimal, price: Decimal | None,
              stop_price: Decimal | None, reference_price: Decimal | None = None) -> None:
        """Raise InstrumentRuleViolation for the first rule the order breaks.

        `reference_price` values a MARKET order for the minimum-notional rule; without it the rule is
        left to the venue.
        """
        for field, value in (("price", price), ("stop_price", stop_price)):
            if value is not None and not is_multiple(value, self.tick_size):
                nearest = self.round_price(value)
                raise InstrumentRuleViolation(
                    field, "tick_size",
                    f"{field} {value} is not a multiple of the tick size {self.tick_size}; nearest valid: {nearest}",
                    nearest)
        if self.lot_size > 1 and quantity % self.lot_size != 0:
            nearest = max(round_to_step(quantity, self.lot_size, ROUND_HALF_UP), self.lot_size)
            raise InstrumentRuleViolation(
                "quantity", "lot_size",
                f"quantity {quantity} is not a multiple of the lot size {self.lot_size}; nearest valid: {nearest}",
                nearest)
        if not is_multiple(quantity, self.step_size):
            nearest = max(self.round_quantity(quantity, ROUND_HALF_UP), self.min_quantity, self.step_size)
            raise InstrumentRuleViolation(
                "quantity", "step_size",
                f"quantity {quantity} is not a multiple of the step size {self.step_size}; nearest valid: {nearest}",
                nearest)
        if quantity < self.min_quantity:
            raise InstrumentRuleViolation(
                "quantity", "min_quantity",
                f"quantity {quantity} is below the minimum {self.min_quantity}; nearest valid: {self.min_quantity}",
                self.min_quantity)
        if self.max_quantity is not None and quantity > self.max_quantity:
            raise InstrumentRuleViolation(
                "quantity", "max_quantity",
                f"quantity {quantity} is above the maximum {self.max_quantity}; nearest valid: {self.max_quantity}",
                self.max_quantity)
        valuation = price if order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) else (stop_price or reference_price)
        if self.min_notional > 0 and valuation is not None and valuation > 0:
            notional = quantity * valuation
            if notional < self.min_notional:
                nearest = round_to_step(self.min_notional / valuation, self.step_size, ROUND_CEILING)
                raise InstrumentRuleViolation(
                    "quantity", "min_notional",
                    f"notional {notional.normalize():f} is below the minimum {self.min_notional}; "
                    f"nearest valid quantity at {valuation}: {nearest}",
                    nearest)
