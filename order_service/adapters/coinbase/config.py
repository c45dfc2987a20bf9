"""Connection settings of one Coinbase Advanced Trade account, built once from the service's settings."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CoinbaseConfig:
    """Where and as whom to trade.

    `rest_url` is the API host and any prefix (``https://api.coinbase.com``,
    ``http://127.0.0.1:8100/coinbase``); request paths such as ``/api/v3/brokerage/orders`` are appended.
    `key_name` is the CDP API key name (``organizations/{org}/apiKeys/{id}``) and `private_key` its PEM
    private key (EC P-256 for ES256 or Ed25519 for EdDSA).
    """

    rest_url: str
    key_name: str
    private_key: str = field(repr=False)
    timeout: tuple[float, float] = (3.05, 10)  # (connect, read) seconds
    # Executions are followed by polling open orders and fills this often (seconds).
    poll_interval: float = 1.0
    name: str = "coinbase"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rest_url", self.rest_url.rstrip("/"))
