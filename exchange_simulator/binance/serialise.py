"""Engine objects to Binance spot JSON shapes (numbers as 8-decimal strings, times as integer ms)."""
from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any, Iterable

from exchange_simulator.engine import (
    Balance,
    EngineOrder,
    Fill,
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    Side,
    SymbolSpec,
    Trade,
)

PRECISION = 8
_QUANTUM = Decimal(1).scaleb(-PRECISION)
ZERO = "0.00000000"
ORDER_TYPES = [t.value for t in OrderType]
STP_MODES = [m.value for m in SelfTradePrevention]
_STOP_TYPES = {OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT}


def fmt(value: Decimal | None) -> str:
    """Binance's fixed 8-decimal string, e.g. Decimal("0.01") -> "0.01000000"."""
    if value is None:
        return ZERO
    return f"{value.quantize(_QUANTUM):f}"


def levels(rows: Iterable[tuple[Decimal, Decimal]]) -> list[list[str]]:
    return [[fmt(price), fmt(qty)] for price, qty in rows]


# exchangeInfo

def symbol_info(spec: SymbolSpec) -> dict[str, Any]:
    return {
        "symbol": spec.symbol,
        "status": "TRADING",
        "baseAsset": spec.base_asset,
        "baseAssetPrecision": PRECISION,
        "quoteAsset": spec.quote_asset,
        "quotePrecision": PRECISION,
        "quoteAssetPrecision": PRECISION,
        "baseCommissionPrecision": PRECISION,
        "quoteCommissionPrecision": PRECISION,
        "orderTypes": ORDER_TYPES,
        "icebergAllowed": False,
        "ocoAllowed": False,
        "otoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": False,
        "amendAllowed": False,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": fmt(spec.min_price), "maxPrice": fmt(spec.max_price),
             "tickSize": fmt(spec.tick_size)},
            {"filterType": "LOT_SIZE", "minQty": fmt(spec.min_qty), "maxQty": fmt(spec.max_qty),
             "stepSize": fmt(spec.step_size)},
            {"filterType": "NOTIONAL", "minNotional": fmt(spec.min_notional), "applyMinToMarket": True,
             "maxNotional": fmt(Decimal("9000000")), "applyMaxToMarket": False, "avgPriceMins": 5},
            {"filterType": "MARKET_LOT_SIZE", "minQty": ZERO, "maxQty": fmt(spec.max_qty), "stepSize": ZERO},
        ],
        "permissions": ["SPOT"],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": SelfTradePrevention.EXPIRE_MAKER.value,
        "allowedSelfTradePreventionModes": STP_MODES,
    }


# orders

def _tif(order: EngineOrder) -> str:
    # Binance reports GTC for order types that take no timeInForce (MARKET, STOP_LOSS, ...).
    return order.time_in_force.value if order.time_in_force is not None else "GTC"


def _status(order: EngineOrder) -> str:
    return order.status.value


def fill_json(fill: Fill) -> dict[str, Any]:
    return {
        "price": fmt(fill.price),
        "qty": fmt(fill.qty),
        "commission": fmt(fill.commission),
        "commissionAsset": fill.commission_asset,
        "tradeId": fill.trade_id,
    }


def _order_core(order: EngineOrder) -> dict[str, Any]:
    body = {
        "price": fmt(order.price),
        "origQty": fmt(order.quantity),
        "executedQty": fmt(order.executed_qty),
        "origQuoteOrderQty": fmt(order.quote_order_qty),
        "cummulativeQuoteQty": fmt(order.cummulative_quote_qty),
        "status": _status(order),
        "timeInForce": _tif(order),
        "type": order.type.value,
        "side": order.side.value,
    }
    if order.type in _STOP_TYPES:
        body["stopPrice"] = fmt(order.stop_price)
    return body


def new_order_response(order: EngineOrder, fills: list[Fill], resp_type: str, stp: SelfTradePrevention) -> dict[str, Any]:
    body: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": -1,
        "clientOrderId": order.client_order_id,
        "transactTime": order.updated_ms,
    }
    if resp_type == "ACK":
        return body
    body.update(_order_core(order))
    if order.working_ms is not None:
        body["workingTime"] = order.working_ms
    else:
        body["workingTime"] = -1
    body["selfTradePreventionMode"] = stp.value
    if resp_type == "FULL":
        body["fills"] = [fill_json(f) for f in fills]
    return body


def query_order_response(order: EngineOrder, stp: SelfTradePrevention) -> dict[str, Any]:
    body: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": -1,
        "clientOrderId": order.client_order_id,
    }
    body.update(_order_core(order))
    body.setdefault("stopPrice", fmt(order.stop_price))
    body.update({
        "icebergQty": ZERO,
        "time": order.created_ms,
        "updateTime": order.updated_ms,
        "isWorking": order.is_working,
        "workingTime": order.working_ms if order.working_ms is not None else -1,
        "selfTradePreventionMode": stp.value,
    })
    return body


def cancel_response(order: EngineOrder, cancel_client_id: str, stp: SelfTradePrevention) -> dict[str, Any]:
    body: dict[str, Any] = {
        "symbol": order.symbol,
        "origClientOrderId": order.client_order_id,
        "orderId": order.order_id,
        "orderListId": -1,
        "clientOrderId": cancel_client_id,
        "transactTime": order.updated_ms,
    }
    body.update(_order_core(order))
    body["selfTradePreventionMode"] = stp.value
    return body


