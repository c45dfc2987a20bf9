"""USD-M REST endpoints under /binance-futures/fapi: parse, call the dialect's services, serialise."""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Callable

from flask import Blueprint, Response, g, jsonify, request

from exchange_simulator.binance import errors
from exchange_simulator.binance.params import Params
from exchange_simulator.binance.rest import API_KEY_HEADER, _fault_error, error_response
from exchange_simulator.binance_futures.market_data import depth_weight
from exchange_simulator.faults import FaultKind

if TYPE_CHECKING:
    from exchange_simulator.binance_futures.dialect import BinanceFuturesDialect

logger = logging.getLogger(__name__)

URL_PREFIX = "/binance-futures/fapi"


def _many(args) -> bool:
    return "symbol" not in args


# Request weights as Binance publishes them for USD-M; keyed by (method, path below the prefix).
_WEIGHTS: dict[tuple[str, str], Callable[[Any], int]] = {
    ("GET", "/v1/depth"): lambda a: depth_weight(a.get("limit", type=int)),
    ("GET", "/v1/ticker/price"): lambda a: 2 if _many(a) else 1,
    ("GET", "/v1/ticker/bookTicker"): lambda a: 5 if _many(a) else 2,
    ("GET", "/v1/openOrders"): lambda a: 40 if _many(a) else 1,
    ("GET", "/v1/userTrades"): lambda a: 5,
    ("GET", "/v2/positionRisk"): lambda a: 5,
    ("GET", "/v2/balance"): lambda a: 5,
    ("GET", "/v2/account"): lambda a: 5,
}
_DEFAULT_WEIGHT = 1


def create_rest_blueprint(dialect: "BinanceFuturesDialect") -> Blueprint:
    bp = Blueprint("binance_futures_api", __name__, url_prefix=URL_PREFIX)

    def client_ip() -> str:
        return request.remote_addr or "unknown"

    def params() -> Params:
        query = request.query_string.decode("utf-8", errors="replace")
        body = request.get_data(cache=True, as_text=True) if request.method != "GET" else ""
        return Params.from_raw(query, body)

    def apply_faults() -> None:
        deferred: errors.BinanceError | None = None
        for fault in dialect.faults.take(dialect.name, request.path):
            if fault.latency_ms:
                time.sleep(fault.latency_ms / 1000)
            if fault.kind in (FaultKind.LATENCY, FaultKind.DROP_WEBSOCKETS) or deferred is not None:
                continue
            error = _fault_error(fault.kind, fault.status, fault.retry_after,
                                 dialect.config.binance_limits.request_weight_per_minute, client_ip())
            if not fault.execute:
                raise error
            deferred = error
        if deferred is not None:
            g.futures_deferred_error = deferred

    @bp.before_request
    def before() -> None:
        g.futures_account = dialect.auth.known_account(request.headers.get(API_KEY_HEADER))
        apply_faults()
        weigh = _WEIGHTS.get((request.method, request.path[len(URL_PREFIX):]))
        dialect.limiter.consume_weight(client_ip(), weigh(request.args) if weigh else _DEFAULT_WEIGHT)

    @bp.after_request
    def after(response: Response) -> Response:
        deferred = g.pop("futures_deferred_error", None)
        if deferred is not None:
            logger.info("answering %s %s with injected error %s after executing it",
                        request.method, request.path, deferred.code)
            response = error_response(deferred)
        account = g.get("futures_account")
        response.headers.update(dialect.limiter.headers(client_ip(), account.account_id if account else None))
        return response

    @bp.errorhandler(errors.BinanceError)
    def binance_error(error: errors.BinanceError) -> Response:
        return error_response(error)

    def signed() -> tuple[str, Params]:
        p = params()
        account = dialect.auth.signed(request.headers.get(API_KEY_HEADER), p)
        g.futures_account = account
        return account.account_id, p

    def keyed() -> str:
        """USER_STREAM endpoints: the API key alone, no signature."""
        return dialect.auth.api_key(request.headers.get(API_KEY_HEADER)).account_id

    # general and market data

    @bp.get("/v1/ping")
    def ping():
        params().ensure_all_read()
        return {}

    @bp.get("/v1/time")
    def server_time():
        params().ensure_all_read()
        return {"serverTime": dialect.venue.clock()}

    @bp.get("/v1/exchangeInfo")
    def exchange_info():
        return dialect.market_data.exchange_info(params())

    @bp.get("/v1/ticker/price")
    def ticker_price():
        return jsonify(dialect.market_data.ticker_price(params()))

    @bp.get("/v1/ticker/bookTicker")
    def book_ticker():
        return jsonify(dialect.market_data.book_ticker(params()))

    @bp.get("/v1/premiumIndex")
    def premium_index():
        return jsonify(dialect.market_data.premium_index(params()))

    @bp.get("/v1/depth")
    def depth():
        return dialect.market_data.depth(params())

    # trading

    @bp.post("/v1/order")
    def new_order():
        account, p = signed()
        dialect.limiter.consume_order(account)
        return dialect.trading.new_order(account, p)

    @bp.get("/v1/order")
    def query_order():
        account, p = signed()
        return dialect.trading.query_order(account, p)

    @bp.delete("/v1/order")
    def cancel_order():
        account, p = signed()
        return dialect.trading.cancel_order(account, p)

    @bp.delete("/v1/allOpenOrders")
    def cancel_all():
        account, p = signed()
        return dialect.trading.cancel_all(account, p)

    @bp.get("/v1/openOrders")
    def open_orders():
        account, p = signed()
        return jsonify(dialect.trading.open_orders(account, p))

    @bp.get("/v1/userTrades")
    def user_trades():
        account, p = signed()
        return jsonify(dialect.trading.user_trades(account, p))

    @bp.post("/v1/leverage")
    def leverage():
        account, p = signed()
        return dialect.trading.change_leverage(account, p)

    @bp.get("/v2/positionRisk")
    def position_risk():
        account, p = signed()
        return jsonify(dialect.trading.position_risk(account, p))

    @bp.get("/v2/balance")
    def balance():
        account, p = signed()
        return jsonify(dialect.trading.balance(account, p))

    @bp.get("/v2/account")
    def account_info():
        account, p = signed()
        return dialect.trading.account(account, p)

    # user data stream: USD-M keeps one listen key per account, so PUT and DELETE need no parameter

    @bp.post("/v1/listenKey")
    def create_listen_key():
        account = keyed()
        params().ensure_all_read()
        return {"listenKey": dialect.listen_keys.create(account)}

    @bp.put("/v1/listenKey")
    def keepalive_listen_key():
        account = keyed()
        key = _listen_key(params(), dialect, account)
        dialect.listen_keys.keepalive(key, account)
        return {"listenKey": key}

    @bp.delete("/v1/listenKey")
    def close_listen_key():
        account = keyed()
        dialect.listen_keys.close(_listen_key(params(), dialect, account), account)
        return {}

    return bp


def _listen_key(p: Params, dialect: "BinanceFuturesDialect", account: str) -> str:
    """The key sent, or else the account's live key (-1125 when it has none)."""
    key = p.raw("listenKey")
    p.ensure_all_read()
    if key is None:
        key = dialect.listen_keys.live_key_of(account)
    if key is None:
        raise errors.invalid_listen_key()
    return key
