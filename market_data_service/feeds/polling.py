"""Pollers: Coinbase USD/BRL and the Hashdex funds' iNAV and PCF, on keep-alive HTTP sessions.

A failed poll (network, HTTP error, bad document) is retried with backoff and the feed reports itself
reconnecting until a poll succeeds again.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

import requests

from shared.marketdata_codec import MarketData

from shared.backoff import Backoff
from market_data_service.feeds.base import FeedContext
from market_data_service.feeds.rest_parsing import Composition, parse_exchange_rates, parse_inav, parse_pcf
from market_data_service.malformed import MalformedMessage

log = logging.getLogger(__name__)

HTTP_TIMEOUT = 5.0


class PollFailed(Exception):
    """The venue could not be read this time (unreachable, or an HTTP error status)."""


def get_json(session: requests.Session, url: str) -> object:
    try:
        response = session.get(url, timeout=HTTP_TIMEOUT)
    except requests.RequestException as error:
        raise PollFailed(f"{type(error).__name__}: {error}"[:200]) from None
    if response.status_code != 200:
        raise PollFailed(f"HTTP {response.status_code} from {url}")
    try:
        return response.json()
    except ValueError:
        raise MalformedMessage("not JSON") from None


class Poller:
    """Calls `poll` every `interval` seconds and publishes what it returns."""

    def __init__(self, name: str, poll: Callable[[int], list[MarketData]], interval: float,
                 backoff: Backoff | None = None, clock_ns: Callable[[], int] = time.time_ns) -> None:
        self.name = name
        self._poll = poll
        self.interval = interval
        self.backoff = backoff or Backoff(base=min(1.0, interval), cap=30.0)
        self._clock_ns = clock_ns

    def run(self, context: FeedContext) -> None:
        while not context.stop.is_set():
            started = time.monotonic()
            if self.poll_once(context):
                pause = max(0.0, self.interval - (time.monotonic() - started))
            else:
                pause = self.backoff.next_delay()
            context.stop.wait(pause)

    def poll_once(self, context: FeedContext) -> bool:
        now_ns = self._clock_ns()
        try:
            messages = self._poll(now_ns)
        except MalformedMessage as error:
            context.bad_message(error)
            self._failed(context, f"malformed: {error}")
            return False
        except PollFailed as error:
            self._failed(context, str(error))
            return False
        if context.stats.link != "connected":
            context.stats.connected()
            log.info("%s: polling", self.name)
        self.backoff.reset()
        context.stats.received(len(messages), now_ns)
        context.publisher.publish(messages)
        return True

    def _failed(self, context: FeedContext, reason: str) -> None:
        if context.stats.link == "connected" or context.stats.last_error != reason:
            log.warning("%s: poll failed (%s); retrying with backoff", self.name, reason)
        context.stats.disconnected(reason)


class UsdBrlSource:
    """Coinbase public exchange rates: BRL per USD."""

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url
        self.session = session or requests.Session()

    def __call__(self, now_ns: int) -> list[MarketData]:
        return [parse_exchange_rates(get_json(self.session, self.url), "USD", "BRL", "coinbase", now_ns)]


class HashdexClient:
    def __init__(self, base_url: str, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()

    def pcf(self, etf: str) -> Composition:
        return parse_pcf(etf, get_json(self.session, f"{self.base_url}/pcf/{etf}"))

    def inav(self, etf: str, composition: Composition | None, now_ns: int):
        return parse_inav(etf, get_json(self.session, f"{self.base_url}/inav/{etf}"), composition, now_ns)


class HashdexSource:
    """Each fund's published iNAV, with its PCF (refreshed every `pcf_refresh` seconds)."""

    def __init__(self, client: HashdexClient, etfs: tuple[str, ...], pcf_refresh: float) -> None:
        self.client = client
        self.etfs = etfs
        self.pcf_refresh = pcf_refresh
        self._compositions: dict[str, Composition] = {}
        self._pcf_at = 0.0

    def __call__(self, now_ns: int) -> list[MarketData]:
        if time.monotonic() >= self._pcf_at:
            self._compositions = {etf: self.client.pcf(etf) for etf in self.etfs}
            self._pcf_at = time.monotonic() + self.pcf_refresh
        return [self.client.inav(etf, self._compositions.get(etf), now_ns) for etf in self.etfs]
