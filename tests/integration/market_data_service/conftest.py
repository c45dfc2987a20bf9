"""A simulator on an ephemeral port, and feeds run in threads of the test process against it."""
from __future__ import annotations

import json
import threading
import time

import pytest

from shared.bus import EventBus
from shared.settings import Settings

from market_data_service.feeds.base import FeedContext
from market_data_service.health import FeedStats
from market_data_service.publisher import MarketDataPublisher


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class RunningFeed:
    """A feed on a thread of its own, with the same context a feed process gives it."""

    def __init__(self, feed, bus: EventBus, name: str) -> None:
        self.stats = FeedStats(name)
        self.context = FeedContext(self.stats, MarketDataPublisher(bus, self.stats), threading.Event())
        self.thread = threading.Thread(target=feed.run, args=(self.context,), name=f"feed-{name}", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.context.stop.set()
        self.thread.join(10)


@pytest.fixture
def md_settings(sim, redis_url, bus_prefix) -> Settings:
    return settings_for(sim, redis_url, bus_prefix)


def settings_for(sim, redis_url: str, bus_prefix: str) -> Settings:
    return Settings.from_env({"SIM_URL": sim.base_url, "REDIS_URL": redis_url, "BUS_PREFIX": bus_prefix,
                              "MD_STALE_AFTER": "1", "MD_FX_POLL_INTERVAL": "0.2", "MD_HASHDEX_POLL_INTERVAL": "0.5",
                              "MD_BINANCE_SYMBOLS": "BTCUSDT", "MD_BINANCE_FUTURES_SYMBOLS": "BTCUSDT,ETHUSDT"},
                             dotenv_path=None)


@pytest.fixture
def run_feed():
    """Start feeds on threads; all stopped at the end of the test."""
    started: list[RunningFeed] = []

    def run(feed, bus: EventBus, name: str) -> RunningFeed:
        running = RunningFeed(feed, bus, name)
        started.append(running)
        return running

    yield run
    for running in started:
        running.stop()


def last_value(bus: EventBus, channel: str) -> dict | None:
    raw = bus.get_value(f"last:{channel}")
    return json.loads(raw) if raw else None
