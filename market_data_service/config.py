"""Which feeds run, from the settings: names, kinds, staleness limits, and how each is built."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from shared.bus import EventBus
from shared.settings import Settings

from market_data_service.feeds.base import Feed

log = logging.getLogger(__name__)

BINANCE = "binance"
BINANCE_FUTURES = "binance-futures"
USDBRL = "coinbase-usdbrl"
HASHDEX = "hashdex"
INAV = "inav"


@dataclass(frozen=True)
class FeedSpec:
    name: str
    kind: str            # websocket | poller | calculator
    venue: str
    stale_after: float   # seconds of silence before the feed and its last values are stale
    required: bool       # /healthz fails while a required feed is down
    description: str


def feed_specs(settings: Settings) -> list[FeedSpec]:
    """The enabled feeds; a feed without symbols or an endpoint is left out (and said so in the log)."""
    stale = settings.md_stale_after
    candidates: list[tuple[str, str, str, float, str, bool]] = []
    for venue, symbols in ((BINANCE, settings.md_binance_symbols), (BINANCE_FUTURES, settings.md_binance_futures_symbols)):
        enabled = bool(symbols) and venue in settings.venues and bool(settings.venues[venue].ws_url)
        candidates.append((venue, "websocket", venue, stale, f"{venue} bookTicker and trades: {', '.join(symbols)}",
                           enabled))
    # A poller is stale only after missing a few polls, whatever the general limit.
    candidates.append((USDBRL, "poller", "coinbase", max(stale, 3 * settings.md_fx_poll_interval),
                       "USD/BRL from Coinbase exchange rates", bool(settings.usd_brl_url)))
    etfs = settings.md_inav_etfs
    candidates.append((HASHDEX, "poller", HASHDEX, max(stale, 3 * settings.md_hashdex_poll_interval),
                       f"Hashdex published iNAV: {', '.join(etfs)}", bool(settings.hashdex_url and etfs)))
    candidates.append((INAV, "calculator", "inav", stale,
                       f"iNAV of {', '.join(etfs)} from {settings.md_inav_price_source} x USD/BRL",
                       bool(settings.hashdex_url and etfs)))
    required = settings.md_required_feeds
    specs = []
    for name, kind, venue, stale_after, description, enabled in candidates:
        if not enabled:
            log.info("market data feed %s is off (no symbols or endpoint configured)", name)
            continue
        specs.append(FeedSpec(name, kind, venue, stale_after, required is None or name in required, description))
    return specs


def build_feed(spec: FeedSpec, settings: Settings, bus: EventBus) -> Feed:
    """The feed object a feed process runs."""
    from market_data_service.feeds.binance_ws import BinanceStreamFeed, StreamConfig
    from market_data_service.feeds.inav_feed import InavFeed
    from market_data_service.feeds.inav_math import InavCalculator
    from market_data_service.feeds.polling import HashdexClient, HashdexSource, Poller, UsdBrlSource

    if spec.name in (BINANCE, BINANCE_FUTURES):
        spot = spec.name == BINANCE
        venue = settings.venues[spec.name]
        return BinanceStreamFeed(StreamConfig(
            spec.name, venue.ws_url, settings.md_binance_symbols if spot else settings.md_binance_futures_symbols,
            trade_stream="trade" if spot else "aggTrade", max_connection_age=settings.md_ws_max_connection_age,
            # REST bases: spot's ends in /api, USD-M's in /fapi
            book_ticker_url=f"{venue.rest_url}/{'v3' if spot else 'v1'}/ticker/bookTicker" if venue.rest_url else None))
    if spec.name == USDBRL:
        return Poller(spec.name, UsdBrlSource(settings.usd_brl_url), settings.md_fx_poll_interval)
    if spec.name == HASHDEX:
        return Poller(spec.name, HashdexSource(HashdexClient(settings.hashdex_url), settings.md_inav_etfs,
                                               settings.md_pcf_refresh_interval), settings.md_hashdex_poll_interval)
    if spec.name == INAV:
        calculator = InavCalculator(settings.md_inav_price_source, settings.md_inav_threshold)
        return InavFeed(calculator, HashdexClient(settings.hashdex_url), settings.md_inav_etfs, bus,
                        settings.md_pcf_refresh_interval)
    raise ValueError(f"unknown feed {spec.name!r}")
