"""/api/v1/positions: what the fills add up to, per venue, symbol and account."""
from __future__ import annotations

from flask import Blueprint, request

from shared.codec import position_to_dict
from shared.domain.position import positions_from
from shared.http.bodies import json_response
from shared.http.problems import Problem

from order_service.api.common import service

bp = Blueprint("positions", __name__, url_prefix="/api/v1/positions")


@bp.get("")
def list_positions():
    venue = request.args.get("venue")
    if venue:
        service().venues.adapter(venue)  # unknown or unconfigured venue -> 422 naming it
    fills = service().store.fills_with_accounts(
        venue=venue, symbol=request.args.get("symbol"), account=request.args.get("account"),
        algo_id=request.args.get("algo_id"))
    positions = positions_from(fills)
    only_open = request.args.get("open", "false")
    if only_open not in ("true", "false"):
        raise Problem(422, "Invalid query parameter", f"open must be true or false, not {only_open!r}", field="open",
                      kind="validation-error")
    if only_open == "true":
        positions = [p for p in positions if p.net_quantity]
    return json_response({"positions": [position_to_dict(p) for p in positions]})
