"""spread-crypto-etf: rest a B3 limit order around a crypto ETF's iNAV and hedge every fill on Binance futures."""
from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Literal

import requests
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.client import OrderRequestRejected, OrderServiceUnavailable
from shared.domain import Side
from shared.domain.marketdata import Inav, inav_channel

from algo_service.sdk import Fraction, OrderUpdate, OrderView, PositiveDecimal, Strategy
from algo_service.strategies.etf_math import (
    hedge_quantity,
    hedge_target,
    implied_price,
    needs_reprice,
    quote_price,
)

ETF_UNDERLYING_FUTURES = {"BITH11": "BTCUSDT", "ETHE11": "ETHUSDT", "SOLH11": "SOLUSDT"}
B3 = "b3"
RETRY_SECONDS = 1.0


class EtfSymbol(str, Enum):
    BITH11 = "BITH11"
    ETHE11 = "ETHE11"
    SOLH11 = "SOLH11"


class SpreadCryptoEtfParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    broker: str = Field(min_length=1, description="B3 broker code")
    account: str = Field(min_length=1, description="B3 account")
    symbol: EtfSymbol
    side: Side = Field(description="BUY rests below the iNAV, SELL above it")
    quantity: PositiveDecimal = Field(description="ETF shares to trade in total (whole shares)")
    spread_threshold: Fraction = Field(Decimal("0.005"), description="distance from the iNAV, e.g. 0.005 = 0.5%")
    reprice_threshold: Fraction = Field(Decimal("0.0015"),
                                        description="amend when the implied price moves more than this fraction")
    max_clip: PositiveDecimal | None = Field(None, description="most shares resting at once (default: all)")
    hedge_venue: Literal["binance-futures"] = "binance-futures"
    hedge_symbol: str | None = Field(None, description="default: the ETF's underlying USD-M perpetual, e.g. BTCUSDT")

    @model_validator(mode="after")
    def _whole_shares(self) -> "SpreadCryptoEtfParams":
        for name in ("quantity", "max_clip"):
            value = getattr(self, name)
            if value is not None and value != value.to_integral_value():
                raise _FieldError(name, "must be a whole number of shares (B3 ETFs trade in lots of 1)")
        return self


