"""Market data messages: what the feeds publish and the strategies read. Prices are Decimal."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.domain.enums import Side

MARKET_DATA_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Quote:
    """Best bid and offer of one instrument on one venue."""

    venue: str
    symbol: str
    bid: Decimal | None
    bid_size: Decimal | None
    ask: Decimal | None
    ask_size: Decimal | None
    exchange_ts_ns: int | None   # when the venue stamped it, if it did
    receive_ts_ns: int           # when the feed received it

    @property
    def mid(self) -> Decimal | None:
        if self.bid is None or self.ask is None:
            return None
        return (self.bid + self.ask) / 2


@dataclass(frozen=True, slots=True)
class Trade:
    venue: str
    symbol: str
    price: Decimal
    quantity: Decimal
    aggressor: Side | None
    trade_id: str | None
    exchange_ts_ns: int | None
    receive_ts_ns: int


@dataclass(frozen=True, slots=True)
class Inav:
    """Fair value of one ETF share: underlying per share x underlying price x FX rate."""

    symbol: str                    # BITH11
    value: Decimal                 # in `currency` per share
    currency: str                  # BRL
    underlying: str                # BTC
    underlying_per_share: Decimal
    underlying_price: Decimal      # USD
    fx_rate: Decimal               # BRL per USD
    source: str                    # e.g. "computed:binance-futures" or "hashdex"
    exchange_ts_ns: int | None
    receive_ts_ns: int


@dataclass(frozen=True, slots=True)
class FxRate:
    pair: str                      # USDBRL: units of the second currency per one of the first
    rate: Decimal
    source: str                    # e.g. "coinbase"
    exchange_ts_ns: int | None
    receive_ts_ns: int


def quote_channel(venue: str, symbol: str) -> str:
    return f"md.quote.{venue}.{symbol}"


def trade_channel(venue: str, symbol: str) -> str:
    return f"md.trade.{venue}.{symbol}"


def inav_channel(symbol: str) -> str:
    return f"md.inav.{symbol}"


def fx_channel(pair: str) -> str:
    return f"md.fx.{pair}"
