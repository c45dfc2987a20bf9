"""The market data service's composition root: `create_app(settings)`."""
from __future__ import annotations

from flask import Flask

from shared.bus import EventBus
from shared.http.metrics import install_metrics
from shared.http.openapi import docs_blueprint
from shared.http.problems import register_error_handlers
from shared.settings import Settings

from market_data_service import openapi, views
from market_data_service.service import MarketDataReader


def create_app(settings: Settings, *, bus: EventBus | None = None) -> Flask:
    if bus is None:
        if not settings.redis_url:
            raise ValueError("REDIS_URL is not set: the market data service reads its values from Redis")
        bus = EventBus.from_url(settings.redis_url, settings.bus_prefix, retries=1, socket_timeout=2.0)
    app = Flask("market_data_service")
    app.config["SETTINGS"] = settings
    app.extensions["market_data"] = MarketDataReader(bus)
    register_error_handlers(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(docs_blueprint(openapi.document()))
    install_metrics(app)
    return app
