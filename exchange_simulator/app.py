"""Composition root of the simulator service: one venue, one blueprint per dialect, plus admin."""
from __future__ import annotations

import importlib
import importlib.util
import json
import logging
from dataclasses import dataclass
from importlib import resources
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
from exchange_simulator.world import World, follows_from_markets, load_reference

logger = logging.getLogger(__name__)

EXTENSION_KEY = "exchange_simulator"


@dataclass
class Simulator:
    """What a running app holds; tests and the entrypoint reach the world and its venues through it."""

    config: SimulatorConfig
    world: World
    faults: FaultInjector
    binance: BinanceDialect

    @property
    def venue(self) -> Venue:
        """The Binance spot venue."""
        return self.world.venue("binance")


# Each venue's markets: the bundled file of that name in exchange_simulator/data/. Binance spot's file
# can be replaced by the operator's own (SIM_MARKETS).
VENUE_MARKETS = {"binance": "markets.json", "binance-futures": "binance-futures.json",
                 "coinbase": "coinbase.json", "b3": "b3.json"}
# Engines other than the spot engine, for venues that need one (margin and positions, for instance).
ENGINE_FACTORIES: dict[str, Callable[..., Engine]] = {}


def build_venue(config: SimulatorConfig, clock: Callable[[], int], name: str = "binance",
                path: str | None = None, seed_offset: int = 0) -> Venue:
    specs, market_configs = load_markets(path if path is not None else _bundled(VENUE_MARKETS[name]))
    engine = ENGINE_FACTORIES.get(name, Engine)(specs, clock)
    market = SyntheticMarket(engine, market_configs, seed=config.seed + seed_offset)
    for account in config.accounts_of(name):
        for asset, amount in account.balances.items():
            engine.deposit(account.account_id, asset, amount)
    return Venue(engine, market, clock)


def build_world(config: SimulatorConfig, clock: Callable[[], int]) -> World:
    venues, follows = {}, []
    for offset, (name, filename) in enumerate(VENUE_MARKETS.items()):
        custom = config.markets_file if name == "binance" else None
        if custom is None and not resources.files("exchange_simulator").joinpath(f"data/{filename}").is_file():
            continue
        path = custom or _bundled(filename)
        venues[name] = build_venue(config, clock, name, path, seed_offset=offset)
        with open(path, encoding="utf-8") as handle:
            follows += follows_from_markets(name, json.load(handle))
    fx, etfs = load_reference(seed=config.seed)
    return World(venues, fx, etfs, follows, config.step_interval)


# The other venues' dialects: each module offers `create(world, config, faults, clock) -> Dialect`. A
# dialect is served when its venue's markets exist in the world (Hashdex only publishes reference data).
OTHER_DIALECTS = {"exchange_simulator.binance_futures.dialect": "binance-futures",
                  "exchange_simulator.coinbase.dialect": "coinbase",
                  "exchange_simulator.flowa.dialect": "b3",
                  "exchange_simulator.hashdex.dialect": None}


def _other_dialects(world: World) -> list[Callable[..., Dialect]]:
    factories = []
    for module, venue in OTHER_DIALECTS.items():
        if venue is not None and venue not in world.venues:
            continue
        if importlib.util.find_spec(module.rsplit(".", 1)[0]) is not None and importlib.util.find_spec(module):
            factories.append(importlib.import_module(module).create)
    return factories


def _bundled(filename: str) -> str:
    return str(resources.files("exchange_simulator").joinpath(f"data/{filename}"))


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
    """Build the service; call ``app.extensions["exchange_simulator"].world.start()`` to step the markets."""
    app = Flask(__name__)
    app.json.sort_keys = False
    app.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": config.ws_ping_interval}
    world = build_world(config, clock)
    faults = FaultInjector()
    binance = BinanceDialect(world.venue("binance"), config, faults, clock)
    dialects: list[Dialect] = [binance]
    for factory in _other_dialects(world):
        dialects.append(factory(world, config, faults, clock))
    for dialect in dialects:
        for blueprint in dialect.blueprints():
            app.register_blueprint(blueprint)
    app.register_blueprint(create_admin_blueprint(world, faults, {d.name: d for d in dialects}, config))
    _register_error_handlers(app, dialects)
    app.extensions[EXTENSION_KEY] = Simulator(config, world, faults, binance)
    return app
