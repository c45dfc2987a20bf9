"""Synthetic markets: a seeded random walk per symbol, a market maker quoting around it and flow that
trades the book to each new mid, so resting orders priced through the move get filled in queue order.

Also the loader of the markets file (symbol filters plus market parameters); the bundled default lives
in exchange_simulator/data/markets.json.
"""
from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from importlib import resources
from pathlib import Path

from exchange_simulator.engine import (
    Engine,
    OrderRejected,
    OrderType,
    Side,
    SymbolSpec,
    TimeInForce,
)

logger = logging.getLogger(__name__)

_SECONDS_PER_YEAR = 365.0 * 24 * 3600
_BPS = Decimal("0.0001")
# Large enough never to run out, small enough that balances keep every digit in a 28-digit context.
_UNLIMITED = Decimal("1000000000000")
_SIZE_JITTER = 0.2  # maker level sizes vary by up to +/-10 %


@dataclass(frozen=True)
class MarketConfig:
    symbol: str
    mid: Decimal
    volatility: Decimal  # annualised, e.g. 0.6
    levels: int = 10
    level_spacing_bps: Decimal = Decimal("1")
    level_qty: Decimal = Decimal("1")
    spread_bps: Decimal = Decimal("2")


class _SymbolState:
    __slots__ = ("config", "spec", "mid", "sigma", "grid")

    def __init__(self, config: MarketConfig, spec: SymbolSpec) -> None:
        self.config = config
        self.spec = spec
        self.mid = config.mid
        self.sigma = float(config.volatility)
        # Quotes sit on a fixed price grid, so a small move of the mid leaves most of them (and their
        # queue position) in place instead of re-quoting every level on every step.
        spacing = _round_to(config.mid * config.level_spacing_bps * _BPS, spec.tick_size, ROUND_HALF_EVEN)
        self.grid = max(spec.tick_size, spacing)


class SyntheticMarket:
    def __init__(
        self,
        engine: Engine,
        configs: Iterable[MarketConfig],
        seed: int,
        maker_account: str = "__mm__",
        taker_account: str = "__flow__",
    ) -> None:
        self.engine = engine
        self.maker_account = maker_account
        self.taker_account = taker_account
        self.paused = False
        self._rng = random.Random(seed)
        self._states: dict[str, _SymbolState] = {}
        for config in configs:
            spec = engine.symbols.get(config.symbol)
            if spec is None:
                raise ValueError(f"no symbol {config.symbol} in the engine for its synthetic market")
            state = _SymbolState(config, spec)
            state.mid = _clamp(_round_to(config.mid, spec.tick_size, ROUND_HALF_EVEN), spec)
            self._states[config.symbol] = state
            for account in (maker_account, taker_account):
                engine.deposit(account, spec.base_asset, _UNLIMITED)
                engine.deposit(account, spec.quote_asset, _UNLIMITED)
        for state in self._states.values():
            self._requote(state)

    @property
    def symbols(self) -> list[str]:
        return list(self._states)

    def mid(self, symbol: str) -> Decimal:
        return self._state(symbol).mid

    def step(self, dt_seconds: float) -> None:
        """Advance every market by `dt_seconds` of geometric Brownian motion (nothing while paused)."""
        if self.paused:
            return
        years = dt_seconds / _SECONDS_PER_YEAR
        for state in self._states.values():
            shock = self._rng.gauss(0.0, 1.0)
            sigma = state.sigma
            moved = float(state.mid) * math.exp(-0.5 * sigma * sigma * years + sigma * math.sqrt(years) * shock)
            self._move(state, _clamp(_round_to(Decimal(moved), state.spec.tick_size, ROUND_HALF_EVEN), state.spec))

    def set_mid(self, symbol: str, price: Decimal) -> None:
        """Move a market straight to `price` (rounded to the tick), trading through whatever rests on the way."""
        state = self._state(symbol)
        self._move(state, _clamp(_round_to(Decimal(price), state.spec.tick_size, ROUND_HALF_EVEN), state.spec))

    # ---------------------------------------------------------------- internals

    def _state(self, symbol: str) -> _SymbolState:
        state = self._states.get(symbol)
        if state is None:
            raise KeyError(f"no synthetic market for {symbol}")
        return state

    def _move(self, state: _SymbolState, target: Decimal) -> None:
        state.mid = target
        self._trade_through(state, target)
        self._requote(state)

    def _trade_through(self, state: _SymbolState, target: Decimal) -> None:
        """Take every order priced at or through the new mid, best price and oldest order first."""
        engine, spec = self.engine, state.spec
        # Never below the minimum notional, so that a small remainder left on the book is still reachable.
        floor_qty = max(spec.min_qty, _round_to(spec.min_notional / target, spec.step_size, ROUND_CEILING))
        while True:
            bids, asks = engine.depth(spec.symbol, limit=1_000_000)
            if asks and asks[0][0] <= target:
                side, through = Side.BUY, sum(q for p, q in asks if p <= target)
            elif bids and bids[0][0] >= target:
                side, through = Side.SELL, sum(q for p, q in bids if p >= target)
            else:
                return
            quantity = min(max(through, floor_qty), spec.max_qty)
            before = engine.update_id(spec.symbol)
            try:
                engine.submit(
                    self.taker_account, spec.symbol, side, OrderType.LIMIT,
                    quantity=quantity, price=target, time_in_force=TimeInForce.IOC,
                )
            except OrderRejected as exc:
                logger.warning("synthetic flow on %s refused: %s", spec.symbol, exc.detail)
                return
            if engine.update_id(spec.symbol) == before:
                return

    def _requote(self, state: _SymbolState) -> None:
        """Keep the maker's resting quotes that still fit the ladder around the mid; replace the rest."""
        engine, spec, config = self.engine, state.spec, state.config
        wanted = self._ladder(state)
        half_size = config.level_qty / 2
        kept: set[tuple[Side, Decimal]] = set()
        for order in engine.open_orders(self.maker_account, spec.symbol):
            key = (order.side, order.price)
            if key in wanted and key not in kept and order.remaining >= half_size:
                kept.add(key)
            else:
                engine.cancel(self.maker_account, spec.symbol, order_id=order.order_id)
        for key in wanted:
            if key in kept:
                continue
            side, price = key
            jitter = Decimal(repr(1.0 + _SIZE_JITTER * (self._rng.random() - 0.5)))
            quantity = max(spec.min_qty, _round_to(config.level_qty * jitter, spec.step_size, ROUND_FLOOR))
            try:
                engine.submit(self.maker_account, spec.symbol, side, OrderType.LIMIT_MAKER, quantity=quantity, price=price)
            except OrderRejected as exc:
                logger.debug("maker quote %s %s@%s on %s skipped: %s", side.value, quantity, price, spec.symbol, exc.detail)

    @staticmethod
    def _ladder(state: _SymbolState) -> list[tuple[Side, Decimal]]:
        """The maker's price levels, best first on each side: grid prices outside half the spread."""
        spec, config, mid, grid = state.spec, state.config, state.mid, state.grid
        half_spread = mid * config.spread_bps / 2 * _BPS
        best_bid = _round_to(mid - half_spread, grid, ROUND_FLOOR)
        if best_bid >= mid:
            best_bid -= grid
        best_ask = _round_to(mid + half_spread, grid, ROUND_CEILING)
        if best_ask <= mid:
            best_ask += grid
        ladder: list[tuple[Side, Decimal]] = []
        for level in range(config.levels):
            bid, ask = best_bid - grid * level, best_ask + grid * level
            if bid >= spec.min_price:
                ladder.append((Side.BUY, bid))
            if ask <= spec.max_price:
                ladder.append((Side.SELL, ask))
        return ladder


