"""Wiring of the Coinbase dialect: JWT verifier, order ledger, trading operations and blueprints."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from exchange_simulator.coinbase import errors
from exchange_simulator.coinbase.auth import JwtVerifier
from exchange_simulator.coinbase.ledger import OrderLedger
from exchange_simulator.coinbase.public import URL_PREFIX as PUBLIC_PREFIX, create_public_blueprint
from exchange_simulator.coinbase.rest import create_brokerage_blueprint
from exchange_simulator.coinbase.trading import CoinbaseTrading
from exchange_simulator.config import SimulatorConfig
from exchange_simulator.faults import FaultInjector
from exchange_simulator.world import World


class CoinbaseDialect:
    name = "coinbase"
    url_prefix = "/coinbase"

    def __init__(self, world: World, config: SimulatorConfig, faults: FaultInjector, clock: Callable[[], int]):
        self.world = world
        self.venue = world.venue(self.name)
        self.faults = faults
        accounts = config.accounts_of(self.name)
        self.auth = JwtVerifier(accounts, clock, self.url_prefix)
        self.ledger = OrderLedger(a.account_id for a in accounts)
        self.venue.add_batch_listener(self.ledger.on_batch)
        self.trading = CoinbaseTrading(self.venue, self.ledger, clock)

    def blueprints(self) -> list[Blueprint]:
        return [create_brokerage_blueprint(self), create_public_blueprint(self)]

    def http_error(self, exc: HTTPException) -> Response:
        """Routing errors in the format of the API the path belongs to."""
        message = f"{request.method} {request.path}: {exc.name}"
        if request.path.startswith(PUBLIC_PREFIX + "/"):
            return errors.response(errors.V2Error(exc.code or 400, exc.name.lower().replace(" ", "_"), message))
        return errors.response(errors.CoinbaseError(exc.code or 400, exc.name.upper().replace(" ", "_"), message))

    def internal_error(self) -> Response:
        return errors.response(errors.internal())

    def drop_websockets(self) -> int:
        return 0  # orders are followed by polling here: no websocket clients to drop

    def websocket_count(self) -> int:
        return 0


def create(world: World, config: SimulatorConfig, faults: FaultInjector, clock: Callable[[], int]) -> CoinbaseDialect:
    return CoinbaseDialect(world, config, faults, clock)
