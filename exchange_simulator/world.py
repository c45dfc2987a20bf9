"""The simulated world: every venue's books, the USD/BRL rate, and the B3 crypto ETFs' fair values.

Each venue has its own engine and synthetic market. Some markets follow others instead of walking on
their own: the USD-M perpetual and Coinbase's BTC-USD follow Binance spot, and each B3 crypto ETF
follows its iNAV = underlying per share x underlying price x USD/BRL. One thread steps them all, so a
move of Binance's BTC price reaches the futures book, Coinbase and BITH11 in the same step.
"""
from __future__ import annotations

import json
import logging
import math
import random
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import resources
from typing import Callable

from exchange_simulator.venue import Venue

logger = logging.getLogger(__name__)

_SECONDS_PER_YEAR = 365.0 * 24 * 3600
FX_TICK = Decimal("0.0001")


class FxRate:
    """USD/BRL as a seeded random walk (BRL per 1 USD)."""

    def __init__(self, rate: Decimal, volatility: float, seed: int) -> None:
        self.rate = rate.quantize(FX_TICK)
        self.volatility = volatility
        self._rng = random.Random(seed)
        self.paused = False

    def step(self, dt_seconds: float) -> None:
        if self.paused or self.volatility <= 0:
            return
        years = dt_seconds / _SECONDS_PER_YEAR
        sigma = self.volatility
        moved = float(self.rate) * math.exp(-0.5 * sigma * sigma * years + sigma * math.sqrt(years) *
                                            self._rng.gauss(0.0, 1.0))
        self.rate = Decimal(moved).quantize(FX_TICK, ROUND_HALF_EVEN)

    def set(self, rate: Decimal) -> None:
        self.rate = rate.quantize(FX_TICK, ROUND_HALF_EVEN)


@dataclass(frozen=True)
class EtfSpec:
    """A B3-listed crypto ETF and its portfolio composition (the PCF)."""

    symbol: str                   # BITH11
    offshore: str                 # HBTC.BH
    underlying: str               # BTC
    underlying_per_share: Decimal  # units of the underlying held per ETF share
    price_venue: str              # where the underlying is priced, e.g. binance-futures
    price_symbol: str             # BTCUSDT
    name: str = ""


@dataclass(frozen=True)
class Follow:
    """A market whose mid is set from elsewhere at every step instead of walking on its own."""

    venue: str
    symbol: str
    source: Callable[["World"], Decimal | None]


class World:
    def __init__(self, venues: dict[str, Venue], fx: FxRate, etfs: dict[str, EtfSpec],
                 follows: list[Follow], step_interval: float) -> None:
        self.venues = venues
        self.fx = fx
        self.etfs = etfs
        self.follows = follows
        self.step_interval = step_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def venue(self, name: str) -> Venue:
        return self.venues[name]

    # -- prices --------------------------------------------------------------------------------------

    def usd_brl(self) -> Decimal:
        return self.fx.rate

    def mid(self, venue: str, symbol: str) -> Decimal | None:
        market = self.venues.get(venue)
        if market is None or symbol not in market.market.symbols:
            return None
        return market.market.mid(symbol)

    def underlying_price(self, etf: str) -> Decimal | None:
        spec = self.etfs[etf]
        return self.mid(spec.price_venue, spec.price_symbol) or self.mid("binance", spec.price_symbol)

    def inav(self, etf: str) -> Decimal | None:
        """Fair value of one ETF share in BRL: underlying per share x underlying price (USD) x USD/BRL."""
        spec = self.etfs[etf]
        price = self.underlying_price(etf)
        if price is None:
            return None
        return spec.underlying_per_share * price * self.usd_brl()

    # -- moving the world ----------------------------------------------------------------------------

    def step(self, dt_seconds: float) -> None:
        for venue in self.venues.values():
            venue.step(dt_seconds)
        self.fx.step(dt_seconds)
        self.propagate()

    def propagate(self) -> None:
        """Bring every following market to its source's current value."""
        for follow in self.follows:
            price = follow.source(self)
            venue = self.venues.get(follow.venue)
            if price is not None and price > 0 and venue is not None and not venue.paused:
                venue.set_mid(follow.symbol, price)

    def set_mid(self, venue: str, symbol: str, price: Decimal) -> None:
        self.venues[venue].set_mid(symbol, price)
        self.propagate()

    def set_usd_brl(self, rate: Decimal) -> None:
        self.fx.set(rate)
        self.propagate()

    @property
    def paused(self) -> bool:
        return all(v.paused for v in self.venues.values())

    def pause(self) -> None:
        for venue in self.venues.values():
            venue.pause()
        self.fx.paused = True

    def resume(self) -> None:
        for venue in self.venues.values():
            venue.resume()
        self.fx.paused = False

    def start(self) -> None:
        """Step every market in the background (no-op when the interval is 0)."""
        self.propagate()
        if self.step_interval <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="synthetic-world", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.step_interval):
            try:
                self.step(self.step_interval)
            except Exception:  # keep the markets alive; the failure is logged once here
                logger.exception("synthetic market step failed")


def load_reference(path: str | None = None, seed: int = 0) -> tuple[FxRate, dict[str, EtfSpec]]:
    """USD/BRL (start, volatility) and the ETFs, from the bundled reference.json (or `path`)."""
    if path is None:
        text = resources.files("exchange_simulator").joinpath("data/reference.json").read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    document = json.loads(text, parse_float=Decimal)
    fx = document["usd_brl"]
    etfs = {
        entry["symbol"]: EtfSpec(
            symbol=entry["symbol"], offshore=entry["offshore"], underlying=entry["underlying"],
            underlying_per_share=Decimal(str(entry["underlying_per_share"])),
            price_venue=entry.get("price_venue", "binance-futures"), price_symbol=entry["price_symbol"],
            name=entry.get("name", ""))
        for entry in document["etfs"]
    }
    return FxRate(Decimal(str(fx["rate"])), float(fx["volatility"]), seed), etfs


def follows_from_markets(venue: str, document: dict) -> list[Follow]:
    """`"follows": {"venue": V, "symbol": S}` or `"follows": {"inav": ETF}` entries of a markets file."""
    follows = []
    for entry in document.get("symbols", []):
        rule = (entry.get("market") or {}).get("follows")
        if not rule:
            continue
        if "inav" in rule:
            follows.append(Follow(venue, entry["symbol"], _inav_of(rule["inav"])))
        else:
            follows.append(Follow(venue, entry["symbol"], _mid_of(rule["venue"], rule["symbol"])))
    return follows


def _inav_of(etf: str) -> Callable[[World], Decimal | None]:
    return lambda world: world.inav(etf)


def _mid_of(venue: str, symbol: str) -> Callable[[World], Decimal | None]:
    return lambda world: world.mid(venue, symbol)
