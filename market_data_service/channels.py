"""The channel each market data message is published on (docs/events.md)."""
from __future__ import annotations

from shared.domain.marketdata import FxRate, Inav, Quote, Trade, fx_channel, inav_channel, quote_channel, trade_channel
from shared.marketdata_codec import MarketData

COMPUTED_SOURCE_PREFIX = "computed:"


def published_inav_channel(source: str, symbol: str) -> str:
    """A fund's own published iNAV (e.g. Hashdex's), beside the computed one on `md.inav.{symbol}`."""
    return f"md.inav.{source}.{symbol}"


def channel_of(message: MarketData) -> str:
    if isinstance(message, Quote):
        return quote_channel(message.venue, message.symbol)
    if isinstance(message, Trade):
        return trade_channel(message.venue, message.symbol)
    if isinstance(message, Inav):
        if message.source.startswith(COMPUTED_SOURCE_PREFIX):
            return inav_channel(message.symbol)
        return published_inav_channel(message.source, message.symbol)
    if isinstance(message, FxRate):
        return fx_channel(message.pair)
    raise TypeError(f"not a market data message: {type(message).__name__}")


def snapshot_channels(venue: str, symbol: str) -> dict[str, str]:
    """The channels whose last values make up `GET /api/v1/marketdata/{venue}/{symbol}`, by message type.

    Besides exchanges, `inav` names the computed iNAV, `fx` the FX rates, and a fund publisher such as
    `hashdex` its own iNAV.
    """
    if venue == "inav":
        return {"inav": inav_channel(symbol)}
    if venue == "fx":
        return {"fx": fx_channel(symbol)}
    return {"quote": quote_channel(venue, symbol), "trade": trade_channel(venue, symbol),
            "inav": published_inav_channel(venue, symbol)}
