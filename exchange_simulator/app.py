"""Composition root of the simulator service: one venue, one blueprint per dialect, plus admin."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from exchange_simulator.admin import create_admin_blueprint, problem
from exchange_simulator.binance.dialect import BinanceDialect
from exchange_simulator.config import SimulatorConfig
from exchange_simulator.dialects import Dialect, owns
from exchange_simulator.engine import Engine
from exchange_simulator.faults import FaultInjector
from exchange_simulator.market import SyntheticMarket, load_markets
from exchange_simulator.venue import Venue, wall_clock_ms

logger = logging.getLogger(__name__)

EXTENSION_KEY = "exchange_simulator"


@dataclass
class Simulator:
    """What a running app holds; tests and the entrypoint reach the venue through it."""

    config: SimulatorConfig
    venue: Venue
    faults: FaultInjector
    binance: BinanceDialect


def build_venue(config: SimulatorConfig, clock: Callable[[], int]) -> Venue:
    specs, market_configs = load_markets(config.markets_file)
    engine = Engine(specs, clock)
    market = SyntheticMarket(engine, market_configs, seed=config.seed)
    for account in config.accounts:
        for asset, amount in account.balances.items():
            engine.deposit(account.account_id, asset, amount)
    return Venue(engine, market, clock, config.step_interval)


def _register_error_handlers(app: Flask, dialects: list[Dialect]) -> None:
    """Routing errors happen before any blueprint is chosen, so dispatch them by URL prefix:
    each venue's clients get errors in that venue's format, everything else gets problem+json."""

    def owner() -> Dialect | None:
        return next((d for d in dialects if owns(d, request.path)), None)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        dialect = owner()
        if dialect is not None:
            return dialect.http_error(exc)
        return problem(exc.code or 500, exc.name, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        dialect = owner()
        if dialect is not None:
            return dialect.internal_error()
        return problem(500, "Internal Server Error", "the simulator failed to handle this request")


def create_app(config: SimulatorConfig, clock: Callable[[], int] = wall_clock_ms) -> Flask:
    """Build the service; call ``app.extensions["exchange_simulator"].venue.start()`` to step the markets."""
    app = Flask(__name__)
    app.json.sort_keys = False
    app.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": config.ws_ping_interval}
    venue = build_venue(config, clock)
    faults = FaultInjector()
    binance = BinanceDialect(venue, config, faults, clock)
    dialects: list[Dialect] = [binance]
    for dialect in dialects:
        for blueprint in dialect.blueprints():
            app.register_blueprint(blueprint)
    app.register_blueprint(create_admin_blueprint(venue, faults, {d.name: d for d in dialects}, config))
    _register_error_handlers(app, dialects)
    app.extensions[EXTENSION_KEY] = Simulator(config, venue, faults, binance)
    return app
