"""Coinbase Advanced Trade venue adapter (REST with per-request JWTs; executions followed by polling)."""
from shared.settings import VenueSettings

from order_service.adapters.coinbase.adapter import CoinbaseAdapter
from order_service.adapters.coinbase.config import CoinbaseConfig

__all__ = ["CoinbaseAdapter", "CoinbaseConfig", "from_settings"]


def from_settings(venue: VenueSettings) -> CoinbaseAdapter:
    """The adapter for the COINBASE_* settings: API key name and PEM private key."""
    if venue.api_key is None or venue.api_secret is None:
        raise ValueError("Coinbase needs COINBASE_API_KEY_NAME and COINBASE_API_PRIVATE_KEY")
    return CoinbaseAdapter(CoinbaseConfig(rest_url=venue.rest_url, key_name=venue.api_key.reveal(),
                                          private_key=venue.api_secret.reveal(), name=venue.name))
