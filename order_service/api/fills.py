"""/api/v1/fills: every execution, newest first."""
from __future__ import annotations

from flask import Blueprint, request

from shared.http.bodies import json_response
from shared.codec import fill_to_dict
from shared.http.problems import Problem

from order_service.api.common import query_limit, query_since, service

bp = Blueprint("fills", __name__, url_prefix="/api/v1/fills")


@bp.get("")
def list_fills():
    try:
        fills, cursor = service().store.list_fills(
            venue=request.args.get("venue"), symbol=request.args.get("symbol"),
            order_id=request.args.get("order_id"), algo_id=request.args.get("algo_id"), since=query_since(),
            cursor=request.args.get("cursor"), limit=query_limit())
    except ValueError as error:
        raise Problem(422, "Invalid query parameter", str(error), field="cursor", kind="validation-error") from None
    return json_response({"fills": [fill_to_dict(f) for f in fills], "next_cursor": cursor})
