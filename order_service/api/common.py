"""Request parsing and response helpers shared by the blueprints."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, request

from shared.http.problems import Problem


def service():
    return current_app.extensions["order_service"]


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
