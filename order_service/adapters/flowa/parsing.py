"""Flowa payloads (order snapshots, trades, the bundled instrument rules) turned into domain objects."""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from shared.domain.enums import InstrumentKind, OrderStatus
from shared.domain.errors import VenueUnknownOutcome
from shared.domain.instrument import Instrument
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)

S = OrderStatus
STRATEGY_TYPE = "SIMPLE_ORDER"
FEE_ASSET = "BRL"

# Flowa strategy statuses with one meaning for an order. Others (PENDING_REPLACE, SUSPENDED, ...) say
# the order still works, and FINISHED says it ended: both are read with the executed quantity.
STATUSES: dict[str, OrderStatus] = {
    "PENDING_CREATE": S.PENDING_NEW,
    "WAITING_ACK": S.PENDING_NEW,
    "PENDING_CONFIRMATION": S.PENDING_NEW,
    "OPEN": S.NEW,
    "PARTIALLY_EXECUTED": S.PARTIALLY_FILLED,
    "TOTALLY_EXECUTED": S.FILLED,
    "CANCELLED": S.CANCELED,
    "REJECTED": S.REJECTED,
    "REJECT": S.REJECTED,
    "PENDING_CANCEL": S.PENDING_CANCEL,
    "CANCELLING": S.PENDING_CANCEL,
}
FINAL = frozenset({"TOTALLY_EXECUTED", "CANCELLED", "REJECTED", "REJECT", "FINISHED"})


def to_decimal(raw: Any) -> Decimal:
    """A Flowa number (JSON number or string) as a Decimal; floats go through their shortest repr."""
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise VenueUnknownOutcome(f"Flowa sent a number this system cannot read: {raw!r}") from None
    if not value.is_finite():
        raise VenueUnknownOutcome(f"Flowa sent a number this system cannot read: {raw!r}")
    return value


def from_iso(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def status_of(raw: str, executed: Decimal, quantity: Decimal | None) -> OrderStatus:
    if raw in STATUSES:
        return STATUSES[raw]
    if raw == "FINISHED":
        return S.FILLED if quantity is not None and executed >= quantity else S.EXPIRED
    return S.PARTIALLY_FILLED if executed > 0 else S.NEW


def is_final(payload: Mapping[str, Any]) -> bool:
    return payload.get("Status") in FINAL


def parse_order(payload: Mapping[str, Any]) -> ExecutionReport:
    """A simple-order snapshot (GET /api/simple-order, /ws/strategies) as an ExecutionReport."""
    executed = to_decimal(payload.get("ExecutedQuantity") or 0)
    quantity = to_decimal(payload["Quantity"]) if payload.get("Quantity") is not None else None
    status = status_of(payload.get("Status", ""), executed, quantity)
    average = payload.get("AvgPrice")
    price = payload.get("Price")
    error = payload.get("Error") or None
    return ExecutionReport(
        client_order_id=payload["CustomId"],
        symbol=payload["Symbol"],
        status=status,
        venue_order_id=str(payload["StrategyId"]),
        filled_quantity=executed,
        average_price=to_decimal(average) if executed > 0 and average else None,
        reject_code=payload.get("Status") if status is S.REJECTED else None,
        reject_reason=error if status is S.REJECTED else None,
        quantity=quantity,
        price=to_decimal(price) if price else None,
    )


def parse_trade(payload: Mapping[str, Any]) -> tuple[str, VenueFill]:
    """One row of GET /api/trading/trades (or /ws/trades): the strategy it belongs to and the fill."""
    strategy_id = payload.get("StrategyID") or payload.get("StrategyId")
    if not strategy_id:
        raise KeyError("StrategyID")
    fill = VenueFill(
        venue_trade_id=str(payload["Id"]),
        quantity=to_decimal(payload["Quantity"]),
        price=to_decimal(payload["Price"]),
        fee=Decimal(0),  # B3 and broker fees are charged on the settlement note, not per trade
        fee_asset=FEE_ASSET,
        liquidity=None,
        time=from_iso(payload.get("TradeDate")) or datetime.now(timezone.utc),
    )
    return str(strategy_id), fill


# -- instruments ------------------------------------------------------------------------------------

_KINDS = {"etf": InstrumentKind.ETF, "equity": InstrumentKind.EQUITY}


def load_instruments(venue: str) -> list[Instrument]:
    """The B3 instrument rules bundled with this adapter (Flowa publishes no instrument endpoint)."""
    text = resources.files(__package__).joinpath("instruments.json").read_text(encoding="utf-8")
    return [_instrument(venue, entry) for entry in json.loads(text)["instruments"]]


def _instrument(venue: str, entry: Mapping[str, Any]) -> Instrument:
    lot = Decimal(entry["lot_size"])
    return Instrument(
        venue=venue,
        symbol=entry["symbol"],
        kind=_KINDS[entry["kind"]],
        base=entry["symbol"],
        quote=entry["quote"],
        tick_size=Decimal(entry["tick_size"]),
        step_size=lot,
        min_quantity=lot,
        lot_size=lot,
    )
