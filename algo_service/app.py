"""The algo service's composition root: `create_app(settings)`."""
from __future__ import annotations

from flask import Flask, Response, json

from shared.bus import EventBus
from shared.http.metrics import install_metrics
from shared.http.openapi import docs_blueprint
from shared.http.problems import Problem, problem_response, register_error_handlers
from shared.settings import Settings

from algo_service import api, openapi
from algo_service.catalog import Catalog, UnknownStrategy
from algo_service.service import AlgoNotFound, AlgoService, InvalidParams
from algo_service.store import AlgoStore


def build_service(settings: Settings, bus: EventBus | None = None, catalog: Catalog | None = None) -> AlgoService:
    if bus is None:
        if not settings.redis_url:
            raise RuntimeError("REDIS_URL is required: algo state lives in Redis")
        bus = EventBus.from_url(settings.redis_url, settings.bus_prefix)
    return AlgoService(AlgoStore(bus), catalog or Catalog.load(settings.algo_strategies))


def create_app(settings: Settings, *, service: AlgoService | None = None) -> Flask:
    app = Flask("algo_service")
    app.config["SETTINGS"] = settings
    app.extensions["algo_service"] = service = service or build_service(settings)
    register_error_handlers(app)

    @app.errorhandler(UnknownStrategy)
    def _unknown_strategy(error: UnknownStrategy):
        return problem_response(Problem(404, "Unknown strategy", str(error), field="strategy",
                                        catalog=error.known))

    @app.errorhandler(InvalidParams)
    def _invalid_params(error: InvalidParams):
        return problem_response(Problem(422, "Invalid params", str(error), field=error.field,
                                        kind="validation-error", errors=error.errors))

    @app.errorhandler(AlgoNotFound)
    def _not_found(error: AlgoNotFound):
        return problem_response(Problem(404, "Algo not found", str(error)))

    @app.get("/healthz")
    def healthz():
        try:
            service.store.bus.ping()
            supervisor = "running" if service.store.bus.client.exists(
                service.store.bus.key("lock:algo-supervisor")) else "not running"
            body, status = {"status": "ok", "checks": {"event_bus": "ok"}, "supervisor": supervisor}, 200
        except Exception as error:  # any failure of the bus is what the health check reports
            body, status = {"status": "failing", "checks": {"event_bus": f"failing: {type(error).__name__}"}}, 503
        return Response(json.dumps(body), status=status, mimetype="application/json")

    app.register_blueprint(api.bp)
    app.register_blueprint(docs_blueprint(openapi.document()))
    install_metrics(app)
    return app
