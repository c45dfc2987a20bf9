"""The order service's OpenAPI document, generated from its pydantic models."""
from __future__ import annotations

from shared.http.openapi import Operation, build_openapi

from order_service.schemas import (FillOut, FillPage, InstrumentOut, OrderAmend, OrderCreate, OrderOut, OrderPage,
                                   PositionList, VenueOut)
from pydantic import BaseModel


class VenueList(BaseModel):
    venues: list[VenueOut]


class InstrumentList(BaseModel):
    instruments: list[InstrumentOut]


class FillList(BaseModel):
    fills: list[FillOut]


_LIST_QUERY = (("status", "comma-separated statuses"), ("venue", "venue name"), ("symbol", "venue symbol"),
               ("algo_id", "orders of one algo"), ("since", "ISO-8601 time, created at or after"),
               ("cursor", "next_cursor of the previous page"), ("limit", "1-1000, default 100"))

OPERATIONS = [
    Operation("POST", "/api/v1/orders", "Place an order", OrderCreate,
              {201: OrderOut, 200: OrderOut, 202: OrderOut}, problems=(400, 409, 422, 503), tag="orders"),
    Operation("GET", "/api/v1/orders", "List orders, newest first", None, {200: OrderPage}, _LIST_QUERY, tag="orders"),
    Operation("GET", "/api/v1/orders/{order_id}", "Read an order", None, {200: OrderOut}, problems=(404,), tag="orders"),
    Operation("DELETE", "/api/v1/orders/{order_id}", "Cancel an order", None, {200: OrderOut, 202: OrderOut},
              problems=(404, 409, 503), tag="orders"),
    Operation("PATCH", "/api/v1/orders/{order_id}", "Amend price and/or quantity", OrderAmend,
              {200: OrderOut, 202: OrderOut}, problems=(400, 404, 409, 422, 503), tag="orders"),
    Operation("GET", "/api/v1/orders/{order_id}/fills", "Fills of an order", None, {200: FillList},
              problems=(404,), tag="fills"),
    Operation("GET", "/api/v1/fills", "List fills, newest first", None, {200: FillPage},
              (("venue", ""), ("symbol", ""), ("order_id", ""), ("algo_id", ""), ("since", ""), ("cursor", ""),
               ("limit", "")), tag="fills"),
    Operation("GET", "/api/v1/positions", "Positions from the fills: net quantity, entry price, realised PnL",
              None, {200: PositionList},
              (("venue", ""), ("symbol", ""), ("account", ""), ("algo_id", "fills of one algo's orders"),
               ("open", "true: only positions not flat")), problems=(422,), tag="positions"),
    Operation("GET", "/api/v1/venues", "Venues, their endpoints and reachability", None, {200: VenueList},
              problems=(), tag="venues"),
    Operation("GET", "/api/v1/instruments", "Instruments with tick, step, lot and minimums", None,
              {200: InstrumentList}, (("venue", ""), ("symbol", "")), tag="venues"),
    Operation("GET", "/healthz", "Health of the service and its dependencies", None, {200: None, 503: None},
              problems=(), tag="operations"),
]


def document() -> dict:
    return build_openapi("Trading System — Order Service", "1.0",
                         "Place, follow, amend and cancel orders on every configured venue.", OPERATIONS)
