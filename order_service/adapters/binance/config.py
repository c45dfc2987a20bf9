"""Connection settings of one Binance spot account, built once by the service's settings."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BinanceConfig:
    """Where and as whom to trade.

    `rest_url` includes the `/api` prefix (``https://api.binance.com/api``,
    ``http://127.0.0.1:8100/binance/api``); request paths such as ``/v3/order`` are appended to it.
    `ws_url` is the stream base (``wss://stream.binance.com:9443``, ``ws://127.0.0.1:8100/binance``);
    the user data stream lives at ``{ws_url}/ws/{listenKey}``.

    `ws_api_url` (``wss://ws-api.binance.com:443/ws-api/v3``, testnet
    ``wss://ws-api.testnet.binance.vision/ws-api/v3``) switches the user data stream to a signed
    WebSocket API subscription. Binance spot retired listen keys on 2026-02-20, so live accounts need
    it; the exchange simulator still serves listen keys, which stay the default.
    """

    rest_url: str
    ws_url: str
    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    recv_window: int = 5000
    timeout: tuple[float, float] = (3.05, 10)  # (connect, read) seconds
    # Binance closes a listen key after 60 minutes without a keepalive; it advises one every 30.
    keepalive_interval: float = 1800.0
    reconnect_max_backoff: float = 30.0
    ws_api_url: str | None = None
    name: str = "binance"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rest_url", self.rest_url.rstrip("/"))
        object.__setattr__(self, "ws_url", self.ws_url.rstrip("/"))
