"""The venues this deployment trades on: their adapters and their instruments."""
from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
import time
from typing import Callable, Mapping

from shared.domain import Instrument, VenueAdapter, VenueError
from shared.settings import Settings, VenueSettings

from order_service.errors import UnknownSymbol, UnknownVenue, VenueDisabled, VenueUnavailable

log = logging.getLogger(__name__)

AdapterFactory = Callable[[VenueSettings], VenueAdapter]


def _binance(venue: VenueSettings) -> VenueAdapter:
    from order_service.adapters.binance import BinanceConfig, BinanceSpotAdapter

    return BinanceSpotAdapter(BinanceConfig(
        rest_url=venue.rest_url, ws_url=venue.ws_url or "", api_key=venue.api_key.reveal(),
        api_secret=venue.api_secret.reveal(), recv_window=venue.recv_window, ws_api_url=venue.ws_api_url,
        name=venue.name))


# Venues whose adapter package offers `from_settings(VenueSettings) -> VenueAdapter`.
ADAPTER_PACKAGES = {"binance-futures": "order_service.adapters.binance_futures",
                    "b3": "order_service.adapters.flowa", "coinbase": "order_service.adapters.coinbase"}


def adapter_factories() -> dict[str, AdapterFactory]:
    factories: dict[str, AdapterFactory] = {"binance": _binance}
    for venue, package in ADAPTER_PACKAGES.items():
        if importlib.util.find_spec(package) is not None:
            factory = getattr(importlib.import_module(package), "from_settings", None)
            if factory is not None:
                factories[venue] = factory
    return factories


class VenueRegistry:
    """Adapters by venue name, and each venue's instruments, loaded on first use and refreshed."""

    def __init__(self, venues: Mapping[str, VenueSettings], adapters: Mapping[str, VenueAdapter],
                 refresh_after: float = 300.0, retry_after: float = 5.0) -> None:
        self._venues = dict(venues)
        self._adapters = dict(adapters)
        self._refresh_after = refresh_after
        self._retry_after = retry_after
        self._instruments: dict[str, dict[str, Instrument]] = {}
        self._loaded_at: dict[str, float] = {}
        self._failed_at: dict[str, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings,
                      factories: Mapping[str, AdapterFactory] | None = None) -> "VenueRegistry":
        factories = adapter_factories() if factories is None else factories
        adapters = {name: factories[name](venue) for name, venue in settings.venues.items()
                    if venue.enabled and name in factories}
        return cls(settings.venues, adapters)

    def names(self) -> list[str]:
        return sorted(self._venues)

    def adapter(self, venue: str) -> VenueAdapter:
        if venue not in self._venues:
            raise UnknownVenue(f"unknown venue {venue!r}; known venues: {', '.join(self.names())}")
        adapter = self._adapters.get(venue)
        if adapter is None:
            reason = self._venues[venue].disabled_reason or "no adapter"
            raise VenueDisabled(f"venue {venue!r} is not configured: {reason}")
        return adapter

    def adapters(self) -> dict[str, VenueAdapter]:
        return dict(self._adapters)

    def instrument(self, venue: str, symbol: str) -> Instrument:
        instruments = self._load(venue)
        found = instruments.get(symbol)
        if found is None and self._stale(venue, self._retry_after):
            found = self._load(venue, force=True).get(symbol)
        if found is None:
            raise UnknownSymbol(f"unknown symbol {symbol!r} on venue {venue!r}")
        return found

    def instruments(self, venue: str | None = None) -> list[Instrument]:
        names = [venue] if venue else list(self._adapters)
        result: list[Instrument] = []
        for name in names:
            result.extend(sorted(self._load(name).values(), key=lambda i: i.symbol))
        return result

    def describe(self) -> list[dict]:
        described = []
        for name in self.names():
            entry = self._venues[name].public()
            reachable = False
            count = 0
            if name in self._adapters:
                try:
                    count = len(self._load(name))
                    reachable = name not in self._failed_at
                except VenueUnavailable:
                    reachable = False
            described.append({**entry, "reachable": reachable, "instruments": count})
        return described

    def close(self) -> None:
        for adapter in self._adapters.values():
            adapter.close()

    def _stale(self, venue: str, age: float) -> bool:
        return time.monotonic() - self._loaded_at.get(venue, 0.0) > age

    def _load(self, venue: str, force: bool = False) -> dict[str, Instrument]:
        adapter = self.adapter(venue)
        if not force and venue in self._instruments and not self._stale(venue, self._refresh_after):
            return self._instruments[venue]
        with self._lock:
            if not force and venue in self._instruments and not self._stale(venue, self._refresh_after):
                return self._instruments[venue]
            try:
                loaded = {i.symbol: i for i in adapter.load_instruments()}
            except VenueError as error:
                self._failed_at[venue] = time.monotonic()
                if venue in self._instruments:
                    log.warning("instrument refresh failed for %s, keeping the last list: %s", venue, error)
                    return self._instruments[venue]
                raise VenueUnavailable(f"cannot load instruments of {venue!r}: {error.message}",
                                       getattr(error, "retry_after", None)) from None
            self._failed_at.pop(venue, None)
            self._instruments[venue] = loaded
            self._loaded_at[venue] = time.monotonic()
            return loaded
