"""JSON of market data messages (docs/events.md): decimals as strings, nanosecond timestamps as integers."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from shared.domain import Side
from shared.domain.marketdata import MARKET_DATA_SCHEMA_VERSION, FxRate, Inav, Quote, Trade

MarketData = Quote | Trade | Inav | FxRate
_TYPES = {Quote: "quote", Trade: "trade", Inav: "inav", FxRate: "fx"}
_DECIMALS = {"bid", "bid_size", "ask", "ask_size", "price", "quantity", "value", "underlying_per_share",
             "underlying_price", "fx_rate", "rate"}
_RENAMED = {"exchange_ts_ns": "ts_exchange_ns", "receive_ts_ns": "ts_receive_ns"}


def to_dict(message: MarketData, publish_ts_ns: int | None = None, stale: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"type": _TYPES[type(message)], "schema_version": MARKET_DATA_SCHEMA_VERSION}
    for name in message.__slots__:
        value = getattr(message, name)
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, Side):
            value = value.value
        body[_RENAMED.get(name, name)] = value
    body["ts_publish_ns"] = publish_ts_ns
    body["stale"] = stale
    return body


def dumps(message: MarketData, publish_ts_ns: int | None = None, stale: bool = False) -> str:
    return json.dumps(to_dict(message, publish_ts_ns, stale), separators=(",", ":"))


def loads(text: str | bytes) -> MarketData:
    """The message a JSON document carries (its `stale` flag and publish time are not part of it)."""
    body = json.loads(text)
    kind = {v: k for k, v in _TYPES.items()}.get(body.get("type"))
    if kind is None:
        raise ValueError(f"not a market data message: type {body.get('type')!r}")
    values = {}
    for name in kind.__slots__:
        raw = body.get(_RENAMED.get(name, name))
        if name in _DECIMALS and raw is not None:
            raw = Decimal(raw)
        elif name == "aggressor" and raw is not None:
            raw = Side(raw)
        values[name] = raw
    return kind(**values)
