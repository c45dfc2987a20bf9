"""OAuth2 client-credentials tokens for the Flowa dialect: issued per account, expiring, revocable."""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Callable, Iterable

from exchange_simulator.config import AccountConfig

DEFAULT_TOKEN_TTL_SECONDS = 8 * 3600  # what the seed assumed before honouring expires_in
SCOPE = "atgapi"


class OAuthError(Exception):
    """A refused token request, answered as RFC 6749 JSON: {"error": ..., "error_description": ...}."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class Token:
    value: str
    account: AccountConfig
    expires_ms: int


class TokenStore:
    """Thread-safe: REST requests and websocket handshakes check tokens from many threads."""

    def __init__(self, accounts: Iterable[AccountConfig], clock: Callable[[], int],
                 ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS) -> None:
        self._clients = {a.api_key: a for a in accounts}
        self._clock = clock
        self.ttl_seconds = ttl_seconds
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def issue(self, form: dict[str, str]) -> dict:
        """Answer a token request (grant_type, scope, client_id, client_secret) or raise OAuthError."""
        if form.get("grant_type") != "client_credentials":
            raise OAuthError("unsupported_grant_type", "grant_type must be client_credentials")
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if not client_id or not secret:
            raise OAuthError("invalid_request", "client_id and client_secret are required")
        account = self._clients.get(client_id)
        if account is None or not secrets.compare_digest(account.api_secret, secret):
            raise OAuthError("invalid_client", "unknown client or wrong secret", 401)
        scope = form.get("scope") or SCOPE
        if scope != SCOPE:
            raise OAuthError("invalid_scope", f"scope must be {SCOPE}")
        token = Token(secrets.token_urlsafe(32), account, self._clock() + self.ttl_seconds * 1000)
        with self._lock:
            self._drop_expired()
            self._tokens[token.value] = token
        return {"access_token": token.value, "token_type": "Bearer", "expires_in": self.ttl_seconds, "scope": scope}

    def account_of(self, value: str | None) -> AccountConfig | None:
        """The account a live token stands for; None when unknown or expired."""
        with self._lock:
            token = self._tokens.get(value or "")
        if token is None or token.expires_ms <= self._clock():
            return None
        return token.account

    def expire_all(self) -> int:
        """End every token now (the operator's control for testing renewal); returns how many there were."""
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
        return count

    def _drop_expired(self) -> None:
        now = self._clock()
        for value in [v for v, t in self._tokens.items() if t.expires_ms <= now]:
            del self._tokens[value]
