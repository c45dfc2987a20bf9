"""iNAV of the B3 crypto ETFs: underlying per share x underlying price (USD) x USD/BRL, all in Decimal.

A new value is released only when it moved by at least the threshold since the last released one (or
when whether its inputs are stale changed), so subscribers are not woken by noise below a cent.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Callable

from shared.domain.marketdata import FxRate, Inav, Quote

from market_data_service.feeds.rest_parsing import Composition

INAV_DIGITS = Decimal("1e-8")


def inav_value(per_share: Decimal, price: Decimal, fx_rate: Decimal) -> Decimal:
    return (per_share * price * fx_rate).quantize(INAV_DIGITS, ROUND_HALF_EVEN)


def default_price_symbol(underlying: str) -> str:
    """Binance's USDT-quoted instrument of an underlying: BTC -> BTCUSDT."""
    return f"{underlying.upper()}USDT"


@dataclass(frozen=True, slots=True)
class _Input:
    value: Decimal
    exchange_ts_ns: int | None
    stale: bool


class InavCalculator:
    def __init__(self, price_venue: str, threshold: Decimal, fx_pair: str = "USDBRL", currency: str = "BRL",
                 price_symbol: Callable[[str], str] = default_price_symbol) -> None:
        self.price_venue = price_venue
        self.threshold = threshold
        self.fx_pair = fx_pair
        self.currency = currency
        self._price_symbol = price_symbol
        self._compositions: dict[str, Composition] = {}
        self._prices: dict[str, _Input] = {}
        self._fx: _Input | None = None
        self._released: dict[str, tuple[Decimal, bool]] = {}

    @property
    def source(self) -> str:
        return f"computed:{self.price_venue}"

    def price_symbols(self) -> set[str]:
        return {self._price_symbol(c.underlying) for c in self._compositions.values()}

    def set_composition(self, composition: Composition, receive_ts_ns: int) -> list[tuple[Inav, bool]]:
        self._compositions[composition.etf] = composition
        return self._release([composition.etf], receive_ts_ns)

    def on_quote(self, quote: Quote, stale: bool = False) -> list[tuple[Inav, bool]]:
        """A quote of the pricing venue: its mid prices every ETF holding that instrument."""
        mid = quote.mid
        if quote.venue != self.price_venue or mid is None:
            return []
        self._prices[quote.symbol] = _Input(mid, quote.exchange_ts_ns, stale)
        etfs = [etf for etf, c in self._compositions.items() if self._price_symbol(c.underlying) == quote.symbol]
        return self._release(etfs, quote.receive_ts_ns)

    def on_fx(self, fx: FxRate, stale: bool = False) -> list[tuple[Inav, bool]]:
        if fx.pair != self.fx_pair:
            return []
        self._fx = _Input(fx.rate, fx.exchange_ts_ns, stale)
        return self._release(list(self._compositions), fx.receive_ts_ns)

    def current(self, etf: str, receive_ts_ns: int) -> tuple[Inav, bool] | None:
        """The ETF's iNAV from the latest inputs and whether any input is stale; None while one is missing."""
        composition = self._compositions.get(etf)
        if composition is None or self._fx is None:
            return None
        price = self._prices.get(self._price_symbol(composition.underlying))
        if price is None:
            return None
        stamps = [t for t in (price.exchange_ts_ns, self._fx.exchange_ts_ns) if t is not None]
        inav = Inav(
            symbol=etf, value=inav_value(composition.quantity, price.value, self._fx.value), currency=self.currency,
            underlying=composition.underlying, underlying_per_share=composition.quantity,
            underlying_price=price.value, fx_rate=self._fx.value, source=self.source,
            exchange_ts_ns=max(stamps) if stamps else None, receive_ts_ns=receive_ts_ns,
        )
        return inav, price.stale or self._fx.stale

    def _release(self, etfs: list[str], receive_ts_ns: int) -> list[tuple[Inav, bool]]:
        released = []
        for etf in etfs:
            computed = self.current(etf, receive_ts_ns)
            if computed is None:
                continue
            inav, stale = computed
            previous = self._released.get(etf)
            if previous is None or abs(inav.value - previous[0]) >= self.threshold or stale != previous[1]:
                self._released[etf] = (inav.value, stale)
                released.append((inav, stale))
        return released