def _round_to(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).to_integral_value(rounding=rounding) * step


def _clamp(price: Decimal, spec: SymbolSpec) -> Decimal:
    return min(max(price, spec.min_price), spec.max_price)


# -------------------------------------------------------------------- markets file

_SPEC_FIELDS = (
    "tick_size", "step_size", "min_qty", "max_qty", "min_price", "max_price", "min_notional",
)


def load_markets(path: str | None = None) -> tuple[list[SymbolSpec], list[MarketConfig]]:
    """Symbol specs and synthetic market configs from a markets file (the bundled one when `path` is None)."""
    if path is None:
        source = "bundled markets.json"
        text = resources.files("exchange_simulator").joinpath("data/markets.json").read_text(encoding="utf-8")
    else:
        source = path
        text = Path(path).read_text(encoding="utf-8")
    try:
        document = json.loads(text, parse_float=Decimal)
        entries = document["symbols"]
        specs, configs = [], []
        for entry in entries:
            specs.append(_spec_from(entry))
            if "market" in entry:
                configs.append(_config_from(entry["symbol"], entry["market"]))
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"{source}: not a valid markets file ({type(exc).__name__}: {exc})") from exc
    return specs, configs


def default_symbol_specs() -> list[SymbolSpec]:
    return load_markets(None)[0]


def default_market_configs() -> list[MarketConfig]:
    return load_markets(None)[1]


def _spec_from(entry: dict) -> SymbolSpec:
    optional = {name: Decimal(str(entry[name])) for name in ("maker_fee", "taker_fee") if name in entry}
    return SymbolSpec(
        symbol=str(entry["symbol"]),
        base_asset=str(entry["base_asset"]),
        quote_asset=str(entry["quote_asset"]),
        **{name: Decimal(str(entry[name])) for name in _SPEC_FIELDS},
        **optional,
    )


def _config_from(symbol: str, market: dict) -> MarketConfig:
    optional = {
        name: Decimal(str(market[name]))
        for name in ("level_spacing_bps", "level_qty", "spread_bps")
        if name in market
    }
    if "levels" in market:
        optional["levels"] = int(market["levels"])
    return MarketConfig(
        symbol=symbol, mid=Decimal(str(market["mid"])), volatility=Decimal(str(market["volatility"])), **optional
    )
