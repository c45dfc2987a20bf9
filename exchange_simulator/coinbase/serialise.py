"""Coinbase JSON shapes of orders, fills and products (numbers as strings, times as RFC 3339)."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from exchange_simulator.coinbase.ledger import CoinbaseFill, OrderRecord
from exchange_simulator.engine import EngineOrder, OrderStatus, SymbolSpec

_TIME_IN_FORCE = {
    "market_market_ioc": "IMMEDIATE_OR_CANCEL",
    "sor_limit_ioc": "IMMEDIATE_OR_CANCEL",
    "limit_limit_gtc": "GOOD_UNTIL_CANCELLED",
    "limit_limit_gtd": "GOOD_UNTIL_DATE_TIME",
    "limit_limit_fok": "FILL_OR_KILL",
    "stop_limit_stop_limit_gtc": "GOOD_UNTIL_CANCELLED",
}
_ORDER_TYPE = {"market_market_ioc": "MARKET", "stop_limit_stop_limit_gtc": "STOP_LIMIT"}
_PRECISION = Decimal("1e-10")
ZERO = Decimal(0)


def number(value: Decimal) -> str:
    """A decimal as Coinbase writes it: plain digits, never an exponent."""
    return format(value, "f")


def rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def status(record: OrderRecord, order: EngineOrder) -> str:
    if order.status is OrderStatus.FILLED:
        return "FILLED"
    if order.status is OrderStatus.CANCELED:
        return "EXPIRED" if record.expired else "CANCELLED"
    if order.status in (OrderStatus.EXPIRED, OrderStatus.EXPIRED_IN_MATCH):
        return "EXPIRED"
    if order.status is OrderStatus.REJECTED:
        return "FAILED"
    return "OPEN"


def order_json(record: OrderRecord, order: EngineOrder) -> dict:
    filled, value = order.executed_qty, order.cummulative_quote_qty
    average = (value / filled).quantize(_PRECISION).normalize() if filled else ZERO
    fees = record.total_fees.quantize(_PRECISION).normalize() if record.total_fees else ZERO
    sign = 1 if order.side.value == "BUY" else -1
    size = order.quantity if order.quantity else ZERO
    state = status(record, order)
    trigger = "INVALID_ORDER_TYPE"
    if record.kind == "stop_limit_stop_limit_gtc":
        trigger = "STOP_TRIGGERED" if order.is_working else "STOP_PENDING"
    return {
        "order_id": record.order_id,
        "product_id": record.product_id,
        "user_id": record.account,
        "order_configuration": record.configuration,
        "side": record.side.value,
        "client_order_id": record.client_order_id,
        "status": state,
        "time_in_force": _TIME_IN_FORCE[record.kind],
        "created_time": rfc3339(record.created_ms),
        "completion_percentage": number((filled / size * 100).quantize(Decimal("0.01"))) if size else "0",
        "filled_size": number(filled),
        "average_filled_price": number(average),
        "number_of_fills": str(record.number_of_fills),
        "filled_value": number(value),
        "pending_cancel": False,
        "size_in_quote": "quote_size" in record.configuration.get(record.kind, {}),
        "total_fees": number(fees),
        "size_inclusive_of_fees": False,
        "total_value_after_fees": number(value + sign * fees),
        "trigger_status": trigger,
        "order_type": _ORDER_TYPE.get(record.kind, "LIMIT"),
        "reject_reason": "",
        "settled": state != "OPEN",
        "product_type": "SPOT",
        "reject_message": "",
        "cancel_message": "",
        "order_placement_source": "RETAIL_ADVANCED",
        "outstanding_hold_amount": number(order.locked),
        "is_liquidation": False,
        "last_fill_time": rfc3339(record.last_fill_ms) if record.last_fill_ms else None,
        "edit_history": [],
    }


def fill_json(fill: CoinbaseFill, account: str) -> dict:
    return {
        "entry_id": fill.entry_id,
        "trade_id": fill.trade_id,
        "order_id": fill.order_id,
        "trade_time": rfc3339(fill.time_ms),
        "trade_type": "FILL",
        "price": number(fill.price),
        "size": number(fill.size),
        "commission": number(fill.commission.quantize(_PRECISION).normalize()),
        "product_id": fill.product_id,
        "sequence_timestamp": rfc3339(fill.time_ms),
        "liquidity_indicator": "MAKER" if fill.is_maker else "TAKER",
        "size_in_quote": False,
        "user_id": account,
        "side": fill.side.value,
    }


def product_json(spec: SymbolSpec, price: Decimal | None) -> dict:
    return {
        "product_id": spec.symbol,
        "price": number(price) if price is not None else "",
        "price_percentage_change_24h": "0",
        "volume_24h": "0",
        "volume_percentage_change_24h": "0",
        "base_increment": number(spec.step_size),
        "quote_increment": number(spec.tick_size),
        "quote_min_size": number(spec.min_notional),
        "quote_max_size": number(spec.max_qty * spec.max_price),
        "base_min_size": number(spec.min_qty),
        "base_max_size": number(spec.max_qty),
        "min_market_funds": number(spec.min_notional),
        "base_name": spec.base_asset,
        "quote_name": spec.quote_asset,
        "watched": False,
        "is_disabled": False,
        "new": False,
        "status": "online",
        "cancel_only": False,
        "limit_only": False,
        "post_only": False,
        "trading_disabled": False,
        "auction_mode": False,
        "product_type": "SPOT",
        "quote_currency_id": spec.quote_asset,
        "base_currency_id": spec.base_asset,
        "base_display_symbol": spec.base_asset,
        "quote_display_symbol": spec.quote_asset,
        "price_increment": number(spec.tick_size),
    }
