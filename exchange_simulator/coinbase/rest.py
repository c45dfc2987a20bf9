"""Coinbase Advanced Trade brokerage endpoints under /coinbase/api/v3/brokerage: JWT auth, faults, dispatch."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, g, jsonify, request

from exchange_simulator.coinbase import errors
from exchange_simulator.coinbase.trading import query_list
from exchange_simulator.fault_hooks import answer_deferred, inject_faults

if TYPE_CHECKING:
    from exchange_simulator.coinbase.dialect import CoinbaseDialect

URL_PREFIX = "/coinbase/api/v3/brokerage"


def _limit() -> int | None:
    raw = request.args.get("limit")
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        raise errors.invalid_argument("limit must be a positive integer")
    return int(raw)


def _json_body():
    body = request.get_json(silent=True)
    if body is None:
        raise errors.invalid_argument("request body must be JSON")
    return body


def create_brokerage_blueprint(dialect: "CoinbaseDialect") -> Blueprint:
    bp = Blueprint("coinbase_brokerage", __name__, url_prefix=URL_PREFIX)
    trading = dialect.trading

    @bp.before_request
    def before() -> None:
        account = dialect.auth.authenticate(request.headers.get("Authorization"), request.method, request.host,
                                            request.path)
        g.coinbase_account = account.account_id
        inject_faults(dialect.faults, dialect.name, errors.from_fault)

    @bp.after_request
    def after(response: Response) -> Response:
        return answer_deferred(response, errors.response)

    @bp.errorhandler(errors.CoinbaseError)
    def coinbase_error(error: errors.CoinbaseError) -> Response:
        return errors.response(error)

    @bp.post("/orders")
    def create_order():
        return trading.create_order(g.coinbase_account, _json_body())

    @bp.get("/orders/historical/<order_id>")
    def get_order(order_id: str):
        return trading.get_order(g.coinbase_account, order_id)

    @bp.get("/orders/historical/batch")
    def list_orders():
        return trading.list_orders(g.coinbase_account, query_list(request.args, "order_status"),
                                   query_list(request.args, "product_id", "product_ids"), _limit(),
                                   request.args.get("cursor"))

    @bp.get("/orders/historical/fills")
    def list_fills():
        return trading.list_fills(g.coinbase_account, query_list(request.args, "order_id", "order_ids"),
                                  query_list(request.args, "product_id", "product_ids"),
                                  request.args.get("start_sequence_timestamp"), _limit(),
                                  request.args.get("cursor"))

    @bp.post("/orders/batch_cancel")
    def batch_cancel():
        return trading.batch_cancel(g.coinbase_account, _json_body())

    @bp.get("/products")
    def products():
        return jsonify(trading.products(query_list(request.args, "product_ids")))

    @bp.get("/products/<product_id>")
    def product(product_id: str):
        return trading.product(product_id)

    return bp
