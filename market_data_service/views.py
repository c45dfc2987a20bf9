"""REST endpoints: /api/v1/marketdata/{venue}/{symbol}, /api/v1/feeds and /healthz."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, json

from shared.http.problems import Problem

from market_data_service import status
from market_data_service.service import MarketDataReader

bp = Blueprint("marketdata", __name__)


def _reader() -> MarketDataReader:
    return current_app.extensions["market_data"]


def _json(body: dict, code: int = 200) -> Response:
    return Response(json.dumps(body), status=code, mimetype="application/json")


@bp.get("/api/v1/marketdata/<venue>/<symbol>")
def snapshot(venue: str, symbol: str):
    body = _reader().snapshot(venue.lower(), symbol.upper())
    if body is None:
        raise Problem(404, "No market data", f"nothing has been published for {symbol.upper()} on {venue.lower()}",
                      field="symbol", kind="no-market-data")
    return _json(body)


@bp.get("/api/v1/feeds")
def feeds():
    document = _reader().feeds()
    if document is None:
        raise Problem(503, "Feeds not running", "the market data supervisor is not reporting; is it running?",
                      kind="feeds-not-running")
    return _json(document)


@bp.get("/healthz")
def healthz():
    reader = _reader()
    try:
        reader.ping()
    except Exception as error:  # any failure of the bus is what the health check reports
        return _json({"status": "failing", "checks": {"event_bus": f"failing: {type(error).__name__}"}}, 503)
    document = reader.feeds()
    down = status.down_feeds(document)
    body = {"status": "failing" if down else "ok",
            "checks": {"event_bus": "ok", "feeds": "ok" if not down else f"down: {', '.join(down)}"},
            "feeds": {f["name"]: f["state"] for f in (document or {}).get("feeds", [])}}
    return _json(body, 503 if down else 200)
