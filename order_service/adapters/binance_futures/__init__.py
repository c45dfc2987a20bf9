"""Binance USD-M futures venue adapter (REST + user data stream)."""
from __future__ import annotations

from order_service.adapters.binance.config import BinanceConfig
from order_service.adapters.binance_futures.adapter import BinanceFuturesAdapter
from shared.settings import VenueSettings

__all__ = ["BinanceFuturesAdapter", "from_settings"]


def from_settings(venue: VenueSettings) -> BinanceFuturesAdapter:
    """The adapter for the `binance-futures` venue: `rest_url` includes /fapi, `ws_url` is the stream base."""
    if venue.api_key is None or venue.api_secret is None:
        raise ValueError(f"venue {venue.name!r} needs an API key and secret")
    return BinanceFuturesAdapter(BinanceConfig(
        rest_url=venue.rest_url, ws_url=venue.ws_url or "", api_key=venue.api_key.reveal(),
        api_secret=venue.api_secret.reveal(), recv_window=venue.recv_window, name=venue.name))
