"""JSON request bodies and responses of every service's API: numbers are read as Decimal, never float."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

from flask import Response, request
from pydantic import BaseModel

from shared.codec import dumps
from shared.http.problems import Problem

Model = TypeVar("Model", bound=BaseModel)


def parse_body(model: type[Model]) -> Model:
    """The JSON object body as `model`; a missing, malformed or non-object body is a problem naming it."""
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
