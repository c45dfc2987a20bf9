"""Flowa REST endpoints under /flowa: OAuth2 token, simple orders, trades, and the simulator's token control."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, jsonify, request

from exchange_simulator.config import AccountConfig
from exchange_simulator.fault_hooks import answer_deferred, inject_faults
from exchange_simulator.flowa import errors
from exchange_simulator.flowa.errors import FlowaError
from exchange_simulator.flowa.tokens import OAuthError

if TYPE_CHECKING:
    from exchange_simulator.flowa.dialect import FlowaDialect

URL_PREFIX = "/flowa"


def error_response(error: FlowaError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def create_rest_blueprint(dialect: "FlowaDialect") -> Blueprint:
    bp = Blueprint("flowa_api", __name__, url_prefix=URL_PREFIX)
    trading = dialect.trading

    @bp.before_request
    def before() -> None:
        if not request.path.startswith(f"{URL_PREFIX}/sim/"):
            inject_faults(dialect.faults, dialect.name, errors.from_fault)

    @bp.after_request
    def after(response: Response) -> Response:
        return answer_deferred(response, error_response)

    @bp.errorhandler(FlowaError)
    def flowa_error(error: FlowaError) -> Response:
        return error_response(error)

    @bp.errorhandler(OAuthError)
    def oauth_error(error: OAuthError) -> Response:
        response = jsonify(error.body())
        response.status_code = error.status
        response.headers["Cache-Control"] = "no-store"
        return response

    def client() -> AccountConfig:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        account = dialect.tokens.account_of(token.strip()) if scheme.lower() == "bearer" else None
        if account is None:
            raise errors.unauthorized()
        return account

    def json_body():
        return request.get_json(silent=True)

    @bp.post("/connect/token")
    def token():
        answer = jsonify(dialect.tokens.issue(request.form.to_dict()))
        answer.headers["Cache-Control"] = "no-store"
        return answer

    @bp.post("/api/simple-order")
    def create_order():
        return trading.create(client(), json_body())

    @bp.get("/api/simple-order")
    def order_by_custom_id():
        account = client()
        custom_id = request.args.get("CustomId") or request.args.get("customId")
        if not custom_id:
            raise errors.bad_request("The CustomId query parameter is required")
        return trading.order_by_custom_id(account, custom_id)

    @bp.get("/api/simple-order/<strategy_id>")
    def get_order(strategy_id: str):
        return trading.order(client(), strategy_id)

    @bp.put("/api/simple-order/<strategy_id>")
    def amend_order(strategy_id: str):
        return trading.amend(client(), strategy_id, json_body())

    @bp.delete("/api/simple-order/<strategy_id>")
    def cancel_order(strategy_id: str):
        return trading.cancel(client(), strategy_id)

    @bp.get("/api/trading/trades")
    def trades():
        account = client()
        return jsonify(trading.trades(account, _non_negative("index")))

    @bp.get("/api/trading/strategies")
    def strategies():
        account = client()
        return jsonify(trading.strategies(account, _non_negative("page")))

    @bp.post("/sim/expire-tokens")
    def expire_tokens():
        """Simulator control, not part of Flowa: end every token now, to exercise renewal."""
        return {"expired": dialect.tokens.expire_all()}

    return bp


def _non_negative(name: str) -> int:
    raw = request.args.get(name, "0")
    if not raw.isdigit():
        raise errors.bad_request(f"The {name} query parameter must be a non-negative integer")
    return int(raw)
