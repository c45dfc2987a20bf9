"""Binance combined-stream frames (spot and USD-M) into Quote and Trade messages."""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.domain import Side
from shared.domain.marketdata import Quote, Trade

from market_data_service.malformed import MalformedMessage

MS_TO_NS = 1_000_000


def parse_frame(venue: str, raw: str | bytes, receive_ts_ns: int) -> Quote | Trade | None:
    """The message a combined-stream frame carries; None for control replies ({"result": ..., "id": ...})."""
    try:
        frame = json.loads(raw)
    except ValueError:
        raise MalformedMessage("not JSON") from None
    if not isinstance(frame, dict):
        raise MalformedMessage("not a JSON object")
    if "id" in frame and ("result" in frame or "error" in frame):
        return None
    stream, data = frame.get("stream"), frame.get("data")
    if not isinstance(stream, str) or not isinstance(data, dict):
        raise MalformedMessage("not a combined-stream frame", "expected {stream, data}")
    kind = stream.partition("@")[2]
    if kind == "bookTicker":
        return parse_book_ticker(venue, data, receive_ts_ns)
    if kind in ("trade", "aggTrade"):
        return parse_trade(venue, data, receive_ts_ns, kind)
    raise MalformedMessage("unexpected stream", stream)


def parse_book_ticker(venue: str, data: dict[str, Any], receive_ts_ns: int) -> Quote:
    """{u, s, b, B, a, A} (spot) or the same with e, E, T (USD-M)."""
    return Quote(
        venue=venue,
        symbol=_symbol(data, "bookTicker"),
        bid=_decimal(data, "b", "bookTicker", optional=True),
        bid_size=_decimal(data, "B", "bookTicker", optional=True),
        ask=_decimal(data, "a", "bookTicker", optional=True),
        ask_size=_decimal(data, "A", "bookTicker", optional=True),
        exchange_ts_ns=_ms(data, "E", "bookTicker") if "E" in data else None,
        receive_ts_ns=receive_ts_ns,
    )


def parse_rest_book_ticker(venue: str, row: Any, receive_ts_ns: int) -> Quote:
    """A row of REST `ticker/bookTicker`: {symbol, bidPrice, bidQty, askPrice, askQty[, time]}."""
    if not isinstance(row, dict):
        raise MalformedMessage("rest bookTicker: not an object")
    names = {"s": row.get("symbol"), "b": row.get("bidPrice"), "B": row.get("bidQty"), "a": row.get("askPrice"),
             "A": row.get("askQty")}
    if isinstance(row.get("time"), int):
        names["E"] = row["time"]
    return parse_book_ticker(venue, names, receive_ts_ns)


def parse_trade(venue: str, data: dict[str, Any], receive_ts_ns: int, kind: str = "trade") -> Trade:
    """{e: trade, t, p, q, T, m} (spot) or {e: aggTrade, a, p, q, T, m} (USD-M)."""
    trade_id = data.get("t" if kind == "trade" else "a")
    buyer_is_maker = data.get("m")
    if not isinstance(buyer_is_maker, bool):
        raise MalformedMessage(f"{kind}: bad m", repr(buyer_is_maker))
    return Trade(
        venue=venue,
        symbol=_symbol(data, kind),
        price=_decimal(data, "p", kind),
        quantity=_decimal(data, "q", kind),
        # The buyer resting on the book means the seller crossed the spread.
        aggressor=Side.SELL if buyer_is_maker else Side.BUY,
        trade_id=None if trade_id is None else str(trade_id),
        exchange_ts_ns=_ms(data, "T", kind),
        receive_ts_ns=receive_ts_ns,
    )


def _symbol(data: dict[str, Any], kind: str) -> str:
    symbol = data.get("s")
    if not isinstance(symbol, str) or not symbol:
        raise MalformedMessage(f"{kind}: bad s", repr(symbol))
    return symbol.upper()


def _decimal(data: dict[str, Any], name: str, kind: str, optional: bool = False) -> Decimal | None:
    raw = data.get(name)
    if raw is None and optional:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise MalformedMessage(f"{kind}: bad {name}", repr(raw))
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise MalformedMessage(f"{kind}: bad {name}", repr(raw)) from None
    if not value.is_finite() or value < 0:
        raise MalformedMessage(f"{kind}: bad {name}", repr(raw))
    return value


def _ms(data: dict[str, Any], name: str, kind: str) -> int:
    raw = data.get(name)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise MalformedMessage(f"{kind}: bad {name}", repr(raw))
    return raw * MS_TO_NS
