"""Every API error is an `application/problem+json` document with the right 4xx status."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_MIME = "application/problem+json"
_TYPE_BASE = "https://trading-system.dev/problems/"


class Problem(Exception):
    """An error the client can act on. `field` names the offending input where there is one."""

    def __init__(self, status: int, title: str, detail: str, *, field: str | None = None,
                 kind: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
        self.kind = kind or title.lower().replace(" ", "-")
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body = {"type": _TYPE_BASE + self.kind, "title": self.title, "status": self.status, "detail": self.detail}
        if self.field is not None:
            body["field"] = self.field
        body.update({k: v for k, v in self.extra.items() if v is not None})
        return body


def problem_response(problem: Problem) -> Response:
    return Response(json.dumps(problem.to_dict()), status=problem.status, mimetype=PROBLEM_MIME)


def field_path(location: tuple) -> str:
    return ".".join(str(part) for part in location) or "body"


def validation_problem(error: ValidationError) -> Problem:
    """A pydantic error as a 422 naming the first offending field (all of them under `errors`)."""
    errors = []
    for e in error.errors(include_url=False):
        cause = (e.get("ctx") or {}).get("error")
        # A model-level check names its field through the error it raised.
        field = getattr(cause, "field", None) or field_path(e["loc"])
        message = str(cause) if getattr(cause, "field", None) else e["msg"].removeprefix("Value error, ")
        errors.append({"field": field, "message": message})
    first = errors[0]
    return Problem(422, "Invalid request", f"{first['field']}: {first['message']}", field=first["field"],
                   kind="validation-error", errors=errors)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(problem: Problem):
        return problem_response(problem)

    @app.errorhandler(ValidationError)
    def _validation(error: ValidationError):
        return problem_response(validation_problem(error))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        detail = error.description or error.name
        if error.code == 405:
            detail = f"{request.method} is not allowed on {request.path}"
        elif error.code == 404:
            detail = f"no resource at {request.path}"
        return problem_response(Problem(error.code or 500, error.name, detail))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(Problem(500, "Internal Server Error",
                                        "the server failed to handle this request; it has been logged"))
