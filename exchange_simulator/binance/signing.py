"""HMAC-SHA256 request signatures, as Binance computes them over query string + body."""
from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, payload: str) -> str:
    """Hex HMAC-SHA256 of ``payload`` keyed with ``secret``."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def verify(secret: str, payload: str, signature: str) -> bool:
    """Constant-time check that ``signature`` signs ``payload`` (hex is case-insensitive)."""
    return hmac.compare_digest(sign(secret, payload), signature.lower())


def strip_signature(raw: str) -> tuple[str, str | None]:
    """Split a raw url-encoded string into (the signed part, the signature value).

    The signed part is the string exactly as sent with its ``signature=`` component removed,
    because clients sign the bytes they send before appending the signature.
    """
    if not raw:
        return "", None
    kept: list[str] = []
    signature: str | None = None
    for component in raw.split("&"):
        if component.startswith("signature="):
            signature = component[len("signature="):]
        else:
            kept.append(component)
    return "&".join(kept), signature
