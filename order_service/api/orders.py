"""/api/v1/orders: place, list, read, cancel and amend orders."""
from __future__ import annotations

from flask import Blueprint, request

from shared.http.bodies import json_response, parse_body
from shared.codec import fill_to_dict, order_to_dict
from shared.domain import OrderStatus
from shared.http.problems import Problem

from order_service.api.common import query_limit, query_since, service
from order_service.schemas import OrderAmend, OrderCreate

bp = Blueprint("orders", __name__, url_prefix="/api/v1/orders")


@bp.post("")
def place_order():
    order, outcome = service().place(parse_body(OrderCreate))
    return json_response(order_to_dict(order), outcome.value, {"Location": f"/api/v1/orders/{order.id}"})


@bp.get("")
def list_orders():
    statuses = None
    if raw := request.args.get("status"):
        try:
            statuses = [OrderStatus(s.strip().upper()) for s in raw.split(",")]
        except ValueError:
            allowed = ", ".join(s.value for s in OrderStatus)
            raise Problem(422, "Invalid query parameter", f"status must be among {allowed}", field="status",
                          kind="validation-error") from None
    try:
        orders, cursor = service().store.list_orders(
            status=statuses, venue=request.args.get("venue"), symbol=request.args.get("symbol"),
            algo_id=request.args.get("algo_id"), since=query_since(), cursor=request.args.get("cursor"),
            limit=query_limit())
    except ValueError as error:
        raise Problem(422, "Invalid query parameter", str(error), field="cursor", kind="validation-error") from None
    return json_response({"orders": [order_to_dict(o) for o in orders], "next_cursor": cursor})


@bp.get("/<order_id>")
def get_order(order_id: str):
    return json_response(order_to_dict(service().get(order_id)))


@bp.delete("/<order_id>")
def cancel_order(order_id: str):
    order, outcome = service().cancel(order_id)
    return json_response(order_to_dict(order), 202 if outcome.value == 202 else 200)


@bp.patch("/<order_id>")
def amend_order(order_id: str):
    order, outcome = service().amend(order_id, parse_body(OrderAmend))
    return json_response(order_to_dict(order), 202 if outcome.value == 202 else 200)


@bp.get("/<order_id>/fills")
def order_fills(order_id: str):
    svc = service()
    svc.get(order_id)
    return json_response({"fills": [fill_to_dict(f) for f in svc.store.fills_for_order(order_id)]})
