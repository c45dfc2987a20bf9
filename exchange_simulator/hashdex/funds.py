"""The Hashdex funds' published values, computed from the simulated world.

An offshore ticker (HBTC.BH) answers with the values of its B3 feeder (BITH11): the simulator models one
portfolio per underlying. `inavPerShare` is a decimal string in BRL, as precise as the inputs allow
(rounded to 1e-8), so a client recomputing underlying x price x USD/BRL matches it.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Callable

from exchange_simulator.world import EtfSpec, World

INAV_DIGITS = Decimal("1e-8")


def _plain(value: Decimal) -> str:
    return format(value, "f")


class Funds:
    def __init__(self, world: World, clock_ms: Callable[[], int]):
        self._world = world
        self._clock_ms = clock_ms
        self._by_ticker: dict[str, EtfSpec] = {}
        for spec in world.etfs.values():
            self._by_ticker[spec.symbol] = spec
            self._by_ticker[spec.offshore] = spec

    def find(self, ticker: str) -> EtfSpec | None:
        return self._by_ticker.get(ticker.upper())

    def inav(self, ticker: str, spec: EtfSpec) -> dict | None:
        """The fund's current iNAV, or None while its underlying has no price."""
        price = self._world.underlying_price(spec.symbol)
        inav = self._world.inav(spec.symbol)
        if price is None or inav is None:
            return None
        return {
            "ticker": ticker.upper(),
            "fund": spec.symbol,
            "name": spec.name,
            "inavPerShare": _plain(inav.quantize(INAV_DIGITS, ROUND_HALF_EVEN)),
            "currency": "BRL",
            "underlying": spec.underlying,
            "underlyingPerShare": _plain(spec.underlying_per_share),
            "underlyingPrice": _plain(price),
            "underlyingCurrency": "USD",
            "usdBrl": _plain(self._world.usd_brl()),
            "timestamp": self._clock_ms(),
        }

    @staticmethod
    def pcf(ticker: str, spec: EtfSpec) -> dict:
        """Portfolio composition per share: the underlying held, and no cash (the funds are fully invested)."""
        return {
            "ticker": ticker.upper(),
            "fund": spec.symbol,
            "currency": "BRL",
            "pcf": [{"symbol": spec.underlying, "quantity": _plain(spec.underlying_per_share)},
                    {"symbol": "Cash", "quantity": "0"}],
        }
