"""The short-lived JWT Coinbase's CDP API keys sign for every request."""
from __future__ import annotations

import secrets
from typing import Callable
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

ISSUER = "cdp"
LIFETIME_SECONDS = 120


def load_private_key(pem: str):
    """The signing key from its PEM text; keys pasted from an environment variable keep literal "\\n"."""
    text = pem.replace("\\n", "\n").strip() + "\n"
    key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    if not isinstance(key, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)):
        raise ValueError("a Coinbase API key must be an EC (ES256) or Ed25519 (EdDSA) private key")
    return key


def uri_claim(method: str, url: str) -> str:
    """``METHOD host/path`` of the request, without scheme or query (``GET api.coinbase.com/api/v3/...``)."""
    parts = urlsplit(url)
    return f"{method.upper()} {parts.netloc}{parts.path}"


class JwtSigner:
    def __init__(self, key_name: str, private_key_pem: str, clock: Callable[[], float]):
        self._key_name = key_name
        self._key = load_private_key(private_key_pem)
        self._algorithm = "ES256" if isinstance(self._key, ec.EllipticCurvePrivateKey) else "EdDSA"
        self._clock = clock

    def token(self, method: str, url: str) -> str:
        """A fresh token for one request: valid for two minutes, for that method and URL only."""
        now = int(self._clock())
        claims = {"sub": self._key_name, "iss": ISSUER, "nbf": now, "exp": now + LIFETIME_SECONDS,
                  "uri": uri_claim(method, url)}
        headers = {"kid": self._key_name, "nonce": secrets.token_hex(16)}
        return jwt.encode(claims, self._key, algorithm=self._algorithm, headers=headers)
