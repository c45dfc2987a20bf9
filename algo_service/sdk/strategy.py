"""The Strategy base class: what a user writes. Callbacks run one at a time, in one thread."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from shared.domain.marketdata import FxRate, Inav, Quote, Trade

from algo_service.sdk.events import OrderUpdate, OrderView
from algo_service.sdk.orders import AlgoOrders


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class StrategyContext:
    """What the runtime gives a strategy: its id, validated params, orders client and reference data."""

    algo_id: str
    params: BaseModel
    orders: AlgoOrders
    hashdex_url: str | None = None
    restored_orders: list[OrderView] = field(default_factory=list)  # rebuilt from the order service


class Strategy:
    """Subclass it, set `name`, `description` and a pydantic `Params` model, and override the callbacks.

    `self.orders` places, amends and cancels orders through the order service (each tagged with this
    algo's id); `self.restored_orders` holds every order the algo placed before a restart.
    Call `self.finish()` when the job is done and `self.set_timer(seconds)` for `on_timer` calls.
    An exception raised by a callback fails the algo: its working orders are canceled.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = NoParams

    def __init__(self, context: StrategyContext) -> None:
        self.context = context
        self.algo_id = context.algo_id
        self.params: Any = context.params
        self.orders = context.orders
        self.restored_orders = context.restored_orders
        self.log = logging.getLogger(f"algo.{type(self).name or type(self).__name__}")
        self.timer_interval: float | None = None
        self.finished_reason: str | None = None

    # -- what the strategy declares --------------------------------------------------------------

    def subscriptions(self) -> list[str]:
        """Market data channels to receive (see shared.domain.marketdata: quote_channel, inav_channel, ...)."""
        return []

    # -- callbacks -------------------------------------------------------------------------------

    def on_start(self) -> None: ...

    def on_quote(self, quote: Quote) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    def on_inav(self, inav: Inav) -> None: ...

    def on_fx(self, fx: FxRate) -> None: ...

    def on_order_event(self, update: OrderUpdate) -> None: ...

    def on_timer(self) -> None: ...

    def on_stop(self) -> None:
        """Called on a graceful stop, before the runtime cancels the algo's working orders."""

    # -- what the strategy can ask of the runtime ------------------------------------------------

    def set_timer(self, seconds: float | None) -> None:
        """Call `on_timer` every `seconds` (None turns the timer off)."""
        self.timer_interval = seconds

    def finish(self, reason: str = "done") -> None:
        """End the algo as FINISHED once the current callback returns."""
        self.finished_reason = reason

    @property
    def finished(self) -> bool:
        return self.finished_reason is not None