class _FieldError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class SpreadCryptoEtf(Strategy):
    name = "spread-crypto-etf"
    description = ("Rests a B3 LIMIT order on a crypto ETF at iNAV x (1 -/+ spread), amends it as the iNAV moves, "
                   "and hedges every fill with the opposite MARKET order on Binance USD-M futures.")
    Params = SpreadCryptoEtfParams

    def on_start(self) -> None:
        p = self.params
        self.side: Side = p.side
        self.symbol: str = p.symbol.value
        self.hedge_symbol: str = p.hedge_symbol or ETF_UNDERLYING_FUTURES[self.symbol]
        b3 = self.orders.instrument(B3, self.symbol)
        hedge = self.orders.instrument(p.hedge_venue, self.hedge_symbol)
        self.tick = Decimal(b3["tick_size"])
        self.hedge_step = Decimal(hedge["step_size"])
        self.hedge_min_qty = Decimal(hedge["min_quantity"])
        self.hedge_min_notional = Decimal(hedge["min_notional"])
        self.underlying_per_share: Decimal | None = self._pcf()
        self.underlying_price: Decimal | None = None
        self.inav: Decimal | None = None
        self.quotes: dict[str, OrderView] = {}   # B3 orders by id
        self.hedges: dict[str, OrderView] = {}   # hedge orders by id
        self.pending_hedge: tuple[str, Decimal] | None = None  # (client order id, quantity): outcome unknown
        self.degraded = False
        for order in self.restored_orders:
            self._remember(order)
        self.set_timer(RETRY_SECONDS)
        self.log.info("started: %s %s %s, %s filled, %s hedged", self.side.value, p.quantity, self.symbol,
                      self.filled, self.hedged)
        self._hedge()
        self._finish_if_done()

    def subscriptions(self) -> list[str]:
        return [inav_channel(self.params.symbol.value)]

    # -- state -----------------------------------------------------------------------------------

    def _remember(self, order: OrderView) -> None:
        if order.venue == B3 and order.symbol == self.symbol:
            self.quotes[order.id] = order
        elif order.venue == self.params.hedge_venue and order.symbol == self.hedge_symbol:
            self.hedges[order.id] = order

    @property
    def filled(self) -> Decimal:
        return sum((o.filled_quantity for o in self.quotes.values()), Decimal(0))

    @property
    def hedged(self) -> Decimal:
        """Hedge sent: filled for the orders that ended, ordered for those still working; none if rejected."""
        return sum((o.filled_quantity if o.status.is_terminal else o.quantity for o in self.hedges.values()),
                   Decimal(0))

    @property
    def working_quote(self) -> OrderView | None:
        return next((o for o in self.quotes.values() if o.is_working), None)

    # -- callbacks -------------------------------------------------------------------------------

    def on_inav(self, inav: Inav) -> None:
        self.inav = inav.value
        self.underlying_price = inav.underlying_price
        if inav.underlying_per_share:
            self.underlying_per_share = self.underlying_per_share or inav.underlying_per_share
        if not self.degraded:
            self._hedge()   # owed since a restart, or carried until the price made it worth a full step
            self._quote()

    def on_order_event(self, update: OrderUpdate) -> None:
        order = update.order
        self._remember(order)
        if order.venue == B3 and update.fill is not None:
            self.log.info("B3 fill %s @ %s (%s of %s filled)", update.fill.quantity, update.fill.price, self.filled,
                          self.params.quantity)
            self._hedge()
        elif order.venue == B3 and update.type == "order.rejected":
            self.log.error("B3 order %s rejected: %s", order.client_order_id, update.reason or order.reject_reason)
        elif order.venue != B3 and update.type == "order.rejected":
            self.log.error("hedge order %s rejected: %s; retried with the next fill", order.client_order_id,
                           update.reason or order.reject_reason)
        self._finish_if_done()
        if order.venue == B3 and not order.is_working and not self.degraded:
            self._quote()  # the next clip, at the current iNAV

    def on_timer(self) -> None:
        if self.pending_hedge is not None:
            self._hedge()
        elif self.degraded:
            try:
                for order in self.orders.working():
                    self._remember(order)
            except OrderServiceUnavailable:
                return
            self.degraded = False
            self.log.info("order service reachable again: quoting resumes")
            self._hedge()
            self._quote()
        elif not self.degraded:
            self._quote()   # after a rejected or lost quote: no new iNAV may come for a while
        self._finish_if_done()

    def on_stop(self) -> None:
        quote = self.working_quote
        if quote is not None:
            try:
                self.orders.cancel(quote.id)
            except OrderRequestRejected:
                pass  # it ended meanwhile; the runtime's cancel of working orders double-checks
        self.log.info("stopping with %s %s filled and %s %s hedged", self.filled, self.symbol, self.hedged,
                      self.hedge_symbol)

    # -- quoting ---------------------------------------------------------------------------------

    def _quote(self) -> None:
        if self.inav is None or self.finished:
            return
        remaining = self.params.quantity - self.filled
        if remaining <= 0:
            return
        spread = self.params.spread_threshold
        price = quote_price(self.inav, self.side, spread, self.tick)
        quote = self.working_quote
        try:
            if quote is None:
                clip = min(remaining, self.params.max_clip or remaining)
                order = self.orders.limit(B3, self.symbol, self.side, clip, price, broker=self.params.broker,
                                          account=self.params.account,
                                          client_order_id=self.orders.client_order_id(f"q{len(self.quotes) + 1}"))
                self._remember(order)
                self.log.info("quoting %s %s %s @ %s (iNAV %s)", self.side.value, clip, self.symbol, price, self.inav)
            elif quote.price is not None and price != quote.price and needs_reprice(
                    quote.price, implied_price(self.inav, self.side, spread), self.params.reprice_threshold):
                self._remember(self.orders.amend(quote.id, price=price))
                self.log.info("amended %s to %s (iNAV %s)", quote.id, price, self.inav)
        except OrderServiceUnavailable as error:
            self._degrade(error)
        except OrderRequestRejected as error:
            if error.status == 409:  # the order ended meanwhile (filled or canceled): its event follows
                return
            raise

    def _degrade(self, error: Exception) -> None:
        if not self.degraded:
            self.log.error("order service unavailable, quoting stops until it answers: %s", error)
        self.degraded = True

    # -- hedging ---------------------------------------------------------------------------------

    def _hedge(self) -> None:
        """Send the hedge owed for every B3 share filled so far; an unknown outcome is resolved first."""
        if self.pending_hedge is not None:
            client_order_id, quantity = self.pending_hedge
        else:
            if not self.underlying_per_share:
                return
            target = hedge_target(self.filled, self.underlying_per_share, self.hedge_step)
            quantity = hedge_quantity(target, self.hedged, min_quantity=self.hedge_min_qty,
                                      min_notional=self.hedge_min_notional, price=self.underlying_price)
            if quantity <= 0:
                return
            client_order_id = self.orders.client_order_id(f"h{format(self.filled.normalize(), 'f')}")
        try:
            # The same client order id as any earlier attempt: the order service returns that order, never a second.
            order = self.orders.market(self.params.hedge_venue, self.hedge_symbol, self.side.opposite, quantity,
                                       client_order_id=client_order_id)
        except OrderServiceUnavailable as error:
            self.pending_hedge = (client_order_id, quantity)
            self._degrade(error)
            return
        except OrderRequestRejected as error:
            self.pending_hedge = None
            self.log.error("hedge of %s %s refused: %s", quantity, self.hedge_symbol, error)
            return
        self.pending_hedge = None
        self._remember(order)
        self.log.info("hedged %s %s %s (%s)", self.side.opposite.value, quantity, self.hedge_symbol, order.status.value)

    def _finish_if_done(self) -> None:
        if self.filled >= self.params.quantity and self.pending_hedge is None and self.working_quote is None:
            self.finish(f"{self.filled} {self.symbol} filled, {self.hedged} {self.hedge_symbol} hedged")

    def _pcf(self) -> Decimal | None:
        """Underlying per share from the fund's published composition, when a Hashdex endpoint is configured."""
        url = self.context.hashdex_url
        if not url:
            return None
        try:
            body = requests.get(f"{url}/pcf/{self.symbol}", timeout=2).json()
        except (requests.RequestException, ValueError):
            self.log.warning("PCF of %s unavailable; using the iNAV feed's underlying per share", self.symbol)
            return None
        for line in body.get("pcf", []):
            if line.get("symbol") != "Cash":
                return Decimal(str(line["quantity"]))
        return None
