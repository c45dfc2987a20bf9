"""twap: split a quantity into equal MARKET child orders spread evenly over a duration."""
from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.client import OrderServiceUnavailable
from shared.domain import Side

from algo_service.sdk import OrderUpdate, PositiveDecimal, Strategy
from algo_service.strategies.etf_math import to_step


class TwapParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    venue: str = Field(min_length=1)
    symbol: str = Field(min_length=1)
    side: Side
    quantity: PositiveDecimal
    duration: PositiveDecimal = Field(description="seconds over which the slices are spread")
    slices: int = Field(ge=1, le=10_000)
    broker: str | None = Field(None, description="B3 only")
    account: str | None = Field(None, description="B3 only")


def slice_sizes(quantity: Decimal, slices: int, step: Decimal) -> list[Decimal]:
    """Equal slices on the step grid; the last takes what rounding left over."""
    size = to_step(quantity / slices, step, ROUND_FLOOR)
    sizes = [size] * (slices - 1)
    sizes.append(quantity - size * (slices - 1))
    return [s for s in sizes if s > 0]


class Twap(Strategy):
    name = "twap"
    description = "Time-weighted average price: `slices` MARKET child orders spread evenly over `duration` seconds."
    Params = TwapParams

    def on_start(self) -> None:
        p = self.params
        instrument = self.orders.instrument(p.venue, p.symbol)
        self.sizes = slice_sizes(p.quantity, p.slices, Decimal(instrument["step_size"]))
        self.sent = len(self.restored_orders)  # child orders carry their slice number: resume after the last
        self.open: set[str] = {o.id for o in self.restored_orders if o.is_working}
        self.set_timer(float(p.duration) / max(len(self.sizes), 1))
        self._send_next()

    def on_timer(self) -> None:
        self._send_next()

    def on_order_event(self, update: OrderUpdate) -> None:
        if update.order.status.is_terminal:
            self.open.discard(update.order.id)
        self._finish_if_done()

    def _send_next(self) -> None:
        if self.sent >= len(self.sizes):
            self._finish_if_done()
            return
        p = self.params
        quantity = self.sizes[self.sent]
        try:
            order = self.orders.market(p.venue, p.symbol, p.side, quantity, broker=p.broker, account=p.account,
                                       client_order_id=self.orders.client_order_id(f"s{self.sent + 1}"))
        except OrderServiceUnavailable as error:
            self.log.error("slice %d not sent, retried at the next interval: %s", self.sent + 1, error)
            return
        self.sent += 1
        if order.is_working:
            self.open.add(order.id)
        self.log.info("slice %d/%d: %s %s %s -> %s", self.sent, len(self.sizes), p.side.value, quantity, p.symbol,
                      order.status.value)
        self._finish_if_done()

    def _finish_if_done(self) -> None:
        if self.sent >= len(self.sizes) and not self.open:
            self.finish(f"{self.sent} slices sent")
