"""Binance spot order and account operations on the shared venue (transport-neutral: Params in, dicts out)."""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from decimal import Decimal

from exchange_simulator.binance import errors, serialise
from exchange_simulator.binance.params import Params, trade_filters
from exchange_simulator.binance.streams import StreamPublisher
from exchange_simulator.binance.trade_history import TradeHistory
from exchange_simulator.engine import (
    EngineError,
    OrderRejected,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    Side,
    TimeInForce,
    UnknownOrder,
)
from exchange_simulator.venue import Venue

RESPONSE_TYPES = ("ACK", "RESULT", "FULL")
MY_TRADES_DEFAULT_LIMIT = 500
MY_TRADES_MAX_LIMIT = 1000
DAY_MS = 86_400_000
_ALPHABET = string.ascii_letters + string.digits

# Which optional parameters each order type takes; anything else sent is refused with -1106.
_NEEDS_TIF = {OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT}
_NEEDS_PRICE = {OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT}
_NEEDS_STOP = {OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT}
# Accepted for compatibility, without effect in the simulator.
_IGNORED_ORDER_PARAMS = ("strategyId", "strategyType")

_REJECT_MESSAGES = {
    RejectReason.INSUFFICIENT_BALANCE: "Account has insufficient balance for requested action.",
    RejectReason.WOULD_TAKE: "Order would immediately match and take.",
    RejectReason.WOULD_TRIGGER_IMMEDIATELY: "Stop price would trigger immediately.",
    RejectReason.DUPLICATE_CLIENT_ORDER_ID: "Duplicate order sent.",
    RejectReason.MATCHING_PAUSED: "Market is closed.",
}
_FILTER_NAMES = {
    RejectReason.FILTER_PRICE: "PRICE_FILTER",
    RejectReason.FILTER_LOT_SIZE: "LOT_SIZE",
    RejectReason.FILTER_NOTIONAL: "NOTIONAL",
}


def rejection_error(exc: EngineError) -> errors.BinanceError:
    """The Binance error a new-order rejection by the engine answers with."""
    if exc.reason in _FILTER_NAMES:
        return errors.filter_failure(_FILTER_NAMES[exc.reason])
    if exc.reason is RejectReason.UNKNOWN_SYMBOL:
        return errors.invalid_symbol()
    if exc.reason in _REJECT_MESSAGES:
        return errors.new_order_rejected(_REJECT_MESSAGES[exc.reason])
    return errors.invalid_parameter(exc.detail)


@dataclass(frozen=True)
class NewOrder:
    """A parsed and checked new-order request."""

    symbol: str
    side: Side
    type: OrderType
    time_in_force: TimeInForce | None
    quantity: Decimal | None
    quote_order_qty: Decimal | None
    price: Decimal | None
    stop_price: Decimal | None
    client_order_id: str | None
    stp: SelfTradePrevention
    response_type: str


def random_client_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(22))


