"""Wiring of the Binance spot dialect: its services, its websocket hub and its blueprints."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import WebsocketMismatch

from exchange_simulator.binance import errors

from exchange_simulator.binance.auth import Authenticator
from exchange_simulator.binance.listen_keys import ListenKeys
from exchange_simulator.binance.market_data import BinanceMarketData
from exchange_simulator.binance.ratelimit import RateLimiter
from exchange_simulator.binance.rest import create_rest_blueprint, error_response
from exchange_simulator.binance.streams import StreamPublisher
from exchange_simulator.binance.trade_history import TradeHistory
from exchange_simulator.binance.trading import BinanceTrading
from exchange_simulator.binance.ws import create_ws_blueprint
from exchange_simulator.config import SimulatorConfig
from exchange_simulator.fanout import Hub, HubWebsockets
from exchange_simulator.faults import FaultInjector
from exchange_simulator.venue import Venue


class BinanceDialect(HubWebsockets):
    name = "binance"
    url_prefix = "/binance"

    def __init__(self, venue: Venue, config: SimulatorConfig, faults: FaultInjector, clock: Callable[[], int]):
        self.venue = venue
        self.config = config
        self.faults = faults
        self.hub = Hub()
        self.auth = Authenticator(config.accounts_of("binance"), clock)
        self.limiter = RateLimiter(config.binance_limits, clock)
        self.listen_keys = ListenKeys(config.listen_key_ttl_seconds, clock)
        with venue.session() as engine:
            self.publisher = StreamPublisher(engine, self.hub, clock)
        self.history = TradeHistory(a.account_id for a in config.accounts_of("binance"))
        venue.add_batch_listener(self.publisher.on_batch)
        venue.add_batch_listener(self.history.on_batch)
        self.trading = BinanceTrading(venue, self.publisher, self.history)
        self.market_data = BinanceMarketData(venue, config.binance_limits)

    def blueprints(self) -> list[Blueprint]:
        return [create_rest_blueprint(self), create_ws_blueprint(self)]

    def http_error(self, exc: HTTPException) -> Response:
        """Binance-style JSON for routing errors (unknown path, wrong method, plain HTTP on a stream URL)."""
        if isinstance(exc, WebsocketMismatch):
            error = errors.BinanceError(-1000, f"{request.path} serves websocket connections only.", 400)
        elif exc.code == 404:
            error = errors.BinanceError(-1000, f"Unknown endpoint: {request.method} {request.path}", 404)
        elif exc.code == 405:
            error = errors.BinanceError(-1000, f"Method {request.method} is not allowed on {request.path}.", 405)
        else:
            error = errors.BinanceError(-1000, exc.description or exc.name, exc.code or 400)
        return error_response(error)

    def internal_error(self) -> Response:
        return error_response(errors.unknown())
