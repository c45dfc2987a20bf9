"""Operator API: fault injection, market control and account funding (JSON, not part of any venue dialect)."""
from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from flask import Blueprint, Response, jsonify, request

from exchange_simulator.config import SimulatorConfig
from exchange_simulator.dialects import Dialect
from exchange_simulator.faults import FaultInjector, FaultKind
from exchange_simulator.world import World

logger = logging.getLogger(__name__)

MAX_LATENCY_MS = 120_000


class AdminError(Exception):
    """A bad admin request, answered as application/problem+json."""

    def __init__(self, status: int, title: str, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field


def problem(status: int, title: str, detail: str, field: str | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field is not None:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _invalid(field: str, detail: str) -> AdminError:
    return AdminError(400, "Invalid request", detail, field)


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and not request.get_data():
        return {}
    if not isinstance(body, dict):
        raise AdminError(400, "Invalid request", "the body must be a JSON object")
    return body


def _decimal(body: dict, field: str, *, positive: bool = True) -> Decimal:
    raw = body.get(field)
    if raw is None or isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise _invalid(field, f"'{field}' is required, as a decimal string such as \"1.5\"")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise _invalid(field, f"'{field}' is not a decimal number: {raw!r}") from None
    if not value.is_finite() or (positive and value <= 0):
        raise _invalid(field, f"'{field}' must be a positive number")
    return value


def _int(body: dict, field: str, default: int, minimum: int, maximum: int) -> int:
    raw = body.get(field, default)
    if isinstance(raw, bool) or not isinstance(raw, int) or not minimum <= raw <= maximum:
        raise _invalid(field, f"'{field}' must be an integer between {minimum} and {maximum}")
    return raw


def create_admin_blueprint(world: World, faults: FaultInjector, dialects: Mapping[str, Dialect],
                           config: SimulatorConfig) -> Blueprint:
    bp = Blueprint("admin", __name__)

    @bp.errorhandler(AdminError)
    def admin_error(error: AdminError) -> Response:
        return problem(error.status, error.title, error.detail, error.field)

    def chosen_venue(body: dict | None = None):
        """The venue named by ?venue= or the body's "venue" (Binance spot when neither says)."""
        name = request.args.get("venue") or (body or {}).get("venue") or "binance"
        if name not in world.venues:
            raise _invalid("venue", f"'venue' must be one of {sorted(world.venues)}")
        return world.venue(name)

    @bp.get("/healthz")
    def healthz():
        return {"status": "ok", "paused": world.paused, "venues": sorted(dialects), "markets": sorted(world.venues)}

    # faults

    @bp.post("/admin/faults")
    def add_fault():
        body = _json_object()
        venue_name = body.get("venue")
        if venue_name not in dialects:
            raise _invalid("venue", f"'venue' must be one of {sorted(dialects)}")
        try:
            kind = FaultKind(body.get("kind"))
        except ValueError:
            raise _invalid("kind", f"'kind' must be one of {[k.value for k in FaultKind]}") from None
        if kind is FaultKind.DROP_WEBSOCKETS:
            dropped = dialects[venue_name].drop_websockets()
            logger.info("dropped %d %s websocket connections", dropped, venue_name)
            return {"kind": kind.value, "venue": venue_name, "dropped": dropped}, 200
        count = _int(body, "count", 1, 1, 1_000_000)
        latency_ms = _int(body, "latency_ms", 0, 0, MAX_LATENCY_MS)
        if kind is FaultKind.LATENCY and latency_ms == 0:
            raise _invalid("latency_ms", "a latency fault needs 'latency_ms' > 0")
        path = body.get("path")
        if path is not None and (not isinstance(path, str) or not path.startswith("/")):
            raise _invalid("path", "'path' must be a URL path prefix starting with '/'")
        execute = body.get("execute", False)
        if not isinstance(execute, bool):
            raise _invalid("execute", "'execute' must be true or false")
        status = body.get("status")
        if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599):
            raise _invalid("status", "'status' must be an HTTP error status between 400 and 599")
        retry_after = _int(body, "retry_after", 1, 0, 86_400)
        fault = faults.add(venue_name, kind, count, latency_ms=latency_ms, path=path, execute=execute,
                           status=status, retry_after=retry_after)
        logger.info("fault armed: %s", fault)
        return fault.to_dict(), 201

    @bp.get("/admin/faults")
    def list_faults():
        return jsonify([f.to_dict() for f in faults.pending()])

    @bp.delete("/admin/faults")
    def clear_faults():
        venue_name = request.args.get("venue")
        return {"cleared": faults.clear(venue_name)}

    # markets

    @bp.post("/admin/pause")
    def pause():
        world.pause()
        return {"paused": True}

    @bp.post("/admin/resume")
    def resume():
        world.resume()
        return {"paused": False}

    @bp.get("/admin/fx")
    def fx():
        return {"USDBRL": str(world.usd_brl()),
                "inav": {etf: _str(world.inav(etf)) for etf in sorted(world.etfs)}}

    @bp.post("/admin/fx/USDBRL")
    def set_fx():
        world.set_usd_brl(_decimal(_json_object(), "rate"))
        return fx()

    def market_row(venue, engine, symbol: str) -> dict[str, Any]:
        (bid, ask), last = engine.best_bid_ask(symbol), engine.last_trade_price(symbol)
        has_market = symbol in venue.market.symbols
        return {
            "symbol": symbol,
            "mid": str(venue.market.mid(symbol)) if has_market else None,
            "bid": str(bid[0]) if bid else None,
            "ask": str(ask[0]) if ask else None,
            "last": str(last) if last is not None else None,
            "update_id": engine.update_id(symbol),
        }

    @bp.get("/admin/markets")
    def markets():
        venue = chosen_venue()
        with venue.session() as engine:
            rows = [market_row(venue, engine, s) for s in sorted(engine.symbols)]
        return jsonify({"paused": venue.paused, "markets": rows})

    @bp.post("/admin/markets/<symbol>/mid")
    def set_mid(symbol: str):
        body = _json_object()
        venue = chosen_venue(body)
        if symbol not in venue.market.symbols:
            raise AdminError(404, "Unknown market", f"no synthetic market for symbol '{symbol}'", "symbol")
        price = _decimal(body, "price")
        name = next(n for n, v in world.venues.items() if v is venue)
        world.set_mid(name, symbol, price)  # markets that follow this one move with it
        with venue.session() as engine:
            return market_row(venue, engine, symbol)

    # accounts

    def account_id(api_key: str, venue_name: str = "binance") -> str:
        account = config.account_for_key(api_key, venue_name)
        if account is None:
            raise AdminError(404, "Unknown account", f"no simulated account has API key '{api_key}'", "api_key")
        return account.account_id

    def balances_body(engine, account: str) -> dict[str, Any]:
        return {"account": account, "balances": {
            asset: {"free": str(b.free), "locked": str(b.locked)} for asset, b in sorted(engine.balances(account).items())
        }}

    def venue_name_of(venue) -> str:
        return next(n for n, v in world.venues.items() if v is venue)

    @bp.get("/admin/accounts/<api_key>")
    def account_balances(api_key: str):
        venue = chosen_venue()
        account = account_id(api_key, venue_name_of(venue))
        with venue.session() as engine:
            return balances_body(engine, account)

    @bp.post("/admin/accounts/<api_key>/deposit")
    def deposit(api_key: str):
        body = _json_object()
        venue = chosen_venue(body)
        account = account_id(api_key, venue_name_of(venue))
        asset = body.get("asset")
        if not isinstance(asset, str) or not asset.isalnum() or not 1 <= len(asset) <= 20:
            raise _invalid("asset", "'asset' must be an asset code such as \"USDT\"")
        amount = _decimal(body, "amount")
        with venue.session() as engine:
            engine.deposit(account, asset.upper(), amount)
            return balances_body(engine, account)

    return bp


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
