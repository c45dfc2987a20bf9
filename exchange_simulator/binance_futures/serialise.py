"""Engine orders, fills and ledger positions in Binance USD-M JSON shapes (numbers as strings, times in ms)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchange_simulator.binance_futures.contracts import Contract
from exchange_simulator.binance_futures.ledger import Booking, Position
from exchange_simulator.binance_futures.model import POSITION_SIDE_BOTH, OrderTerms
from exchange_simulator.engine import EngineOrder, Fill, OrderStatus, OrderType, Side

MONEY_PLACES = 8
_MONEY = Decimal(1).scaleb(-MONEY_PLACES)
ORDER_TYPES = [OrderType.LIMIT.value, OrderType.MARKET.value]
TIME_IN_FORCE = ["GTC", "IOC", "FOK", "GTX", "GTD"]
MARGIN_ASSET = "USDT"
# Far-future delivery date Binance gives perpetuals, and the listing date of BTCUSDT.
PERPETUAL_DELIVERY_MS = 4133404800000
ONBOARD_MS = 1569398400000
FUNDING_RATE = Decimal("0.0001")
FUNDING_INTERVAL_MS = 8 * 3600 * 1000
MAINTENANCE_RATE = Decimal("0.004")
MAX_NOTIONAL = "1000000"


def places(value: Decimal | None, digits: int) -> str:
    if value is None:
        value = Decimal(0)
    return f"{value.quantize(Decimal(1).scaleb(-digits)):f}"


def money(value: Decimal | None) -> str:
    return places(value, MONEY_PLACES)


def price(contract: Contract, value: Decimal | None) -> str:
    return places(value, contract.price_precision)


def qty(contract: Contract, value: Decimal | None) -> str:
    return places(value, contract.quantity_precision)


def next_funding_ms(now_ms: int) -> int:
    return now_ms - now_ms % FUNDING_INTERVAL_MS + FUNDING_INTERVAL_MS


# -- exchangeInfo ----------------------------------------------------------------------------------

def symbol_info(contract: Contract) -> dict[str, Any]:
    spec = contract.spec
    return {
        "symbol": spec.symbol,
        "pair": spec.symbol,
        "contractType": "PERPETUAL",
        "deliveryDate": PERPETUAL_DELIVERY_MS,
        "onboardDate": ONBOARD_MS,
        "status": "TRADING",
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000",
        "baseAsset": spec.base_asset,
        "quoteAsset": spec.quote_asset,
        "marginAsset": MARGIN_ASSET,
        "pricePrecision": contract.price_precision,
        "quantityPrecision": contract.quantity_precision,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "underlyingSubType": [],
        "triggerProtect": "0.0500",
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
        "maxMoveOrderLimit": 10000,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": price(contract, spec.min_price),
             "maxPrice": price(contract, spec.max_price), "tickSize": f"{spec.tick_size:f}"},
            {"filterType": "LOT_SIZE", "minQty": qty(contract, spec.min_qty), "maxQty": qty(contract, spec.max_qty),
             "stepSize": f"{spec.step_size:f}"},
            {"filterType": "MARKET_LOT_SIZE", "minQty": qty(contract, spec.min_qty),
             "maxQty": qty(contract, contract.market_max_qty), "stepSize": f"{spec.step_size:f}"},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
            {"filterType": "MIN_NOTIONAL", "notional": f"{contract.min_notional:f}"},
            {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
             "multiplierDecimal": "4"},
        ],
        "orderTypes": ORDER_TYPES,
        "timeInForce": TIME_IN_FORCE,
    }


# -- orders ----------------------------------------------------------------------------------------

def status(order: EngineOrder, terms: OrderTerms) -> str:
    if terms.expired and order.status is OrderStatus.CANCELED:
        return OrderStatus.EXPIRED.value
    return order.status.value


def _avg_price(order: EngineOrder) -> Decimal | None:
    return order.cummulative_quote_qty / order.executed_qty if order.executed_qty else None


def order_json(order: EngineOrder, terms: OrderTerms, contract: Contract, *, ack: bool = False,
               with_time: bool = False) -> dict[str, Any]:
    """POST/GET/DELETE /fapi/v1/order and openOrders rows; an ACK shows the order as first accepted."""
    executed = Decimal(0) if ack else order.executed_qty
    quote = Decimal(0) if ack else order.cummulative_quote_qty
    body: dict[str, Any] = {
        "orderId": order.order_id,
        "symbol": order.symbol,
        "status": OrderStatus.NEW.value if ack else status(order, terms),
        "clientOrderId": order.client_order_id,
        "price": price(contract, order.price),
        "avgPrice": money(None if ack else _avg_price(order)),
        "origQty": qty(contract, order.quantity),
        "executedQty": qty(contract, executed),
        "cumQty": qty(contract, executed),
        "cumQuote": money(quote),
        "timeInForce": terms.time_in_force,
        "type": order.type.value,
        "reduceOnly": terms.reduce_only,
        "closePosition": False,
        "side": order.side.value,
        "positionSide": POSITION_SIDE_BOTH,
        "stopPrice": "0",
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "origType": order.type.value,
        "priceMatch": "NONE",
        "selfTradePreventionMode": terms.stp,
        "goodTillDate": terms.good_till_ms,
        "updateTime": order.created_ms if ack else order.updated_ms,
    }
    if with_time:
        body["time"] = order.created_ms
    return body


def user_trade_json(fill: Fill, booking: Booking, contract: Contract) -> dict[str, Any]:
    return {
        "buyer": fill.side is Side.BUY,
        "commission": money(booking.commission),
        "commissionAsset": MARGIN_ASSET,
        "id": fill.trade_id,
        "maker": fill.is_maker,
        "orderId": fill.order_id,
        "price": price(contract, fill.price),
        "qty": qty(contract, fill.qty),
        "quoteQty": money(fill.quote_qty),
        "realizedPnl": money(booking.realized_pnl),
        "side": fill.side.value,
        "positionSide": POSITION_SIDE_BOTH,
        "symbol": fill.symbol,
        "time": fill.time_ms,
    }


# -- positions and balances ------------------------------------------------------------------------

def position_risk_json(contract: Contract, position: Position, mark: Decimal) -> dict[str, Any]:
    notional = position.amount * mark
    return {
        "symbol": contract.symbol,
        "positionAmt": qty(contract, position.amount),
        "entryPrice": money(position.entry_price),
        "breakEvenPrice": money(position.entry_price),
        "markPrice": money(mark),
        "unRealizedProfit": money(position.unrealized(mark)),
        "liquidationPrice": "0",
        "leverage": str(position.leverage),
        "maxNotionalValue": MAX_NOTIONAL,
        "marginType": "cross",
        "isolatedMargin": money(None),
        "isAutoAddMargin": "false",
        "positionSide": POSITION_SIDE_BOTH,
        "notional": money(notional),
        "isolatedWallet": "0",
        "updateTime": position.update_ms,
    }


def account_position_json(contract: Contract, position: Position, mark: Decimal,
                          order_margin: Decimal) -> dict[str, Any]:
    """A row of /fapi/v2/account positions."""
    position_margin = position.margin(mark)
    return {
        "symbol": contract.symbol,
        "initialMargin": money(position_margin + order_margin),
        "maintMargin": money(abs(position.amount) * mark * MAINTENANCE_RATE),
        "unrealizedProfit": money(position.unrealized(mark)),
        "positionInitialMargin": money(position_margin),
        "openOrderInitialMargin": money(order_margin),
        "leverage": str(position.leverage),
        "isolated": False,
        "entryPrice": money(position.entry_price),
        "breakEvenPrice": money(position.entry_price),
        "maxNotional": MAX_NOTIONAL,
        "positionSide": POSITION_SIDE_BOTH,
        "positionAmt": qty(contract, position.amount),
        "notional": money(position.amount * mark),
        "isolatedWallet": "0",
        "updateTime": position.update_ms,
    }


# -- user data stream ------------------------------------------------------------------------------

_EXECUTION_TYPES = {"NEW": "NEW", "TRADE": "TRADE", "CANCELED": "CANCELED", "EXPIRED": "EXPIRED",
                    "REJECTED": "REJECTED", "TRIGGERED": "NEW"}


def order_trade_update(order: EngineOrder, terms: OrderTerms, contract: Contract, fill: Fill | None,
                       booking: Booking | None, kind: str, event_ms: int, open_notional: tuple[Decimal, Decimal]
                       ) -> dict[str, Any]:
    execution = _EXECUTION_TYPES.get(kind, kind)
    if kind == "CANCELED" and terms.expired:
        execution = "EXPIRED"
    average = _avg_price(order)
    bids, asks = open_notional
    return {
        "e": "ORDER_TRADE_UPDATE",
        "E": event_ms,
        "T": fill.time_ms if fill else order.updated_ms,
        "o": {
            "s": order.symbol,
            "c": order.client_order_id,
            "S": order.side.value,
            "o": order.type.value,
            "f": terms.time_in_force,
            "q": qty(contract, order.quantity),
            "p": price(contract, order.price),
            "ap": money(average),
            "sp": "0",
            "x": execution,
            "X": status(order, terms),
            "i": order.order_id,
            "l": qty(contract, fill.qty if fill else None),
            "z": qty(contract, order.executed_qty),
            "L": price(contract, fill.price if fill else None),
            "N": MARGIN_ASSET,
            "n": money(booking.commission if booking else None),
            "T": fill.time_ms if fill else order.updated_ms,
            "t": fill.trade_id if fill else 0,
            "b": money(bids),
            "a": money(asks),
            "m": fill.is_maker if fill else False,
            "R": terms.reduce_only,
            "wt": "CONTRACT_PRICE",
            "ot": order.type.value,
            "ps": POSITION_SIDE_BOTH,
            "cp": False,
            "rp": money(booking.realized_pnl if booking else None),
            "pP": False,
            "si": 0,
            "ss": 0,
            "V": terms.stp,
            "pm": "NONE",
            "gtd": terms.good_till_ms,
        },
    }


def account_update(wallet: Decimal, positions: list[tuple[Contract, Position, Decimal]], event_ms: int,
                   reason: str = "ORDER") -> dict[str, Any]:
    return {
        "e": "ACCOUNT_UPDATE",
        "E": event_ms,
        "T": event_ms,
        "a": {
            "m": reason,
            "B": [{"a": MARGIN_ASSET, "wb": money(wallet), "cw": money(wallet), "bc": "0"}],
            "P": [
                {"s": contract.symbol, "pa": qty(contract, position.amount), "ep": money(position.entry_price),
                 "bep": money(position.entry_price), "cr": money(position.realized_pnl),
                 "up": money(position.unrealized(mark)), "mt": "cross", "iw": "0", "ps": POSITION_SIDE_BOTH}
                for contract, position, mark in positions
            ],
        },
    }


# -- market data -----------------------------------------------------------------------------------

def book_ticker_rest(contract: Contract, bid: tuple[Decimal, Decimal] | None, ask: tuple[Decimal, Decimal] | None,
                     now_ms: int) -> dict[str, Any]:
    return {
        "symbol": contract.symbol,
        "bidPrice": price(contract, bid[0] if bid else None),
        "bidQty": qty(contract, bid[1] if bid else None),
        "askPrice": price(contract, ask[0] if ask else None),
        "askQty": qty(contract, ask[1] if ask else None),
        "time": now_ms,
    }


def book_ticker_event(contract: Contract, update_id: int, bid, ask, now_ms: int) -> dict[str, Any]:
    return {
        "e": "bookTicker",
        "u": update_id,
        "s": contract.symbol,
        "b": price(contract, bid[0] if bid else None),
        "B": qty(contract, bid[1] if bid else None),
        "a": price(contract, ask[0] if ask else None),
        "A": qty(contract, ask[1] if ask else None),
        "T": now_ms,
        "E": now_ms,
    }


def premium_index(contract: Contract, mark: Decimal, index: Decimal, now_ms: int) -> dict[str, Any]:
    return {
        "symbol": contract.symbol,
        "markPrice": money(mark),
        "indexPrice": money(index),
        "estimatedSettlePrice": money(index),
        "lastFundingRate": money(FUNDING_RATE),
        "interestRate": money(FUNDING_RATE),
        "nextFundingTime": next_funding_ms(now_ms),
        "time": now_ms,
    }


def mark_price_event(contract: Contract, mark: Decimal, index: Decimal, now_ms: int) -> dict[str, Any]:
    return {
        "e": "markPriceUpdate",
        "E": now_ms,
        "s": contract.symbol,
        "p": money(mark),
        "ap": money(mark),
        "P": money(index),
        "i": money(index),
        "r": money(FUNDING_RATE),
        "T": next_funding_ms(now_ms),
    }


def agg_trade_event(contract: Contract, trade, now_ms: int) -> dict[str, Any]:
    return {
        "e": "aggTrade",
        "E": now_ms,
        "s": contract.symbol,
        "a": trade.trade_id,
        "p": price(contract, trade.price),
        "q": qty(contract, trade.qty),
        "f": trade.trade_id,
        "l": trade.trade_id,
        "T": trade.time_ms,
        "m": trade.buyer_is_maker,
    }
