"""The floor under the order endpoint: a Flask POST that parses a JSON body and answers a small JSON 201.

Served by gunicorn with the order service's own worker settings, it shows what Flask, gunicorn and the
HTTP round trip cost on this machine before any order logic runs.
"""
from __future__ import annotations

import json
from decimal import Decimal

from flask import Flask, Response, request


def create_app() -> Flask:
    app = Flask("bare")

    @app.post("/api/v1/orders")
    def place():
        # Decimal parsing as the order API does, so the floor includes the same JSON work.
        body = json.loads(request.get_data(cache=False), parse_float=Decimal)
        answer = {"client_order_id": body.get("client_order_id"), "status": "NEW"}
        return Response(json.dumps(answer), status=201, mimetype="application/json")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def build() -> Flask:
    """Gunicorn entrypoint: `gunicorn 'bench.bare_app:build()'`."""
    return create_app()
