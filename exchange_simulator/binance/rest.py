"""Binance spot REST endpoints under /binance/api: parse, call the dialect's services, serialise."""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Callable

from flask import Blueprint, Response, g, jsonify, request

from exchange_simulator.binance import errors
from exchange_simulator.binance.market_data import depth_weight
from exchange_simulator.binance.params import Params
from exchange_simulator.faults import FaultKind

if TYPE_CHECKING:
    from exchange_simulator.binance.dialect import BinanceDialect

logger = logging.getLogger(__name__)

URL_PREFIX = "/binance/api"
API_KEY_HEADER = "X-MBX-APIKEY"


def _many_symbols(args) -> bool:
    return "symbol" not in args


# Request weights as Binance publishes them; keyed by (method, path below the prefix).
_WEIGHTS: dict[tuple[str, str], Callable[[Any], int]] = {
    ("GET", "/v3/ping"): lambda a: 1,
    ("GET", "/v3/time"): lambda a: 1,
    ("GET", "/v3/exchangeInfo"): lambda a: 20,
    ("GET", "/v3/depth"): lambda a: depth_weight(a.get("limit", type=int)),
    ("GET", "/v3/ticker/price"): lambda a: 4 if _many_symbols(a) else 2,
    ("GET", "/v3/ticker/bookTicker"): lambda a: 4 if _many_symbols(a) else 2,
    ("POST", "/v3/order"): lambda a: 1,
    ("GET", "/v3/order"): lambda a: 4,
    ("DELETE", "/v3/order"): lambda a: 1,
    ("GET", "/v3/openOrders"): lambda a: 80 if _many_symbols(a) else 6,
    ("DELETE", "/v3/openOrders"): lambda a: 1,
    ("GET", "/v3/account"): lambda a: 20,
    ("GET", "/v3/myTrades"): lambda a: 5 if "orderId" in a else 20,
    ("POST", "/v3/order/cancelReplace"): lambda a: 1,
}
_DEFAULT_WEIGHT = 2


def error_response(error: errors.BinanceError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.http_status
    response.headers.update(error.headers)
    return response


def _fault_error(kind: FaultKind, status: int | None, retry_after: int, limit: int, ip: str) -> errors.BinanceError:
    if kind is FaultKind.HTTP_5XX:
        error = errors.service_unavailable()
        error.http_status = status or 503
        return error
    if kind is FaultKind.TIMEOUT_1007:
        return errors.backend_timeout(status or 408)
    return errors.too_many_requests(limit, retry_after, ip)


def create_rest_blueprint(dialect: "BinanceDialect") -> Blueprint:
    bp = Blueprint("binance_api", __name__, url_prefix=URL_PREFIX)

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
            if fault.execute:
                deferred = error
            else:
                raise error
        if deferred is not None:
            g.binance_deferred_error = deferred

    @bp.before_request
    def before() -> None:
        g.binance_account = dialect.auth.known_account(request.headers.get(API_KEY_HEADER))
        apply_faults()
        path = request.path[len(URL_PREFIX):]
        weigh = _WEIGHTS.get((request.method, path))
        dialect.limiter.consume_weight(client_ip(), weigh(request.args) if weigh else _DEFAULT_WEIGHT)

    @bp.after_request
    def after(response: Response) -> Response:
        deferred = g.pop("binance_deferred_error", None)
        if deferred is not None:
            logger.info("answering %s %s with injected error %s after executing it",
                        request.method, request.path, deferred.code)
            response = error_response(deferred)
        account = g.get("binance_account")
        response.headers.update(dialect.limiter.headers(client_ip(), account.account_id if account else None))
        return response

    @bp.errorhandler(errors.BinanceError)
    def binance_error(error: errors.BinanceError) -> Response:
        return error_response(error)

    def signed_account() -> tuple[str, Params]:
        p = params()
        account = dialect.auth.signed(request.headers.get(API_KEY_HEADER), p)
        g.binance_account = account
        return account.account_id, p

    # general and market data

    @bp.get("/v3/ping")
    def ping():
        params().ensure_all_read()
        return {}

    @bp.get("/v3/time")
    def server_time():
        params().ensure_all_read()
        return {"serverTime": dialect.venue.clock()}

    @bp.get("/v3/exchangeInfo")
    def exchange_info():
        return dialect.market_data.exchange_info(params())

    @bp.get("/v3/ticker/price")
    def ticker_price():
        return jsonify(dialect.market_data.ticker_price(params()))

    @bp.get("/v3/ticker/bookTicker")
    def book_ticker():
        return jsonify(dialect.market_data.book_ticker(params()))

    @bp.get("/v3/depth")
    def depth():
        return dialect.market_data.depth(params())

    # trading

    @bp.post("/v3/order")
    def new_order():
        account, p = signed_account()
        dialect.limiter.consume_order(account)
        return dialect.trading.new_order(account, p)

    @bp.post("/v3/order/cancelReplace")
    def cancel_replace():
        account, p = signed_account()
        dialect.limiter.consume_order(account)
        return dialect.trading.cancel_replace(account, p)

    @bp.get("/v3/myTrades")
    def my_trades():
        account, p = signed_account()
        return jsonify(dialect.trading.my_trades(account, p))

    @bp.get("/v3/order")
    def query_order():
        account, p = signed_account()
        return dialect.trading.query_order(account, p)

    @bp.delete("/v3/order")
    def cancel_order():
        account, p = signed_account()
        return dialect.trading.cancel_order(account, p)

    @bp.get("/v3/openOrders")
    def open_orders():
        account, p = signed_account()
        return jsonify(dialect.trading.open_orders(account, p))

    @bp.delete("/v3/openOrders")
    def cancel_open_orders():
        account, p = signed_account()
        return jsonify(dialect.trading.cancel_open_orders(account, p))

    @bp.get("/v3/account")
    def account_info():
        account, p = signed_account()
        return dialect.trading.account(account, p)

    # user data stream (API key only, no signature)

    @bp.post("/v3/userDataStream")
    def create_listen_key():
        account = dialect.auth.api_key(request.headers.get(API_KEY_HEADER))
        params().ensure_all_read()
        return {"listenKey": dialect.listen_keys.create(account.account_id)}

    @bp.put("/v3/userDataStream")
    def keepalive_listen_key():
        account = dialect.auth.api_key(request.headers.get(API_KEY_HEADER))
        p = params()
        key = p.required("listenKey")
        p.ensure_all_read()
        dialect.listen_keys.keepalive(key, account.account_id)
        return {}

    @bp.delete("/v3/userDataStream")
    def close_listen_key():
        account = dialect.auth.api_key(request.headers.get(API_KEY_HEADER))
        p = params()
        key = p.required("listenKey")
        p.ensure_all_read()
        dialect.listen_keys.close(key, account.account_id)
        return {}

    return bp
