"""USD-M order, position and account operations on the futures venue (Params in, dicts out).

Pre-trade checks that the engine cannot make (futures minimum notional, reduce-only, margin) run here
under the venue lock, right before the engine sees the order, so nothing can change in between.
"""
from __future__ import annotations

from decimal import Decimal

from exchange_simulator.binance import errors
from exchange_simulator.binance.params import Params, id_number, trade_filters
from exchange_simulator.binance.trading import rejection_error
from exchange_simulator.binance_futures import errors as futures_errors
from exchange_simulator.binance_futures import serialise
from exchange_simulator.binance_futures.bookkeeping import Bookkeeper
from exchange_simulator.binance_futures.contracts import Contract
from exchange_simulator.binance_futures.ledger import MAX_LEVERAGE, Exposure
from exchange_simulator.binance_futures.model import OrderTerms
from exchange_simulator.binance_futures.orders import FuturesOrder, client_order_id, parse_new_order
from exchange_simulator.engine import (
    Engine,
    OrderRejected,
    OrderType,
    RejectReason,
    TimeInForce,
    UnknownOrder,
)
from exchange_simulator.engine.filters import check_price, check_quantity
from exchange_simulator.venue import Venue

USER_TRADES_DEFAULT_LIMIT = 500
USER_TRADES_MAX_LIMIT = 1000
WEEK_MS = 7 * 86_400_000
_ENGINE_TIF = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK, "GTD": TimeInForce.GTC}


