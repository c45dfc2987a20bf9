from __future__ import annotations

import pytest

from tests.integration.exchange_simulator.support import start_simulator


@pytest.fixture
def sim():
    """A fresh exchange simulator, every venue's dialect on one ephemeral port, for an adapter to trade on."""
    running, stop = start_simulator()
    yield running
    stop()
