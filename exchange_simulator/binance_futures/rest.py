"""USD-M REST endpoints under /binance-futures/fapi: parse, call the dialect's services, serialise."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, jsonify

from exchange_simulator.binance import errors
from exchange_simulator.binance.params import Params
from exchange_simulator.binance.rest import BinanceRequests, Weights, binance_blueprint
from exchange_simulator.binance_futures.market_data import depth_weight

if TYPE_CHECKING:
    from exchange_simulator.binance_futures.dialect import BinanceFuturesDialect

URL_PREFIX = "/binance-futures/fapi"


def _many(args) -> bool:
    return "symbol" not in args


# Request weights as Binance publishes them for USD-M; keyed by (method, path below the prefix).
_WEIGHTS: Weights = {
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
    calls = BinanceRequests(dialect, URL_PREFIX, _WEIGHTS, _DEFAULT_WEIGHT)
    bp = binance_blueprint("binance_futures_api", calls, "v1")
    params, signed, keyed = calls.params, calls.signed, calls.keyed

    @bp.get("/v1/premiumIndex")
    def premium_index():
        return jsonify(dialect.market_data.premium_index(params()))

    # trading

    @bp.delete("/v1/allOpenOrders")
    def cancel_all():
        account, p = signed()
        return dialect.trading.cancel_all(account, p)

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
