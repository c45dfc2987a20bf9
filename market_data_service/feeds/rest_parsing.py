"""Polled venue documents into domain messages: Coinbase exchange rates, Hashdex iNAV and PCF."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.domain.marketdata import FxRate, Inav

from market_data_service.malformed import MalformedMessage

MS_TO_NS = 1_000_000
HASHDEX_SOURCE = "hashdex"


@dataclass(frozen=True, slots=True)
class Composition:
    """What one ETF share holds: `quantity` units of `underlying` (cash lines left out)."""

    etf: str
    underlying: str
    quantity: Decimal


def parse_exchange_rates(body: Any, base: str, quote: str, source: str, receive_ts_ns: int) -> FxRate:
    """Coinbase `GET /v2/exchange-rates?currency=BASE` -> {data: {currency, rates: {QUOTE: "5.43"}}}."""
    data = body.get("data") if isinstance(body, dict) else None
    rates = data.get("rates") if isinstance(data, dict) else None
    if not isinstance(rates, dict):
        raise MalformedMessage("exchange-rates: no data.rates")
    if str(data.get("currency", base)).upper() != base:
        raise MalformedMessage("exchange-rates: wrong currency", repr(data.get("currency")))
    rate = _decimal(rates.get(quote), f"exchange-rates: bad rates.{quote}")
    if rate == 0:
        raise MalformedMessage(f"exchange-rates: bad rates.{quote}", "zero")
    return FxRate(pair=base + quote, rate=rate, source=source, exchange_ts_ns=None, receive_ts_ns=receive_ts_ns)


def parse_pcf(etf: str, body: Any) -> Composition:
    """Hashdex PCF {pcf: [{symbol, quantity}, ...]}: the first non-cash line is the underlying."""
    lines = body.get("pcf") if isinstance(body, dict) else None
    if not isinstance(lines, list):
        raise MalformedMessage("pcf: no pcf list")
    for line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("symbol"), str):
            raise MalformedMessage("pcf: bad line", repr(line))
        if line["symbol"].lower() == "cash":
            continue
        quantity = _decimal(line.get("quantity"), "pcf: bad quantity")
        if quantity == 0:
            continue
        return Composition(etf, line["symbol"].upper(), quantity)
    raise MalformedMessage("pcf: no underlying")


def parse_inav(etf: str, body: Any, composition: Composition | None, receive_ts_ns: int) -> Inav:
    """Hashdex `GET /inav/{ticker}` -> {inavPerShare, ...}: the fund's own published iNAV."""
    if not isinstance(body, dict):
        raise MalformedMessage("inav: not an object")
    value = _decimal(body.get("inavPerShare"), "inav: bad inavPerShare")
    timestamp = body.get("timestamp")
    optional = {name: _decimal(body[name], f"inav: bad {name}") if body.get(name) is not None else None
                for name in ("underlyingPerShare", "underlyingPrice", "usdBrl")}
    return Inav(
        symbol=etf,
        value=value,
        currency=str(body.get("currency") or "BRL"),
        underlying=composition.underlying if composition else str(body.get("underlying") or ""),
        underlying_per_share=composition.quantity if composition else optional["underlyingPerShare"],
        underlying_price=optional["underlyingPrice"],
        fx_rate=optional["usdBrl"],
        source=HASHDEX_SOURCE,
        exchange_ts_ns=timestamp * MS_TO_NS if isinstance(timestamp, int) and not isinstance(timestamp, bool)
        else None,
        receive_ts_ns=receive_ts_ns,
    )


def _decimal(raw: Any, kind: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise MalformedMessage(kind, repr(raw))
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise MalformedMessage(kind, repr(raw)) from None
    if not value.is_finite() or value < 0:
        raise MalformedMessage(kind, repr(raw))
    return value
