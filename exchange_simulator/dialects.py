"""What the service expects of a venue dialect (Binance spot today; futures, Coinbase, B3 later)."""
from __future__ import annotations

from typing import Protocol

from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException


class Dialect(Protocol):
    name: str          # the venue name used by the operator API, e.g. "binance"
    url_prefix: str    # every URL of the dialect lives below it, e.g. "/binance"

    def blueprints(self) -> list[Blueprint]: ...

    def http_error(self, exc: HTTPException) -> Response:
        """A routing error (unknown path, wrong method) in the venue's own error format."""
        ...

    def internal_error(self) -> Response: ...

    def drop_websockets(self) -> int:
        """Disconnect every websocket client; returns how many there were."""
        ...

    def websocket_count(self) -> int: ...


def owns(dialect: Dialect, path: str) -> bool:
    return path == dialect.url_prefix or path.startswith(dialect.url_prefix + "/")
