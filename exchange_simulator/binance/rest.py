"""Binance spot REST endpoints under /binance/api: parse, call the dialect's services, serialise."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from flask import Blueprint, Response, g, jsonify, request

from exchange_simulator.binance import errors
from exchange_simulator.binance.market_data import depth_weight
from exchange_simulator.binance.params import Params
from exchange_simulator.fault_hooks import answer_deferred, inject_faults

if TYPE_CHECKING:
    from exchange_simulator.binance.dialect import BinanceDialect
    from exchange_simulator.binance_futures.dialect import BinanceFuturesDialect

URL_PREFIX = "/binance/api"
API_KEY_HEADER = "X-MBX-APIKEY"


def _many_symbols(args) -> bool:
    return "symbol" not in args


# A request's weight by (method, path below the prefix), from its query arguments.
Weights = dict[tuple[str, str], Callable[[Any], int]]

# Request weights as Binance publishes them.
_WEIGHTS: Weights = {
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


class BinanceRequests:
    """What spot and USD-M requests share: API key, signature, injected faults, request weights and limits."""

    def __init__(self, dialect: "BinanceDialect | BinanceFuturesDialect", url_prefix: str, weights: Weights,
                 default_weight: int) -> None:
        self.dialect = dialect
        self.url_prefix = url_prefix
        self.weights = weights
        self.default_weight = default_weight

    def install(self, bp: Blueprint) -> None:
        """Register the blueprint's hooks: faults and weight before the request, limit headers on the answer."""
        bp.before_request(self._before)
        bp.after_request(self._after)
        bp.register_error_handler(errors.BinanceError, error_response)

    @staticmethod
    def client_ip() -> str:
        return request.remote_addr or "unknown"

    @staticmethod
    def params() -> Params:
        query = request.query_string.decode("utf-8", errors="replace")
        body = request.get_data(cache=True, as_text=True) if request.method != "GET" else ""
        return Params.from_raw(query, body)

    def signed(self) -> tuple[str, Params]:
        """The account of a signed request (TRADE and USER_DATA endpoints) and its parameters."""
        p = self.params()
        account = self.dialect.auth.signed(request.headers.get(API_KEY_HEADER), p)
        g.binance_account = account
        return account.account_id, p

    def keyed(self) -> str:
        """The account of a USER_STREAM request: the API key alone, no signature."""
        return self.dialect.auth.api_key(request.headers.get(API_KEY_HEADER)).account_id

    def _before(self) -> None:
        dialect = self.dialect
        g.binance_account = dialect.auth.known_account(request.headers.get(API_KEY_HEADER))
        limit = dialect.config.binance_limits.request_weight_per_minute
        inject_faults(dialect.faults, dialect.name, lambda fault: errors.from_fault(fault, limit, self.client_ip()))
        weigh = self.weights.get((request.method, request.path[len(self.url_prefix):]))
        dialect.limiter.consume_weight(self.client_ip(), weigh(request.args) if weigh else self.default_weight)

    def _after(self, response: Response) -> Response:
        response = answer_deferred(response, error_response)
        account = g.get("binance_account")
        response.headers.update(self.dialect.limiter.headers(self.client_ip(),
                                                             account.account_id if account else None))
        return response


def _add_public_routes(bp: Blueprint, version: str, calls: BinanceRequests) -> None:
    """General and market data endpoints, alike on spot (v3) and USD-M (v1)."""
    dialect = calls.dialect
    params = calls.params

    @bp.get(f"/{version}/ping")
    def ping():
        params().ensure_all_read()
        return {}

    @bp.get(f"/{version}/time")
    def server_time():
        params().ensure_all_read()
        return {"serverTime": dialect.venue.clock()}

    @bp.get(f"/{version}/exchangeInfo")
    def exchange_info():
        return dialect.market_data.exchange_info(params())

    @bp.get(f"/{version}/ticker/price")
    def ticker_price():
        return jsonify(dialect.market_data.ticker_price(params()))

    @bp.get(f"/{version}/ticker/bookTicker")
    def book_ticker():
        return jsonify(dialect.market_data.book_ticker(params()))

    @bp.get(f"/{version}/depth")
    def depth():
        return dialect.market_data.depth(params())


def _add_order_routes(bp: Blueprint, version: str, calls: BinanceRequests) -> None:
    """New, query, cancel and open orders, alike on spot (v3) and USD-M (v1)."""
    dialect = calls.dialect
    signed = calls.signed

    @bp.post(f"/{version}/order")
    def new_order():
        account, p = signed()
        dialect.limiter.consume_order(account)
        return dialect.trading.new_order(account, p)

    @bp.get(f"/{version}/order")
    def query_order():
        account, p = signed()
        return dialect.trading.query_order(account, p)

    @bp.delete(f"/{version}/order")
    def cancel_order():
        account, p = signed()
        return dialect.trading.cancel_order(account, p)

    @bp.get(f"/{version}/openOrders")
    def open_orders():
        account, p = signed()
        return jsonify(dialect.trading.open_orders(account, p))


def binance_blueprint(name: str, calls: BinanceRequests, version: str) -> Blueprint:
    """A blueprint with the request hooks and the endpoints spot and USD-M share, to add the rest to."""
    bp = Blueprint(name, __name__, url_prefix=calls.url_prefix)
    calls.install(bp)
    _add_public_routes(bp, version, calls)
    _add_order_routes(bp, version, calls)
    return bp


def create_rest_blueprint(dialect: "BinanceDialect") -> Blueprint:
    calls = BinanceRequests(dialect, URL_PREFIX, _WEIGHTS, _DEFAULT_WEIGHT)
    bp = binance_blueprint("binance_api", calls, "v3")
    params, signed_account, keyed = calls.params, calls.signed, calls.keyed

    # trading

    @bp.post("/v3/order/cancelReplace")
    def cancel_replace():
        account, p = signed_account()
        dialect.limiter.consume_order(account)
        return dialect.trading.cancel_replace(account, p)

    @bp.get("/v3/myTrades")
    def my_trades():
        account, p = signed_account()
        return jsonify(dialect.trading.my_trades(account, p))

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
        account = keyed()
        params().ensure_all_read()
        return {"listenKey": dialect.listen_keys.create(account)}

    def named_listen_key() -> tuple[str, str]:
        account = keyed()
        p = params()
        key = p.required("listenKey")
        p.ensure_all_read()
        return key, account

    @bp.put("/v3/userDataStream")
    def keepalive_listen_key():
        dialect.listen_keys.keepalive(*named_listen_key())
        return {}

    @bp.delete("/v3/userDataStream")
    def close_listen_key():
        dialect.listen_keys.close(*named_listen_key())
        return {}

    return bp
