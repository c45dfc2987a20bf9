"""The order service's composition root: `create_app(settings)`."""
from __future__ import annotations

from flask import Flask

from shared.bus import EventBus
from shared.http.metrics import install_metrics
from shared.http.openapi import docs_blueprint
from shared.http.problems import Problem, problem_response, register_error_handlers
from shared.settings import Settings

from order_service import openapi
from order_service.api import fills, health, orders, positions, venues
from order_service.errors import OrderServiceError, VenueUnavailable
from order_service.outbox import OutboxPublisher
from order_service.service import OrderService
from order_service.store import OrderStore
from order_service.venues import VenueRegistry


def build_service(settings: Settings, *, store: OrderStore | None = None, registry: VenueRegistry | None = None,
                  bus: EventBus | None = None) -> OrderService:
    store = store or OrderStore.from_url(settings.effective_database_url)
    registry = registry or VenueRegistry.from_settings(settings)
    if bus is None and settings.redis_url:
        bus = EventBus.from_url(settings.redis_url, settings.bus_prefix)
    return OrderService(store, registry, OutboxPublisher(store, bus))


def create_app(settings: Settings, *, service: OrderService | None = None) -> Flask:
    app = Flask("order_service")
    app.config["SETTINGS"] = settings
    app.extensions["order_service"] = service or build_service(settings)
    register_error_handlers(app)

    @app.errorhandler(OrderServiceError)
    def _service_error(error: OrderServiceError):
        headers_extra = {}
        problem = Problem(error.status, error.title, error.detail, field=error.field,
                          kind=error.title.lower().replace(" ", "-"), **error.extra)
        response = problem_response(problem)
        if isinstance(error, VenueUnavailable) and error.retry_after:
            headers_extra["Retry-After"] = str(int(error.retry_after + 0.999))
        response.headers.update(headers_extra)
        return response

    for blueprint in (orders.bp, fills.bp, positions.bp, venues.bp, health.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(docs_blueprint(openapi.document()))
    install_metrics(app)
    return app
