"""Verification of the JWT Coinbase's Advanced Trade API expects on every brokerage request.

The token's `uri` claim names the method, host and path that were signed. Clients of the real venue sign
`api.coinbase.com` and the path below it (``POST api.coinbase.com/api/v3/brokerage/orders``); clients of the
simulator sign what they actually reach (``POST 127.0.0.1:8100/coinbase/api/v3/brokerage/orders``). Both are
accepted, nothing else is: a token signed for another path or method is refused.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Callable

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from exchange_simulator.coinbase import errors
from exchange_simulator.config import AccountConfig

REAL_HOST = "api.coinbase.com"
ISSUER = "cdp"
MAX_LIFETIME_SECONDS = 120
# Tolerated difference between the client's clock and ours when judging nbf and exp.
CLOCK_LEEWAY_SECONDS = 5
_REQUIRED_CLAIMS = ("sub", "iss", "nbf", "exp", "uri")


class JwtVerifier:
    def __init__(self, accounts: Iterable[AccountConfig], clock_ms: Callable[[], int], url_prefix: str):
        # api_key is the key name; api_secret holds the PEM public key of the account's signing key.
        self._keys = {a.api_key: (a, load_pem_public_key(a.api_secret.encode("ascii"))) for a in accounts}
        self._clock_ms = clock_ms
        self._url_prefix = url_prefix

    def authenticate(self, authorization: str | None, method: str, host: str, path: str) -> AccountConfig:
        """The account whose key signed this request's bearer token; CoinbaseError(401) otherwise."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise errors.unauthenticated("missing bearer token in the Authorization header")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise errors.unauthenticated("malformed JWT") from None
        entry = self._keys.get(header.get("kid"))
        if entry is None:
            raise errors.unauthenticated("unknown API key")
        if not header.get("nonce"):
            raise errors.unauthenticated("JWT header carries no nonce")
        account, key = entry
        try:
            # Times are checked below against the simulator's clock, which tests may control.
            claims = jwt.decode(token, key, algorithms=[_algorithm(key)], issuer=ISSUER,
                                options={"require": list(_REQUIRED_CLAIMS), "verify_exp": False,
                                         "verify_nbf": False, "verify_iat": False})
        except jwt.InvalidIssuerError:
            raise errors.unauthenticated(f"JWT issuer must be {ISSUER!r}") from None
        except jwt.PyJWTError as exc:
            raise errors.unauthenticated(f"invalid JWT: {exc}") from None
        if claims["sub"] != account.api_key:
            raise errors.unauthenticated("JWT subject does not match its key id")
        self._check_times(claims)
        if claims["uri"] not in self.accepted_uris(method, host, path):
            raise errors.unauthenticated(f"JWT uri {claims['uri']!r} does not match {method} {path}")
        return account

    def accepted_uris(self, method: str, host: str, path: str) -> tuple[str, str]:
        venue_path = path[len(self._url_prefix):] if path.startswith(self._url_prefix + "/") else path
        return f"{method} {host}{path}", f"{method} {REAL_HOST}{venue_path}"

    def _check_times(self, claims: dict) -> None:
        now = self._clock_ms() / 1000
        try:
            nbf, exp = float(claims["nbf"]), float(claims["exp"])
        except (TypeError, ValueError):
            raise errors.unauthenticated("JWT nbf and exp must be numbers") from None
        if exp - nbf > MAX_LIFETIME_SECONDS:
            raise errors.unauthenticated(f"JWT lifetime exceeds {MAX_LIFETIME_SECONDS} seconds")
        if now >= exp + CLOCK_LEEWAY_SECONDS:
            raise errors.unauthenticated("JWT expired")
        if now < nbf - CLOCK_LEEWAY_SECONDS:
            raise errors.unauthenticated("JWT not valid yet")


def _algorithm(key) -> str:
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ES256"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    raise ValueError(f"unsupported Coinbase API key type {type(key).__name__}")