def my_trade_json(fill: Fill) -> dict[str, Any]:
    return {
        "symbol": fill.symbol,
        "id": fill.trade_id,
        "orderId": fill.order_id,
        "orderListId": -1,
        "price": fmt(fill.price),
        "qty": fmt(fill.qty),
        "quoteQty": fmt(fill.quote_qty),
        "commission": fmt(fill.commission),
        "commissionAsset": fill.commission_asset,
        "time": fill.time_ms,
        "isBuyer": fill.side is Side.BUY,
        "isMaker": fill.is_maker,
        "isBestMatch": True,
    }


# account

def account_response(account: str, balances: dict[str, Balance], spec_fees: tuple[Decimal, Decimal],
                     update_ms: int, omit_zero: bool) -> dict[str, Any]:
    maker, taker = spec_fees
    rows = [
        {"asset": asset, "free": fmt(b.free), "locked": fmt(b.locked)}
        for asset, b in sorted(balances.items())
        if not (omit_zero and b.free == 0 and b.locked == 0)
    ]
    return {
        # Binance expresses commissions in basis points here and as decimals in commissionRates.
        "makerCommission": int(maker * 10000),
        "takerCommission": int(taker * 10000),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {"maker": fmt(maker), "taker": fmt(taker), "buyer": ZERO, "seller": ZERO},
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": update_ms,
        "accountType": "SPOT",
        "balances": rows,
        "permissions": ["SPOT"],
        "uid": zlib.crc32(account.encode()),
    }


# streams

_EXECUTION_TYPES = {"NEW": "NEW", "TRADE": "TRADE", "CANCELED": "CANCELED", "EXPIRED": "EXPIRED",
                    "REJECTED": "REJECTED", "TRIGGERED": "NEW"}


def execution_report(order: EngineOrder, fill: Fill | None, kind: str, event_ms: int,
                     cancel_client_id: str | None, stp: SelfTradePrevention) -> dict[str, Any]:
    execution_type = _EXECUTION_TYPES.get(kind, kind)
    if kind == "EXPIRED" and order.status is OrderStatus.EXPIRED_IN_MATCH:
        execution_type = "TRADE_PREVENTION"
    canceled = kind == "CANCELED" and cancel_client_id is not None
    return {
        "e": "executionReport",
        "E": event_ms,
        "s": order.symbol,
        "c": cancel_client_id if canceled else order.client_order_id,
        "S": order.side.value,
        "o": order.type.value,
        "f": _tif(order),
        "q": fmt(order.quantity),
        "p": fmt(order.price),
        "P": fmt(order.stop_price),
        "F": ZERO,
        "g": -1,
        "C": order.client_order_id if canceled else "",
        "x": execution_type,
        "X": _status(order),
        "r": "NONE",
        "i": order.order_id,
        "l": fmt(fill.qty if fill else None),
        "z": fmt(order.executed_qty),
        "L": fmt(fill.price if fill else None),
        "n": fmt(fill.commission) if fill else "0",
        "N": fill.commission_asset if fill else None,
        "T": fill.time_ms if fill else order.updated_ms,
        "t": fill.trade_id if fill else -1,
        "I": 0,
        "w": order.is_working,
        "m": fill.is_maker if fill else False,
        "M": False,
        "O": order.created_ms,
        "Z": fmt(order.cummulative_quote_qty),
        "Y": fmt(fill.quote_qty if fill else None),
        "Q": fmt(order.quote_order_qty),
        "W": order.working_ms if order.working_ms is not None else -1,
        "V": stp.value,
    }


def account_position(balances: dict[str, Balance], event_ms: int) -> dict[str, Any]:
    return {
        "e": "outboundAccountPosition",
        "E": event_ms,
        "u": event_ms,
        "B": [{"a": asset, "f": fmt(b.free), "l": fmt(b.locked)} for asset, b in sorted(balances.items())],
    }


def trade_event(trade: Trade, event_ms: int) -> dict[str, Any]:
    return {
        "e": "trade",
        "E": event_ms,
        "s": trade.symbol,
        "t": trade.trade_id,
        "p": fmt(trade.price),
        "q": fmt(trade.qty),
        "T": trade.time_ms,
        "m": trade.buyer_is_maker,
        "M": True,
    }


def book_ticker_event(symbol: str, update_id: int, bid: tuple[Decimal, Decimal] | None,
                      ask: tuple[Decimal, Decimal] | None) -> dict[str, Any]:
    return {
        "u": update_id,
        "s": symbol,
        "b": fmt(bid[0] if bid else None),
        "B": fmt(bid[1] if bid else None),
        "a": fmt(ask[0] if ask else None),
        "A": fmt(ask[1] if ask else None),
    }


def book_ticker_rest(symbol: str, bid: tuple[Decimal, Decimal] | None, ask: tuple[Decimal, Decimal] | None) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "bidPrice": fmt(bid[0] if bid else None),
        "bidQty": fmt(bid[1] if bid else None),
        "askPrice": fmt(ask[0] if ask else None),
        "askQty": fmt(ask[1] if ask else None),
    }


def depth_update_event(symbol: str, first_id: int, last_id: int, bids: list[list[str]], asks: list[list[str]],
                       event_ms: int) -> dict[str, Any]:
    return {"e": "depthUpdate", "E": event_ms, "s": symbol, "U": first_id, "u": last_id, "b": bids, "a": asks}
