"""Coinbase JSON payloads turned into domain objects, at the edge."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.domain.enums import InstrumentKind, Liquidity, OrderStatus
from shared.domain.errors import VenueUnknownOutcome
from shared.domain.instrument import Instrument
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)

STATUSES: dict[str, OrderStatus] = {
    "PENDING": OrderStatus.NEW,      # accepted, not yet on the book
    "QUEUED": OrderStatus.NEW,
    "OPEN": OrderStatus.NEW,         # refined by filled_size below
    "EDIT_QUEUED": OrderStatus.NEW,
    "CANCEL_QUEUED": OrderStatus.PENDING_CANCEL,
    "FILLED": OrderStatus.FILLED,
    "CANCELLED": OrderStatus.CANCELED,
    "EXPIRED": OrderStatus.EXPIRED,
    "FAILED": OrderStatus.REJECTED,
}
# Order configurations that carry a limit price.
_PRICED = ("limit_limit_gtc", "limit_limit_gtd", "limit_limit_fok", "sor_limit_ioc", "stop_limit_stop_limit_gtc",
           "stop_limit_stop_limit_gtd")


def to_decimal(raw: Any) -> Decimal:
    """A Coinbase number string as a Decimal without trailing zeros ("0.01000000" -> Decimal("0.01"))."""
    value = Decimal(str(raw)).normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def parse_time(raw: Any) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# -- instruments ------------------------------------------------------------------------------------

def parse_instruments(payload: Mapping[str, Any], venue: str) -> list[Instrument]:
    """Spot products currently open for trading."""
    instruments = []
    for product in payload.get("products", []):
        if product.get("trading_disabled") or product.get("is_disabled") or product.get("product_type", "SPOT") != "SPOT":
            continue
        try:
            instruments.append(parse_instrument(product, venue))
        except (KeyError, InvalidOperation, TypeError) as exc:
            log.warning("skipping Coinbase product %s with unreadable increments: %r", product.get("product_id"), exc)
    return instruments


def parse_instrument(product: Mapping[str, Any], venue: str) -> Instrument:
    max_size = product.get("base_max_size")
    min_notional = product.get("quote_min_size") or product.get("min_market_funds") or "0"
    return Instrument(
        venue=venue,
        symbol=product["product_id"],
        kind=InstrumentKind.SPOT,
        base=product.get("base_currency_id") or product["product_id"].split("-")[0],
        quote=product.get("quote_currency_id") or product["product_id"].split("-")[1],
        tick_size=to_decimal(product.get("price_increment") or product["quote_increment"]),
        step_size=to_decimal(product["base_increment"]),
        min_quantity=to_decimal(product.get("base_min_size") or "0"),
        max_quantity=to_decimal(max_size) if max_size else None,
        min_notional=to_decimal(min_notional),
    )


# -- orders -----------------------------------------------------------------------------------------

def status_of(raw: str, filled: Decimal) -> OrderStatus:
    try:
        status = STATUSES[raw]
    except KeyError:
        raise VenueUnknownOutcome(f"Coinbase reported an order status this system does not know: {raw!r}") from None
    if status is OrderStatus.NEW and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    return status


def parse_order(order: Mapping[str, Any], fills: Iterable[VenueFill] = ()) -> ExecutionReport:
    """An order of GET /orders/historical/{id} or /batch, with the fills the caller fetched for it."""
    filled = to_decimal(order.get("filled_size") or "0")
    average = to_decimal(order.get("average_filled_price") or "0")
    configuration = order.get("order_configuration") or {}
    kind, fields = next(iter(configuration.items()), ("", {}))
    size = fields.get("base_size") if isinstance(fields, dict) else None
    price = fields.get("limit_price") if kind in _PRICED and isinstance(fields, dict) else None
    status = status_of(order["status"], filled)
    return ExecutionReport(
        client_order_id=order["client_order_id"],
        symbol=order["product_id"],
        status=status,
        venue_order_id=order["order_id"],
        filled_quantity=filled,
        average_price=average if filled > 0 and average > 0 else None,
        fills=tuple(fills),
        reject_code=order.get("reject_reason") or None if status is OrderStatus.REJECTED else None,
        reject_reason=order.get("reject_message") or None if status is OrderStatus.REJECTED else None,
        time=parse_time(order.get("last_fill_time")) or parse_time(order.get("created_time")),
        quantity=to_decimal(size) if size else None,
        price=to_decimal(price) if price else None,
    )


def parse_fill(fill: Mapping[str, Any]) -> VenueFill:
    """One row of GET /orders/historical/fills."""
    indicator = fill.get("liquidity_indicator")
    price = Decimal(str(fill["price"]))
    size = Decimal(str(fill["size"]))
    return VenueFill(
        venue_trade_id=str(fill["trade_id"]),
        # A fill of an order sized in quote currency states its size in quote currency too.
        quantity=to_decimal(size / price) if fill.get("size_in_quote") else size,
        price=price,
        fee=Decimal(str(fill.get("commission") or "0")),
        fee_asset=fill["product_id"].split("-")[1] if "-" in fill.get("product_id", "") else "",
        liquidity=Liquidity.MAKER if indicator == "MAKER" else Liquidity.TAKER if indicator == "TAKER" else None,
        time=parse_time(fill.get("trade_time")) or datetime.now(timezone.utc),
    )
