from __future__ import annotations

import pytest

from tests.integration.exchange_simulator.flowa_support import start_flowa
from tests.integration.exchange_simulator.support import start_simulator


@pytest.fixture
def client(sim):
    return sim.client


@pytest.fixture
def make_sim():
    """Start simulators with custom settings (e.g. low rate limits); all stopped at the end."""
    stops = []

    def make(**overrides):
        running, stop = start_simulator(**overrides)
        stops.append(stop)
        return running

    yield make
    for stop in stops:
        stop()


@pytest.fixture
def flowa():
    """The Flowa dialect alone, with the admin API, on a fresh world."""
    sim, stop = start_flowa()
    yield sim
    stop()
