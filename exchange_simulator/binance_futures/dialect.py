"""Wiring of the Binance USD-M futures dialect: REST under /binance-futures/fapi, streams under /binance-futures."""
from __future__ import annotations

from decimal import Decimal
from importlib import resources
from typing import Callable

from flask import Blueprint

from exchange_simulator.binance.auth import Authenticator
from exchange_simulator.binance.dialect import BinanceDialect
from exchange_simulator.binance.listen_keys import ListenKeys
from exchange_simulator.binance.ratelimit import RateLimiter
from exchange_simulator.binance.ws import create_ws_blueprint
from exchange_simulator.binance_futures.bookkeeping import Bookkeeper
from exchange_simulator.binance_futures.contracts import load_contracts
from exchange_simulator.binance_futures.ledger import Ledger
from exchange_simulator.binance_futures.market_data import FuturesMarketData
from exchange_simulator.binance_futures.rest import create_rest_blueprint
from exchange_simulator.binance_futures.streams import FuturesStreamPublisher, parse_stream
from exchange_simulator.binance_futures.trading import FuturesTrading
from exchange_simulator.config import SimulatorConfig
from exchange_simulator.fanout import Hub, HubWebsockets
from exchange_simulator.faults import FaultInjector
from exchange_simulator.venue import Venue
from exchange_simulator.world import World

VENUE = "binance-futures"
MARKETS_FILE = "data/binance-futures.json"
MARGIN_ASSET = "USDT"
# Engine balances of the futures accounts: large enough never to bind, so the engine only matches and
# the ledger alone decides what an account can afford.
UNLIMITED = Decimal("1000000000000")


class BinanceFuturesDialect(HubWebsockets):
    name = VENUE
    url_prefix = "/binance-futures"

    def __init__(self, world: World, config: SimulatorConfig, faults: FaultInjector, clock: Callable[[], int]):
        self.venue: Venue = world.venue(VENUE)
        self.config = config
        self.faults = faults
        accounts = config.accounts_of(VENUE)
        self.hub = Hub()
        self.auth = Authenticator(accounts, clock)
        self.limiter = RateLimiter(config.binance_limits, clock)
        self.listen_keys = ListenKeys(config.listen_key_ttl_seconds, clock)
        path = str(resources.files("exchange_simulator").joinpath(MARKETS_FILE))

        def index(symbol: str) -> Decimal:
            """Binance's index price: the spot price where there is one."""
            return world.mid("binance", symbol) or self.venue.market.mid(symbol)

        with self.venue.session() as engine:
            self.contracts = load_contracts(path, dict(engine.symbols))
            for account in accounts:
                for asset in {MARGIN_ASSET} | {spec.base_asset for spec in engine.symbols.values()}:
                    engine.deposit(account.account_id, asset, UNLIMITED)
            ledger = Ledger({a.account_id: a.balances.get(MARGIN_ASSET, Decimal(0)) for a in accounts})
            self.books = Bookkeeper(ledger, engine, self.venue.market)
            self.publisher = FuturesStreamPublisher(engine, self.hub, self.books, self.contracts, index, clock)
        # Booking first: a fill's stream report carries the fee and realised PnL the ledger computed.
        self.venue.add_batch_listener(self.books.on_batch)
        self.venue.add_batch_listener(self.publisher.on_batch)
        self.trading = FuturesTrading(self.venue, self.books, self.contracts)
        self.market_data = FuturesMarketData(self.venue, self.contracts, config.binance_limits, index)

    def blueprints(self) -> list[Blueprint]:
        return [create_rest_blueprint(self), create_ws_blueprint(self, self.url_prefix, parse_stream)]

    # Errors look the same as on Binance spot (the functions do not depend on the dialect).
    http_error = BinanceDialect.http_error
    internal_error = BinanceDialect.internal_error


def create(world: World, config: SimulatorConfig, faults: FaultInjector,
           clock: Callable[[], int]) -> BinanceFuturesDialect:
    return BinanceFuturesDialect(world, config, faults, clock)
