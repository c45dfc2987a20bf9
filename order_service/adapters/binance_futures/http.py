"""The Binance REST client pointed at USD-M futures: same signing, headers and errors, fapi paths."""
from __future__ import annotations

from order_service.adapters.binance.http import BinanceHttpClient


class BinanceFuturesHttpClient(BinanceHttpClient):
    """`rest_url` includes `/fapi`, so paths are `/v1/...` and `/v2/...`."""

    time_path = "/v1/time"
