"""Flowa wire shapes of orders and trades, shared by REST (JSON) and the websockets (MessagePack).

Flowa's reference client types prices as doubles and quantities as integers, so they travel as
numbers here too; times are ISO 8601 in UTC.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from exchange_simulator.flowa.state import Strategy, TradeRecord

STRATEGY_TYPE = "SIMPLE_ORDER"
PRODUCT = "ATG.API"


def iso_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def order_json(s: Strategy) -> dict:
    return {
        "StrategyId": s.strategy_id,
        "StrategyType": STRATEGY_TYPE,
        "User": s.user,
        "Status": s.status.value,
        "Broker": s.broker,
        "Account": s.flowa_account,
        "Symbol": s.symbol,
        "Side": s.side,
        "OrderType": s.order_type,
        "TimeInForce": s.time_in_force,
        "Quantity": s.quantity,
        "DisplayQuantity": s.display_quantity,
        "Price": number(s.price),
        "StopTriggerPrice": number(s.stop_price),
        "ExpireDate": s.expire_date,
        "ExecutedQuantity": int(s.executed),
        "AvgPrice": number(s.average_price),
        "SendTime": iso_time(s.send_time_ms),
        "CustomId": s.custom_id,
        "Memo": s.memo,
        "Error": s.error,
    }


def trade_json(t: TradeRecord) -> dict:
    s = t.strategy
    return {
        "Id": t.trade_id,
        "Index": t.index,
        "Broker": s.broker,
        "Account": s.flowa_account,
        "Symbol": s.symbol,
        "Side": s.side,
        "Quantity": int(t.quantity),
        "Price": number(t.price),
        "Product": PRODUCT,
        "StrategyID": s.strategy_id,
        "CustomId": s.custom_id,
        "TradeDate": iso_time(t.time_ms),
        "ExchangeTradeId": t.exchange_trade_id,
        "User": s.user,
    }