class BinanceTrading:
    def __init__(self, venue: Venue, publisher: StreamPublisher, history: TradeHistory):
        self._venue = venue
        self._publisher = publisher
        self._history = history

    def _symbol(self, params: Params) -> str:
        symbol = params.symbol()
        if symbol not in self._venue.engine.symbols:
            raise errors.invalid_symbol()
        return symbol

    def _new_order_request(self, params: Params) -> NewOrder:
        symbol = self._symbol(params)
        side = params.enum("side", Side, errors.invalid_side, required=True)
        order_type = params.enum("type", OrderType, errors.invalid_order_type, required=True)
        tif = params.enum("timeInForce", TimeInForce, errors.invalid_tif)
        quantity = params.decimal("quantity")
        quote_qty = params.decimal("quoteOrderQty")
        price = params.decimal("price")
        stop_price = params.decimal("stopPrice")
        client_id = params.client_order_id("newClientOrderId")
        stp = params.enum("selfTradePreventionMode", SelfTradePrevention, lambda: errors.illegal_chars(
            "selfTradePreventionMode", ", ".join(serialise.STP_MODES))) or SelfTradePrevention.EXPIRE_MAKER
        default_resp = "FULL" if order_type in (OrderType.MARKET, OrderType.LIMIT) else "ACK"
        resp_type = params.choice("newOrderRespType", RESPONSE_TYPES, default_resp)
        params.ignore(*_IGNORED_ORDER_PARAMS)
        self._check_combination(order_type, tif, quantity, quote_qty, price, stop_price)
        return NewOrder(symbol, side, order_type, tif, quantity, quote_qty, price, stop_price, client_id, stp,
                        resp_type)

    @staticmethod
    def _submit(engine, account: str, order: NewOrder) -> dict:
        try:
            result = engine.submit(
                account, order.symbol, order.side, order.type, quantity=order.quantity, price=order.price,
                time_in_force=order.time_in_force, stop_price=order.stop_price,
                quote_order_qty=order.quote_order_qty, client_order_id=order.client_order_id,
                self_trade_prevention=order.stp,
            )
        except OrderRejected as exc:
            raise rejection_error(exc) from None
        return serialise.new_order_response(result.order, result.fills, order.response_type, order.stp)

    def new_order(self, account: str, params: Params) -> dict:
        request = self._new_order_request(params)
        params.ensure_all_read()
        with self._venue.session() as engine:
            return self._submit(engine, account, request)

    def cancel_replace(self, account: str, params: Params) -> dict:
        """Cancel an order and place its replacement atomically, answering as Binance does on partial failure."""
        mode = params.choice("cancelReplaceMode", ("STOP_ON_FAILURE", "ALLOW_FAILURE"))
        if mode is None:
            raise errors.mandatory_missing("cancelReplaceMode")
        request = self._new_order_request(params)
        cancel_order_id = params.integer("cancelOrderId",
                                         malformed=lambda n: errors.illegal_chars(n, "^[0-9]{1,20}$"))
        cancel_client_id = params.raw("cancelOrigClientOrderId")
        if cancel_order_id is None and cancel_client_id is None:
            raise errors.one_of_missing("cancelOrigClientOrderId", "cancelOrderId")
        cancel_id = params.client_order_id("cancelNewClientOrderId") or random_client_id()
        params.ignore("cancelRestrictions", "orderRateLimitExceededMode")
        params.ensure_all_read()

        outcome: dict = {"cancelResult": "SUCCESS", "newOrderResult": "NOT_ATTEMPTED",
                         "cancelResponse": None, "newOrderResponse": None}
        with self._venue.session() as engine:
            try:
                outcome["cancelResponse"] = self._cancel(engine, account, request.symbol, cancel_order_id,
                                                         cancel_client_id, cancel_id)
            except errors.BinanceError as exc:
                outcome["cancelResult"], outcome["cancelResponse"] = "FAILURE", exc.body()
                if mode == "STOP_ON_FAILURE":
                    raise errors.cancel_replace_failed(outcome) from None
            try:
                outcome["newOrderResponse"] = self._submit(engine, account, request)
                outcome["newOrderResult"] = "SUCCESS"
            except errors.BinanceError as exc:
                outcome["newOrderResult"], outcome["newOrderResponse"] = "FAILURE", exc.body()
        if outcome["cancelResult"] == "SUCCESS" and outcome["newOrderResult"] == "SUCCESS":
            return outcome
        if outcome["cancelResult"] == "FAILURE" and outcome["newOrderResult"] == "FAILURE":
            raise errors.cancel_replace_failed(outcome)
        raise errors.cancel_replace_partially_failed(outcome)

    @staticmethod
    def _check_combination(order_type, tif, quantity, quote_qty, price, stop_price) -> None:
        if order_type is OrderType.MARKET:
            if quantity is None and quote_qty is None:
                raise errors.one_of_missing("quantity", "quoteOrderQty")
            if quantity is not None and quote_qty is not None:
                raise errors.not_required("quoteOrderQty")
        else:
            if quote_qty is not None:
                raise errors.not_required("quoteOrderQty")
            if quantity is None:
                raise errors.mandatory_missing("quantity")
        for needed, name, value in ((_NEEDS_TIF, "timeInForce", tif), (_NEEDS_PRICE, "price", price),
                                    (_NEEDS_STOP, "stopPrice", stop_price)):
            if order_type in needed and value is None:
                raise errors.mandatory_missing(name)
            if order_type not in needed and value is not None:
                raise errors.not_required(name)

    def _order_keys(self, params: Params, original: str) -> tuple[str, int | None, str | None]:
        symbol = self._symbol(params)
        order_id = params.integer("orderId", malformed=lambda n: errors.illegal_chars(n, "^[0-9]{1,20}$"))
        client_id = params.raw(original)
        if order_id is None and client_id is None:
            raise errors.one_of_missing(original, "orderId")
        return symbol, order_id, client_id

    def _cancel(self, engine, account: str, symbol: str, order_id: int | None, client_id: str | None,
                cancel_id: str) -> dict:
        try:
            target = engine.get_order(account, symbol, order_id=order_id, client_order_id=client_id)
        except UnknownOrder:
            raise errors.cancel_rejected() from None
        # The publisher pops this when it reports the cancel, which happens as the session ends.
        self._publisher.cancel_ids[target.order_id] = cancel_id
        try:
            order = engine.cancel(account, symbol, order_id=target.order_id)
        except UnknownOrder:
            self._publisher.cancel_ids.pop(target.order_id, None)
            raise errors.cancel_rejected() from None
        return serialise.cancel_response(order, cancel_id, order.self_trade_prevention)

    def cancel_order(self, account: str, params: Params) -> dict:
        symbol, order_id, client_id = self._order_keys(params, "origClientOrderId")
        cancel_id = params.client_order_id("newClientOrderId") or random_client_id()
        params.ensure_all_read()
        with self._venue.session() as engine:
            return self._cancel(engine, account, symbol, order_id, client_id, cancel_id)

    def cancel_open_orders(self, account: str, params: Params) -> list[dict]:
        symbol = self._symbol(params)
        params.ensure_all_read()
        with self._venue.session() as engine:
            canceled = engine.cancel_all(account, symbol)
        if not canceled:
            raise errors.cancel_rejected()
        return [serialise.cancel_response(o, random_client_id(), o.self_trade_prevention) for o in canceled]

    def query_order(self, account: str, params: Params) -> dict:
        symbol, order_id, client_id = self._order_keys(params, "origClientOrderId")
        params.ensure_all_read()
        with self._venue.session() as engine:
            try:
                order = engine.get_order(account, symbol, order_id=order_id, client_order_id=client_id)
            except UnknownOrder:
                raise errors.order_does_not_exist() from None
        return serialise.query_order_response(order, order.self_trade_prevention)

    def open_orders(self, account: str, params: Params) -> list[dict]:
        symbol = params.symbol(required=False)
        if symbol is not None and symbol not in self._venue.engine.symbols:
            raise errors.invalid_symbol()
        params.ensure_all_read()
        with self._venue.session() as engine:
            orders = engine.open_orders(account, symbol)
        return [serialise.query_order_response(o, o.self_trade_prevention) for o in orders]

    def my_trades(self, account: str, params: Params) -> list[dict]:
        symbol = self._symbol(params)
        filters = trade_filters(params, DAY_MS, "24 hours", MY_TRADES_DEFAULT_LIMIT, MY_TRADES_MAX_LIMIT)
        with self._venue.session():
            fills = self._history.fills(account, symbol, **filters)
        return [serialise.my_trade_json(f) for f in fills]

    def account(self, account: str, params: Params) -> dict:
        omit_zero = params.choice("omitZeroBalances", ("true", "false"), "false") == "true"
        params.ensure_all_read()
        with self._venue.session() as engine:
            balances = engine.balances(account)
            spec = next(iter(engine.symbols.values()), None)
            now = self._venue.clock()
        fees = (spec.maker_fee, spec.taker_fee) if spec else (0, 0)
        return serialise.account_response(account, balances, fees, now, omit_zero)
