"""/api/v1/venues and /api/v1/instruments: where orders can go and what they can trade."""
from __future__ import annotations

from flask import Blueprint, request

from shared.http.bodies import json_response
from shared.codec import decimal_str
from shared.domain import Instrument

from order_service.api.common import service

bp = Blueprint("venues", __name__, url_prefix="/api/v1")


@bp.get("/venues")
def list_venues():
    return json_response({"venues": service().venues.describe()})


@bp.get("/instruments")
def list_instruments():
    venue = request.args.get("venue")
    registry = service().venues
    if venue:
        registry.adapter(venue)  # unknown or unconfigured venue -> 422 naming it
    instruments = registry.instruments(venue)
    if symbol := request.args.get("symbol"):
        instruments = [i for i in instruments if i.symbol == symbol]
    return json_response({"instruments": [instrument_to_dict(i) for i in instruments]})


def instrument_to_dict(instrument: Instrument) -> dict:
    return {
        "venue": instrument.venue, "symbol": instrument.symbol, "kind": instrument.kind.value,
        "base": instrument.base, "quote": instrument.quote, "tick_size": decimal_str(instrument.tick_size),
        "step_size": decimal_str(instrument.step_size), "lot_size": decimal_str(instrument.lot_size),
        "min_quantity": decimal_str(instrument.min_quantity), "max_quantity": decimal_str(instrument.max_quantity),
        "min_notional": decimal_str(instrument.min_notional),
    }
