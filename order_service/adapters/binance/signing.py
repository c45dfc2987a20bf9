"""Binance request signing: HMAC-SHA256 over the exact query string (and body), hex encoded."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlencode


def encode_params(params: Mapping[str, str]) -> str:
    """The query string exactly as it goes on the wire, in insertion order."""
    return urlencode(list(params.items()))


def sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def ws_api_signature(secret: str, params: Mapping[str, str]) -> str:
    """Signature of a WebSocket API request: parameters sorted by name, as `key=value` joined by `&`."""
    return sign(secret, "&".join(f"{key}={params[key]}" for key in sorted(params)))
