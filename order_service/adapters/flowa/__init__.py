"""B3 venue adapter through Flowa, the ATG order API (REST + /ws/strategies)."""
from order_service.adapters.flowa.adapter import FlowaAdapter
from order_service.adapters.flowa.config import FlowaConfig
from shared.settings import VenueSettings

__all__ = ["FlowaAdapter", "FlowaConfig", "from_settings"]


def from_settings(venue: VenueSettings) -> FlowaAdapter:
    """The adapter for the `b3` venue settings (FLOWA_ENDPOINT, FLOWA_TOKEN_ENDPOINT, FLOWA_WS_ENDPOINT, ...)."""
    return FlowaAdapter(FlowaConfig(
        rest_url=venue.rest_url, token_url=venue.extras.get("token_url") or f"{venue.rest_url}/connect/token",
        ws_url=venue.ws_url or "", client_id=venue.api_key.reveal(), client_secret=venue.api_secret.reveal(),
        name=venue.name))
