"""A one-symbol engine with a controllable clock and funded accounts, for the engine tests."""
from __future__ import annotations

from decimal import Decimal

import pytest

from exchange_simulator.engine import Engine, SymbolSpec

D = Decimal


def btc_spec(**overrides) -> SymbolSpec:
    fields = dict(
        symbol="BTCUSDT",
        base_asset="BTC",
        quote_asset="USDT",
        tick_size=D("0.01"),
        step_size=D("0.00001"),
        min_qty=D("0.00001"),
        max_qty=D("9000"),
        min_price=D("0.01"),
        max_price=D("1000000"),
        min_notional=D("5"),
        maker_fee=D("0.001"),
        taker_fee=D("0.001"),
    )
    fields.update(overrides)
    return SymbolSpec(**fields)


class ManualClock:
    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self.now_ms = start_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int = 1) -> None:
        self.now_ms += ms


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def engine(clock) -> Engine:
    """Accounts alice, bob and carol each hold 1,000,000 USDT and 100 BTC."""
    engine = Engine([btc_spec()], clock, id_seed=1)
    for account in ("alice", "bob", "carol"):
        engine.deposit(account, "USDT", D("1000000"))
        engine.deposit(account, "BTC", D("100"))
    return engine


@pytest.fixture
def events(engine) -> list:
    received: list = []
    engine.subscribe(received.append)
    return received
