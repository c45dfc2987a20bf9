"""Binance USD-M JSON payloads turned into domain objects, at the edge."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from order_service.adapters.binance.parsing import from_ms, status_of, to_decimal, venue_decimal
from shared.domain.enums import InstrumentKind, Liquidity
from shared.domain.instrument import Instrument
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)

VENUE = "binance-futures"


@dataclass(frozen=True, slots=True)
class Position:
    """One symbol's position as GET /fapi/v2/positionRisk reports it (amount < 0 is short)."""

    symbol: str
    amount: Decimal
    entry_price: Decimal
    mark_price: Decimal
    unrealized_pnl: Decimal
    leverage: int


def _positive(raw: Any) -> Decimal | None:
    value = to_decimal(raw) if raw not in (None, "") else Decimal(0)
    return value if value > 0 else None


# -- instruments ------------------------------------------------------------------------------------

def parse_instruments(exchange_info: Mapping[str, Any]) -> list[Instrument]:
    """Perpetual contracts currently TRADING, with their price, lot and notional filters."""
    instruments = []
    for symbol in exchange_info.get("symbols", []):
        if symbol.get("status") != "TRADING" or symbol.get("contractType") != "PERPETUAL":
            continue
        try:
            instruments.append(parse_instrument(symbol))
        except (KeyError, InvalidOperation, TypeError) as exc:
            log.warning("skipping Binance futures symbol %s with unreadable filters: %r", symbol.get("symbol"), exc)
    return instruments


def parse_instrument(symbol: Mapping[str, Any]) -> Instrument:
    filters = {f["filterType"]: f for f in symbol.get("filters", [])}
    price = filters.get("PRICE_FILTER", {})
    lot = filters.get("LOT_SIZE", {})
    max_qty = to_decimal(lot["maxQty"]) if "maxQty" in lot else None
    return Instrument(
        venue=VENUE,
        symbol=symbol["symbol"],
        kind=InstrumentKind.PERPETUAL,
        base=symbol["baseAsset"],
        quote=symbol["quoteAsset"],
        tick_size=to_decimal(price.get("tickSize", "0")),
        step_size=to_decimal(lot.get("stepSize", "0")),
        min_quantity=to_decimal(lot.get("minQty", "0")),
        max_quantity=max_qty if max_qty else None,
        min_notional=to_decimal(filters.get("MIN_NOTIONAL", {}).get("notional", "0")),
    )


# -- orders -----------------------------------------------------------------------------------------

def parse_order(payload: Mapping[str, Any]) -> ExecutionReport:
    """An order answer: new order (ACK or RESULT), cancel, query or open order. Fills come separately."""
    executed = venue_decimal(payload.get("executedQty", "0"))
    return ExecutionReport(
        client_order_id=payload["clientOrderId"],
        symbol=payload["symbol"],
        status=status_of(payload["status"]),
        venue_order_id=str(payload["orderId"]),
        filled_quantity=executed,
        average_price=_positive(payload.get("avgPrice")) if executed > 0 else None,
        time=from_ms(payload.get("updateTime") or payload.get("time")),
        quantity=to_decimal(payload["origQty"]) if "origQty" in payload else None,
        price=_positive(payload.get("price")),
    )


def parse_orders(payloads: Iterable[Mapping[str, Any]]) -> list[ExecutionReport]:
    return [parse_order(p) for p in payloads]


def parse_trade(trade: Mapping[str, Any]) -> VenueFill:
    """One row of GET /fapi/v1/userTrades."""
    return VenueFill(
        venue_trade_id=str(trade["id"]),
        quantity=venue_decimal(trade["qty"]),
        price=venue_decimal(trade["price"]),
        fee=venue_decimal(trade.get("commission", "0")),
        fee_asset=trade.get("commissionAsset", ""),
        liquidity=_liquidity(trade.get("maker")),
        time=from_ms(trade.get("time")) or datetime.now(timezone.utc),
    )


def parse_order_trade_update(event: Mapping[str, Any]) -> ExecutionReport:
    """A user data stream ORDER_TRADE_UPDATE; one VenueFill when it reports a trade."""
    order = event["o"]
    time = from_ms(order.get("T") or event.get("T") or event.get("E"))
    fills: tuple[VenueFill, ...] = ()
    if order.get("x") == "TRADE":
        fills = (VenueFill(
            venue_trade_id=str(order["t"]),
            quantity=venue_decimal(order["l"]),
            price=venue_decimal(order["L"]),
            fee=venue_decimal(order.get("n") or "0"),
            fee_asset=order.get("N") or "",
            liquidity=_liquidity(order.get("m")),
            time=time or datetime.now(timezone.utc),
        ),)
    cumulative = venue_decimal(order.get("z", "0"))
    return ExecutionReport(
        client_order_id=order["c"],
        symbol=order["s"],
        status=status_of(order["X"]),
        venue_order_id=str(order["i"]) if "i" in order else None,
        filled_quantity=cumulative,
        average_price=_positive(order.get("ap")) if cumulative > 0 else None,
        fills=fills,
        time=time,
        quantity=to_decimal(order["q"]) if "q" in order else None,
        price=_positive(order.get("p")),
    )


def parse_positions(rows: Iterable[Mapping[str, Any]]) -> list[Position]:
    """Rows of GET /fapi/v2/positionRisk (one-way mode: positionSide BOTH)."""
    return [
        Position(
            symbol=row["symbol"],
            amount=to_decimal(row["positionAmt"]),
            entry_price=to_decimal(row["entryPrice"]),
            mark_price=to_decimal(row["markPrice"]),
            unrealized_pnl=to_decimal(row["unRealizedProfit"]),
            leverage=int(row.get("leverage", 0)),
        )
        for row in rows
    ]


def _liquidity(is_maker: Any) -> Liquidity | None:
    if is_maker is None:
        return None
    return Liquidity.MAKER if is_maker else Liquidity.TAKER
