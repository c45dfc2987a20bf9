"""Connection settings of one Flowa (ATG) client, built once from the service's settings."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FlowaConfig:
    """Where and as whom to trade on B3 through Flowa.

    `rest_url` is the API base (``http://127.0.0.1:8100/flowa`` on the simulator); request paths such
    as ``/api/simple-order`` are appended to it. `token_url` is the OAuth2 token endpoint
    (``.../connect/token``) and `ws_url` the websocket base, the order updates living at
    ``{ws_url}/strategies``.
    """

    rest_url: str
    token_url: str
    ws_url: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    scope: str = "atgapi"
    timeout: tuple[float, float] = (3.05, 10)  # (connect, read) seconds
    # A token is renewed this long before it expires (or half-way through a shorter lifetime).
    token_refresh_margin: float = 300.0
    reconnect_max_backoff: float = 30.0
    name: str = "b3"

    def __post_init__(self) -> None:
        for name in ("rest_url", "token_url", "ws_url"):
            object.__setattr__(self, name, getattr(self, name).rstrip("/"))
