"""Request parsing and response helpers shared by the blueprints."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, TypeVar

from flask import Response, current_app, request
from pydantic import BaseModel

from shared.codec import dumps
from shared.http.problems import Problem

Model = TypeVar("Model", bound=BaseModel)


def service():
    return current_app.extensions["order_service"]


def parse_body(model: type[Model]) -> Model:
    """The JSON body as `model`; numbers are read as Decimal, never float."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise Problem(400, "Missing body", "the request needs a JSON object body", kind="missing-body")
    try:
        data = json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise Problem(400, "Malformed JSON", f"the body is not valid JSON: {error}", kind="malformed-json") from None
    if not isinstance(data, dict):
        raise Problem(422, "Invalid request", "the body must be a JSON object", field="body",
                      kind="validation-error")
    return model.model_validate(data)


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(body), status=status, mimetype="application/json", headers=headers)


def query_limit(default: int = 100, maximum: int = 1000) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Problem(422, "Invalid query parameter", f"limit must be an integer from 1 to {maximum}",
                      field="limit", kind="validation-error")
    return int(raw)


def query_since() -> datetime | None:
    raw = request.args.get("since")
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Problem(422, "Invalid query parameter", "since must be an ISO-8601 time, e.g. 2026-01-31T12:00:00Z",
                      field="since", kind="validation-error") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
