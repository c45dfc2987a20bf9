"""Fixtures every integration suite uses: a fresh exchange simulator and an event bus on a private prefix."""
from __future__ import annotations

import pytest

from shared.bus import EventBus
from tests.integration.exchange_simulator.support import start_simulator


@pytest.fixture
def sim():
    """A fresh simulator, every venue's dialect on one ephemeral port, with no background stepping (the
    books only move when a test moves them)."""
    running, stop = start_simulator()
    yield running
    stop()


@pytest.fixture
def bus(redis_url, bus_prefix):
    """The event bus on the test's own key prefix; every key under it deleted afterwards."""
    bus = EventBus.from_url(redis_url, bus_prefix)
    yield bus
    keys = list(bus.client.scan_iter(match=f"{bus_prefix}*"))
    if keys:
        bus.client.delete(*keys)
    bus.close()
