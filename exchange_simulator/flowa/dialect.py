"""Wiring of the Flowa dialect (B3 through the ATG order API): tokens, orders, trades and websockets."""
from __future__ import annotations

import json
from importlib import resources
from typing import Callable

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import WebsocketMismatch

from exchange_simulator.config import SimulatorConfig
from exchange_simulator.fanout import Hub, HubWebsockets
from exchange_simulator.faults import FaultInjector
from exchange_simulator.flowa import errors
from exchange_simulator.flowa.publisher import FlowaPublisher
from exchange_simulator.flowa.rest import create_rest_blueprint, error_response
from exchange_simulator.flowa.session import TradingHours
from exchange_simulator.flowa.state import StrategyBook, TradeLog
from exchange_simulator.flowa.tokens import DEFAULT_TOKEN_TTL_SECONDS, TokenStore
from exchange_simulator.flowa.trading import FlowaTrading
from exchange_simulator.flowa.ws import create_ws_blueprint
from exchange_simulator.world import World

VENUE = "b3"  # the world's venue (markets file data/b3.json) this dialect trades on
DEFAULT_HEARTBEAT_SECONDS = 10.0


def etf_symbols() -> frozenset[str]:
    """The symbols the bundled B3 markets file lists as ETFs (they open five minutes after stocks)."""
    text = resources.files("exchange_simulator").joinpath("data/b3.json").read_text(encoding="utf-8")
    return frozenset(e["symbol"] for e in json.loads(text)["symbols"] if e.get("kind") == "etf")


class FlowaDialect(HubWebsockets):
    name = "flowa"
    url_prefix = "/flowa"

    def __init__(self, world: World, config: SimulatorConfig, faults: FaultInjector, clock: Callable[[], int], *,
                 enforce_hours: bool = False, token_ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS,
                 heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS) -> None:
        """`enforce_hours` rejects orders outside B3's session; off by default so the simulator trades any time."""
        self.venue = world.venue(VENUE)
        self.config = config
        self.faults = faults
        self.heartbeat_seconds = heartbeat_seconds
        self.hub = Hub()
        self.tokens = TokenStore(config.accounts_of(VENUE), clock, token_ttl_seconds)
        self.book = StrategyBook()
        self.trades = TradeLog()
        self.publisher = FlowaPublisher(self.book, self.trades, self.hub)
        self.venue.add_batch_listener(self.publisher.on_batch)
        etfs = etf_symbols()
        hours = TradingHours(etfs.__contains__) if enforce_hours else None
        self.trading = FlowaTrading(self.venue, self.book, self.trades, self.publisher, clock, hours)

    def blueprints(self) -> list[Blueprint]:
        return [create_rest_blueprint(self), create_ws_blueprint(self)]

    def http_error(self, exc: HTTPException) -> Response:
        """Routing errors in Flowa's envelope."""
        if isinstance(exc, WebsocketMismatch):
            error = errors.bad_request(f"{request.path} serves websocket connections only")
        elif exc.code == 404:
            error = errors.FlowaError(404, f"Unknown endpoint: {request.method} {request.path}")
        elif exc.code == 405:
            error = errors.FlowaError(405, f"Method {request.method} is not allowed on {request.path}")
        else:
            error = errors.FlowaError(exc.code or 400, exc.description or exc.name)
        return error_response(error)

    def internal_error(self) -> Response:
        return error_response(errors.internal())


def create(world: World, config: SimulatorConfig, faults: FaultInjector, clock: Callable[[], int]) -> FlowaDialect:
    """The dialect as the simulator service runs it: B3 hours as configured (any hour by default), 8-hour tokens."""
    return FlowaDialect(world, config, faults, clock, enforce_hours=config.flowa_enforce_hours)
