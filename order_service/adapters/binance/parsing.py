"""Binance JSON payloads turned into domain objects, at the edge."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.domain.enums import InstrumentKind, Liquidity, OrderStatus
from shared.domain.errors import VenueUnknownOutcome
from shared.domain.instrument import Instrument
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)

VENUE = "binance"

STATUSES: dict[str, OrderStatus] = {
    "NEW": OrderStatus.NEW,
    "PENDING_NEW": OrderStatus.PENDING_NEW,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "PENDING_CANCEL": OrderStatus.PENDING_CANCEL,
    "CANCELED": OrderStatus.CANCELED,
    "REJECTED": OrderStatus.REJECTED,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,  # expired by self-trade prevention
}


def to_decimal(raw: Any) -> Decimal:
    """A Binance number string as a Decimal without trailing zeros ("0.01000000" -> Decimal("0.01"))."""
    value = Decimal(str(raw)).normalize()
    # normalize() writes 100 as 1E+2; bring integers back to exponent 0 so they print plainly.
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def venue_decimal(raw: Any) -> Decimal:
    """A quantity or price exactly as the venue wrote it, precision included ("0.01000000" stays so)."""
    return Decimal(str(raw))


def from_ms(raw: Any) -> datetime | None:
    if raw in (None, "", 0, -1):
        return None
    return datetime.fromtimestamp(int(raw) / 1000, tz=timezone.utc)


def status_of(raw: str) -> OrderStatus:
    try:
        return STATUSES[raw]
    except KeyError:
        raise VenueUnknownOutcome(f"Binance reported an order status this system does not know: {raw!r}") from None


# -- instruments ------------------------------------------------------------------------------------

def parse_instruments(exchange_info: Mapping[str, Any]) -> list[Instrument]:
    """Instruments of the symbols currently TRADING, with their price, lot and notional filters."""
    trading = [s for s in exchange_info.get("symbols", []) if s.get("status") == "TRADING"]
    return parse_symbols(trading, parse_instrument, "Binance")


def parse_symbols(symbols: Iterable[Mapping[str, Any]], parse: Callable[[Mapping[str, Any]], Instrument],
                  label: str) -> list[Instrument]:
    """Each exchangeInfo symbol parsed; one whose filters cannot be read is skipped with a warning."""
    instruments = []
    for symbol in symbols:
        try:
            instruments.append(parse(symbol))
        except (KeyError, InvalidOperation, TypeError) as exc:
            log.warning("skipping %s symbol %s with unreadable filters: %r", label, symbol.get("symbol"), exc)
    return instruments


def parse_instrument(symbol: Mapping[str, Any]) -> Instrument:
    filters = symbol_filters(symbol)
    notional = filters.get("NOTIONAL") or filters.get("MIN_NOTIONAL") or {}
    return filtered_instrument(symbol, filters, VENUE, InstrumentKind.SPOT,
                               to_decimal(notional.get("minNotional", "0")))


def symbol_filters(symbol: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {f["filterType"]: f for f in symbol.get("filters", [])}


def filtered_instrument(symbol: Mapping[str, Any], filters: Mapping[str, Mapping[str, Any]], venue: str,
                        kind: InstrumentKind, min_notional: Decimal) -> Instrument:
    """The instrument an exchangeInfo symbol describes, with its PRICE_FILTER and LOT_SIZE."""
    price = filters.get("PRICE_FILTER", {})
    lot = filters.get("LOT_SIZE", {})
    max_qty = to_decimal(lot["maxQty"]) if "maxQty" in lot else None
    return Instrument(
        venue=venue,
        symbol=symbol["symbol"],
        kind=kind,
        base=symbol["baseAsset"],
        quote=symbol["quoteAsset"],
        tick_size=to_decimal(price.get("tickSize", "0")),
        step_size=to_decimal(lot.get("stepSize", "0")),
        min_quantity=to_decimal(lot.get("minQty", "0")),
        max_quantity=max_qty if max_qty else None,
        min_notional=min_notional,
    )


# -- orders -----------------------------------------------------------------------------------------

def parse_order(payload: Mapping[str, Any], fill_liquidity: Liquidity | None = Liquidity.TAKER) -> ExecutionReport:
    """An order answer (ACK, RESULT or FULL of a new order; a cancel; a query; an open order).

    Fills listed in a new-order answer executed on arrival, hence `fill_liquidity` defaults to taker.
    """
    # A cancel answer's clientOrderId names the cancel request; the order's own id is origClientOrderId.
    client_order_id = payload.get("origClientOrderId") or payload["clientOrderId"]
    time = from_ms(payload.get("transactTime") or payload.get("updateTime") or payload.get("time"))
    executed = venue_decimal(payload.get("executedQty", "0"))
    quote = to_decimal(payload.get("cummulativeQuoteQty", "0"))
    price = to_decimal(payload["price"]) if "price" in payload else None
    fills = tuple(
        VenueFill(
            venue_trade_id=str(f["tradeId"]),
            quantity=venue_decimal(f["qty"]),
            price=venue_decimal(f["price"]),
            fee=venue_decimal(f.get("commission", "0")),
            fee_asset=f.get("commissionAsset", ""),
            liquidity=fill_liquidity,
            time=time or datetime.now(timezone.utc),
        )
        for f in payload.get("fills", ())
    )
    # An ACK carries no status: the venue accepted the order and will tell the rest on the stream.
    status = status_of(payload["status"]) if "status" in payload else OrderStatus.NEW
    return ExecutionReport(
        client_order_id=client_order_id,
        symbol=payload["symbol"],
        status=status,
        venue_order_id=str(payload["orderId"]) if "orderId" in payload else None,
        filled_quantity=executed,
        average_price=to_decimal(quote / executed) if executed > 0 and quote > 0 else None,
        fills=fills,
        time=time,
        quantity=to_decimal(payload["origQty"]) if "origQty" in payload else None,
        price=price if price else None,
    )


def parse_trade(trade: Mapping[str, Any], maker_field: str = "isMaker") -> VenueFill:
    """One row of GET /v3/myTrades (USD-M userTrades names the maker flag `maker`)."""
    return VenueFill(
        venue_trade_id=str(trade["id"]),
        quantity=venue_decimal(trade["qty"]),
        price=venue_decimal(trade["price"]),
        fee=venue_decimal(trade.get("commission", "0")),
        fee_asset=trade.get("commissionAsset", ""),
        liquidity=liquidity_of(trade.get(maker_field)),
        time=from_ms(trade.get("time")) or datetime.now(timezone.utc),
    )


def parse_execution_report(event: Mapping[str, Any]) -> ExecutionReport:
    """A user data stream `executionReport` event; one VenueFill when it reports a trade."""
    time = from_ms(event.get("T") or event.get("E"))
    fills = event_fills(event, time)
    cumulative = venue_decimal(event.get("z", "0"))
    quote = to_decimal(event.get("Z", "0"))
    # On a cancel, `c` names the cancel request and `C` the order's own client id.
    client_order_id = event.get("C") if event.get("x") == "CANCELED" and event.get("C") else event["c"]
    reject = event.get("r")
    price = to_decimal(event["p"]) if "p" in event else None
    return ExecutionReport(
        client_order_id=client_order_id,
        symbol=event["s"],
        status=status_of(event["X"]),
        venue_order_id=str(event["i"]) if "i" in event else None,
        filled_quantity=cumulative,
        average_price=to_decimal(quote / cumulative) if cumulative > 0 and quote > 0 else None,
        fills=fills,
        reject_code=reject if reject and reject != "NONE" else None,
        reject_reason=reject if reject and reject != "NONE" else None,
        time=time,
        quantity=to_decimal(event["q"]) if "q" in event else None,
        price=price if price else None,
    )


def event_fills(event: Mapping[str, Any], time: datetime | None) -> tuple[VenueFill, ...]:
    """The fill a stream order update reports (its execution type `x` is TRADE), or none."""
    if event.get("x") != "TRADE":
        return ()
    return (VenueFill(
        venue_trade_id=str(event["t"]),
        quantity=venue_decimal(event["l"]),
        price=venue_decimal(event["L"]),
        fee=venue_decimal(event.get("n") or "0"),
        fee_asset=event.get("N") or "",
        liquidity=liquidity_of(event.get("m")),
        time=time or datetime.now(timezone.utc),
    ),)


def liquidity_of(is_maker: Any) -> Liquidity | None:
    if is_maker is None:
        return None
    return Liquidity.MAKER if is_maker else Liquidity.TAKER
