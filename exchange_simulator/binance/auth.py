"""API-key and HMAC signature checks for Binance USER_STREAM and TRADE/USER_DATA endpoints."""
from __future__ import annotations

from typing import Callable

from exchange_simulator.binance import errors
from exchange_simulator.binance.params import Params
from exchange_simulator.binance.signing import verify
from exchange_simulator.config import AccountConfig

DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000
# Binance rejects requests stamped this far (ms) in the future, whatever the recvWindow.
MAX_CLOCK_AHEAD = 1000


class Authenticator:
    def __init__(self, accounts: tuple[AccountConfig, ...], clock: Callable[[], int]):
        self._by_key = {a.api_key: a for a in accounts}
        self._clock = clock

    def known_account(self, api_key: str | None) -> AccountConfig | None:
        return self._by_key.get(api_key or "")

    def api_key(self, api_key: str | None) -> AccountConfig:
        """The account behind the X-MBX-APIKEY header (-2014 when absent or malformed, -2015 when unknown)."""
        if not api_key or not api_key.isprintable() or " " in api_key or len(api_key) > 256:
            raise errors.api_key_format_invalid()
        account = self._by_key.get(api_key)
        if account is None:
            raise errors.api_key_rejected()
        return account

    def signed(self, api_key: str | None, params: Params) -> AccountConfig:
        """Authenticate a signed request: key, signature, then timestamp within recvWindow."""
        account = self.api_key(api_key)
        timestamp = params.integer("timestamp", required=True)
        recv_window = params.integer("recvWindow")
        if params.signature is None:
            raise errors.mandatory_missing("signature")
        if not verify(account.api_secret, params.signed_payload, params.signature):
            raise errors.bad_signature()
        if recv_window is None:
            recv_window = DEFAULT_RECV_WINDOW
        if recv_window <= 0 or recv_window > MAX_RECV_WINDOW:
            raise errors.bad_recv_window()
        now = self._clock()
        if timestamp >= now + MAX_CLOCK_AHEAD:
            raise errors.timestamp_ahead()
        if now - timestamp > recv_window:
            raise errors.timestamp_outside_window()
        return account
