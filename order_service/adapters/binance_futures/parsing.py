"""Binance USD-M JSON payloads turned into domain objects, at the edge."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from order_service.adapters.binance.parsing import (
    event_fills,
    filtered_instrument,
    from_ms,
    parse_symbols,
    status_of,
    symbol_filters,
    to_decimal,
    venue_decimal,
)
from order_service.adapters.binance.parsing import parse_trade as parse_spot_trade
from shared.domain.enums import InstrumentKind
from shared.domain.instrument import Instrument
from shared.domain.venue import ExecutionReport, VenueFill

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
    perpetuals = [s for s in exchange_info.get("symbols", [])
                  if s.get("status") == "TRADING" and s.get("contractType") == "PERPETUAL"]
    return parse_symbols(perpetuals, parse_instrument, "Binance futures")


def parse_instrument(symbol: Mapping[str, Any]) -> Instrument:
    filters = symbol_filters(symbol)
    return filtered_instrument(symbol, filters, VENUE, InstrumentKind.PERPETUAL,
                               to_decimal(filters.get("MIN_NOTIONAL", {}).get("notional", "0")))


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


def parse_trade(trade: Mapping[str, Any]) -> VenueFill:
    """One row of GET /fapi/v1/userTrades."""
    return parse_spot_trade(trade, maker_field="maker")


def parse_order_trade_update(event: Mapping[str, Any]) -> ExecutionReport:
    """A user data stream ORDER_TRADE_UPDATE; one VenueFill when it reports a trade."""
    order = event["o"]
    time = from_ms(order.get("T") or event.get("T") or event.get("E"))
    cumulative = venue_decimal(order.get("z", "0"))
    return ExecutionReport(
        client_order_id=order["c"],
        symbol=order["s"],
        status=status_of(order["X"]),
        venue_order_id=str(order["i"]) if "i" in order else None,
        filled_quantity=cumulative,
        average_price=_positive(order.get("ap")) if cumulative > 0 else None,
        fills=event_fills(order, time),
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

