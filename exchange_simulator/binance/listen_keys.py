"""User data stream listen keys: one per account, valid for a TTL renewed by keepalives."""
from __future__ import annotations

import secrets
import threading
from typing import Callable

from exchange_simulator.binance import errors

LISTEN_KEY_LENGTH = 60


class ListenKeys:
    def __init__(self, ttl_seconds: float, clock: Callable[[], int]):
        self._ttl_ms = int(ttl_seconds * 1000)
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[str, int]] = {}  # key -> (account, expires_ms)

    def create(self, account: str) -> str:
        """Binance hands back the account's live key (extended) rather than a second one."""
        now = self._clock()
        with self._lock:
            for key, (owner, expires) in self._keys.items():
                if owner == account and expires > now:
                    self._keys[key] = (account, now + self._ttl_ms)
                    return key
            key = secrets.token_urlsafe(45)[:LISTEN_KEY_LENGTH]
            self._keys[key] = (account, now + self._ttl_ms)
            return key

    def keepalive(self, key: str, account: str) -> None:
        now = self._clock()
        with self._lock:
            entry = self._keys.get(key)
            if entry is None or entry[0] != account or entry[1] <= now:
                raise errors.invalid_listen_key()
            self._keys[key] = (account, now + self._ttl_ms)

    def close(self, key: str, account: str) -> None:
        with self._lock:
            entry = self._keys.get(key)
            if entry is None or entry[0] != account:
                raise errors.invalid_listen_key()
            del self._keys[key]

    def account_of(self, key: str) -> str | None:
        """The owner of a live key, or None when the key is unknown, closed or expired."""
        now = self._clock()
        with self._lock:
            entry = self._keys.get(key)
            if entry is None:
                return None
            if entry[1] <= now:
                del self._keys[key]
                return None
            return entry[0]

    def live_key_of(self, account: str) -> str | None:
        """The account's live key, for venues whose keepalive names no key (Binance USD-M)."""
        now = self._clock()
        with self._lock:
            return next((k for k, (owner, expires) in self._keys.items() if owner == account and expires > now),
                        None)
