"""/api/v1/algos and /api/v1/strategies."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from shared.http.problems import Problem

from shared.http.bodies import json_response, parse_body
from algo_service.model import AlgoStatus
from algo_service.schemas import AlgoCreate
from algo_service.service import AlgoService

bp = Blueprint("algos", __name__, url_prefix="/api/v1")


def service() -> AlgoService:
    return current_app.extensions["algo_service"]


@bp.post("/algos")
def deploy():
    record = service().deploy(parse_body(AlgoCreate))
    return json_response(record.to_dict(), 201, {"Location": f"/api/v1/algos/{record.id}"})


@bp.get("/algos")
def list_algos():
    statuses = None
    if raw := request.args.get("status"):
        try:
            statuses = [AlgoStatus(s.strip().upper()) for s in raw.split(",")]
        except ValueError:
            allowed = ", ".join(s.value for s in AlgoStatus)
            raise Problem(422, "Invalid query parameter", f"status must be among {allowed}", field="status",
                          kind="validation-error") from None
    records = service().list(statuses, request.args.get("strategy"))
    return json_response({"algos": [r.to_dict() for r in records]})


@bp.get("/algos/<algo_id>")
def get_algo(algo_id: str):
    return json_response(service().get(algo_id).to_dict())


@bp.delete("/algos/<algo_id>")
def stop_algo(algo_id: str):
    record = service().stop(algo_id)
    return json_response(record.to_dict(), 200 if record.status.is_terminal else 202)


@bp.get("/algos/<algo_id>/logs")
def algo_logs(algo_id: str):
    raw = request.args.get("tail", "200")
    if not raw.isdigit() or not 1 <= int(raw) <= 5000:
        raise Problem(422, "Invalid query parameter", "tail must be an integer from 1 to 5000", field="tail",
                      kind="validation-error")
    return json_response({"algo_id": algo_id, "lines": service().logs(algo_id, int(raw))})


@bp.get("/strategies")
def strategies():
    return json_response({"strategies": [s.to_dict() for s in service().catalog.specs.values()]})