class FuturesTrading:
    def __init__(self, venue: Venue, books: Bookkeeper, contracts: dict[str, Contract]) -> None:
        self._venue = venue
        self._books = books
        self._contracts = contracts
        self._gtd: dict[int, tuple[str, str, int]] = {}  # order id -> (account, symbol, good till ms)

    def _symbol(self, params: Params, *, required: bool = True) -> str | None:
        symbol = params.symbol(required=required)
        if symbol is not None and symbol not in self._contracts:
            raise errors.invalid_symbol()
        return symbol

    # -- orders ------------------------------------------------------------------------------------

    def new_order(self, account: str, params: Params) -> dict:
        request = parse_new_order(params, self._symbol(params))
        params.ensure_all_read()
        contract = self._contracts[request.symbol]
        with self._venue.session() as engine:
            self._expire_gtd(engine)
            if request.time_in_force == "GTD" and request.good_till_ms <= self._venue.clock():
                raise futures_errors.invalid_good_till_date()
            self._pre_trade_checks(account, request, contract)
            try:
                result = engine.submit(
                    account, request.symbol, request.side,
                    OrderType.LIMIT_MAKER if request.time_in_force == "GTX" else request.type,
                    quantity=request.quantity, price=request.price,
                    time_in_force=None if request.type is OrderType.MARKET or request.time_in_force == "GTX"
                    else _ENGINE_TIF[request.time_in_force],
                    client_order_id=request.client_order_id, self_trade_prevention=request.stp)
            except OrderRejected as exc:
                raise _rejection(exc) from None
            order = result.order
            terms = OrderTerms(request.time_in_force, request.reduce_only, request.good_till_ms, request.stp.value)
            # Registered before the session ends, which is when the order's stream events go out.
            self._books.terms[order.order_id] = terms
            if request.time_in_force == "GTD" and order.is_open:
                self._gtd[order.order_id] = (account, order.symbol, request.good_till_ms)
        return serialise.order_json(order, terms, contract, ack=request.response_type == "ACK")

    def _pre_trade_checks(self, account: str, request: FuturesOrder, contract: Contract) -> None:
        spec = contract.spec
        try:
            if request.price is not None:
                check_price(spec, request.price)
            check_quantity(spec, request.quantity)
        except OrderRejected as exc:
            raise rejection_error(exc) from None
        if request.type is OrderType.MARKET and request.quantity > contract.market_max_qty:
            raise futures_errors.quantity_above_market_max()
        marks = self._books.marks()
        reference = request.price if request.price is not None else marks[request.symbol]
        ledger = self._books.ledger
        if request.reduce_only:
            if not ledger.reduces(account, request.symbol, request.is_buy, request.quantity):
                raise futures_errors.reduce_only_rejected()
            return  # closing needs neither the minimum notional nor margin
        if request.quantity * reference < contract.min_notional:
            raise futures_errors.notional_too_small(contract.min_notional)
        exposures = self._books.exposures(account)
        exposures.append(Exposure(request.symbol, request.is_buy, request.quantity, reference))
        if ledger.available(account, marks, exposures) < 0:
            raise futures_errors.margin_insufficient()

    def _expire_gtd(self, engine: Engine) -> None:
        """Take GTD orders off the book once their time has come; clients see them EXPIRED."""
        now = self._venue.clock()
        for order_id, (account, symbol, good_till) in list(self._gtd.items()):
            if good_till > now:
                continue
            del self._gtd[order_id]
            try:
                engine.get_order(account, symbol, order_id=order_id)
                self._books.terms[order_id].expired = True
                engine.cancel(account, symbol, order_id=order_id)
            except UnknownOrder:
                self._books.terms[order_id].expired = False  # already filled or canceled

    def _find(self, engine: Engine, account: str, params: Params, missing: errors.BinanceError):
        symbol = self._symbol(params)
        order_id = id_number(params, "orderId")
        client_id = client_order_id(params, "origClientOrderId")
        if order_id is None and client_id is None:
            raise errors.one_of_missing("orderId", "origClientOrderId")
        params.ensure_all_read()
        try:
            return engine.get_order(account, symbol, order_id=order_id, client_order_id=client_id)
        except UnknownOrder:
            raise missing from None

    def cancel_order(self, account: str, params: Params) -> dict:
        with self._venue.session() as engine:
            self._expire_gtd(engine)
            target = self._find(engine, account, params, errors.cancel_rejected())
            try:
                order = engine.cancel(account, target.symbol, order_id=target.order_id)
            except UnknownOrder:
                raise errors.cancel_rejected() from None
            self._gtd.pop(order.order_id, None)
        return serialise.order_json(order, self._books.terms_of(order), self._contracts[order.symbol])

    def cancel_all(self, account: str, params: Params) -> dict:
        symbol = self._symbol(params)
        params.ensure_all_read()
        with self._venue.session() as engine:
            for order in engine.cancel_all(account, symbol):
                self._gtd.pop(order.order_id, None)
        return {"code": 200, "msg": "The operation of cancel all open order is done."}

    def query_order(self, account: str, params: Params) -> dict:
        with self._venue.session() as engine:
            self._expire_gtd(engine)
            order = self._find(engine, account, params, errors.order_does_not_exist())
        return serialise.order_json(order, self._books.terms_of(order), self._contracts[order.symbol],
                                    with_time=True)

    def open_orders(self, account: str, params: Params) -> list[dict]:
        symbol = self._symbol(params, required=False)
        params.ensure_all_read()
        with self._venue.session() as engine:
            self._expire_gtd(engine)
            orders = engine.open_orders(account, symbol)
        return [serialise.order_json(o, self._books.terms_of(o), self._contracts[o.symbol], with_time=True)
                for o in orders]

    def user_trades(self, account: str, params: Params) -> list[dict]:
        symbol = self._symbol(params)
        filters = trade_filters(params, WEEK_MS, "7 days", USER_TRADES_DEFAULT_LIMIT, USER_TRADES_MAX_LIMIT)
        with self._venue.session():
            rows = self._books.fills(account, symbol, **filters)
        return [serialise.user_trade_json(r.fill, r.booking, self._contracts[symbol]) for r in rows]

    # -- positions and account ---------------------------------------------------------------------

    def position_risk(self, account: str, params: Params) -> list[dict]:
        symbol = self._symbol(params, required=False)
        params.ensure_all_read()
        names = [symbol] if symbol else sorted(self._contracts)
        with self._venue.session():
            marks = self._books.marks()
            return [serialise.position_risk_json(self._contracts[s], self._books.ledger.position(account, s), marks[s])
                    for s in names]

    def _totals(self, account: str) -> dict[str, Decimal]:
        ledger = self._books.ledger
        marks = self._books.marks()
        exposures = self._books.exposures(account)
        wallet = ledger.account(account).wallet
        unrealized = ledger.unrealized(account, marks)
        position_margin = ledger.position_margin(account, marks)
        order_margin = ledger.order_margin(account, exposures)
        available = ledger.available(account, marks, exposures)
        return {"wallet": wallet, "unrealized": unrealized, "margin_balance": wallet + unrealized,
                "position_margin": position_margin, "order_margin": order_margin, "available": available,
                "withdrawable": max(min(available, wallet), Decimal(0))}

    def balance(self, account: str, params: Params) -> list[dict]:
        params.ensure_all_read()
        with self._venue.session():
            totals = self._totals(account)
            now = self._venue.clock()
        money = serialise.money
        return [{
            "accountAlias": "SgsR", "asset": serialise.MARGIN_ASSET, "balance": money(totals["wallet"]),
            "crossWalletBalance": money(totals["wallet"]), "crossUnPnl": money(totals["unrealized"]),
            "availableBalance": money(totals["available"]), "maxWithdrawAmount": money(totals["withdrawable"]),
            "marginAvailable": True, "updateTime": now,
        }]

    def account(self, account: str, params: Params) -> dict:
        params.ensure_all_read()
        money = serialise.money
        with self._venue.session():
            totals = self._totals(account)
            marks = self._books.marks()
            exposures = self._books.exposures(account)
            ledger = self._books.ledger
            positions = [
                serialise.account_position_json(
                    self._contracts[s], ledger.position(account, s), marks[s],
                    ledger.order_margin(account, [e for e in exposures if e.symbol == s]))
                for s in sorted(self._contracts)
            ]
            now = self._venue.clock()
        maintenance = sum((Decimal(p["maintMargin"]) for p in positions), Decimal(0))
        initial = totals["position_margin"] + totals["order_margin"]
        asset = {
            "asset": serialise.MARGIN_ASSET, "walletBalance": money(totals["wallet"]),
            "unrealizedProfit": money(totals["unrealized"]), "marginBalance": money(totals["margin_balance"]),
            "maintMargin": money(maintenance), "initialMargin": money(initial),
            "positionInitialMargin": money(totals["position_margin"]),
            "openOrderInitialMargin": money(totals["order_margin"]),
            "crossWalletBalance": money(totals["wallet"]), "crossUnPnl": money(totals["unrealized"]),
            "availableBalance": money(totals["available"]), "maxWithdrawAmount": money(totals["withdrawable"]),
            "marginAvailable": True, "updateTime": now,
        }
        return {
            "feeTier": 0, "feeBurn": False, "canTrade": True, "canDeposit": True, "canWithdraw": True,
            "updateTime": 0, "multiAssetsMargin": False, "tradeGroupId": -1,
            "totalInitialMargin": money(initial), "totalMaintMargin": money(maintenance),
            "totalWalletBalance": money(totals["wallet"]), "totalUnrealizedProfit": money(totals["unrealized"]),
            "totalMarginBalance": money(totals["margin_balance"]),
            "totalPositionInitialMargin": money(totals["position_margin"]),
            "totalOpenOrderInitialMargin": money(totals["order_margin"]),
            "totalCrossWalletBalance": money(totals["wallet"]), "totalCrossUnPnl": money(totals["unrealized"]),
            "availableBalance": money(totals["available"]), "maxWithdrawAmount": money(totals["withdrawable"]),
            "assets": [asset],
            "positions": positions,
        }

    def change_leverage(self, account: str, params: Params) -> dict:
        symbol = self._symbol(params)
        leverage = params.integer("leverage", required=True,
                                  malformed=lambda n: errors.illegal_chars(n, "^[0-9]{1,3}$"))
        params.ensure_all_read()
        if not 1 <= leverage <= MAX_LEVERAGE:
            raise futures_errors.invalid_leverage(leverage)
        with self._venue.session():
            ledger = self._books.ledger
            position = ledger.position(account, symbol)
            previous = position.leverage
            ledger.set_leverage(account, symbol, leverage)
            if leverage < previous and ledger.available(account, self._books.marks(),
                                                         self._books.exposures(account)) < 0:
                ledger.set_leverage(account, symbol, previous)
                raise futures_errors.margin_insufficient()
        return {"leverage": leverage, "maxNotionalValue": serialise.MAX_NOTIONAL, "symbol": symbol}


def _rejection(exc: OrderRejected) -> errors.BinanceError:
    if exc.reason is RejectReason.WOULD_TAKE:
        return futures_errors.post_only_would_take()
    if exc.reason is RejectReason.DUPLICATE_CLIENT_ORDER_ID:
        return futures_errors.duplicate_client_order_id()
    return rejection_error(exc)
