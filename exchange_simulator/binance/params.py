"""Request parameters the Binance way: query string and form body, typed reads, unread-parameter checks."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Callable, TypeVar
from urllib.parse import parse_qsl

from exchange_simulator.binance import errors
from exchange_simulator.binance.signing import strip_signature

E = TypeVar("E", bound=Enum)

DECIMAL_PATTERN = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
_DECIMAL_RE = re.compile(DECIMAL_PATTERN)
_INTEGER_RE = re.compile(r"^-?[0-9]{1,20}$")
CLIENT_ORDER_ID_PATTERN = r"^[a-zA-Z0-9-_]{1,36}$"
_CLIENT_ORDER_ID_RE = re.compile(CLIENT_ORDER_ID_PATTERN)
SYMBOL_PATTERN = r"^[A-Z0-9-_.]{1,20}$"
_SYMBOL_RE = re.compile(SYMBOL_PATTERN)


def _decode(raw: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw, keep_blank_values=True, strict_parsing=False)
    except ValueError:
        raise errors.illegal_chars("query", "url-encoded key=value pairs") from None


def _unique(pairs: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in pairs:
        if key in values:
            raise errors.duplicate_parameter()
        values[key] = value
    return values


class Params:
    """The parameters of one request; every typed read marks the parameter as read."""

    def __init__(self, values: dict[str, str], signed_payload: str = "", signature: str | None = None):
        self._values = values
        self._read: set[str] = set()
        self.signed_payload = signed_payload
        self.signature = signature

    @classmethod
    def from_raw(cls, query: str, body: str) -> "Params":
        """Parse the raw query string and form body; the query string wins on conflict."""
        signed_query, query_signature = strip_signature(query)
        signed_body, body_signature = strip_signature(body)
        values = _unique(_decode(body))
        values.update(_unique(_decode(query)))
        params = cls(values, signed_query + signed_body, query_signature or body_signature)
        params.ignore("signature")  # checked by the authenticator, counted as read like Binance does
        return params

    def __contains__(self, name: str) -> bool:
        return self._values.get(name, "") != ""

    def raw(self, name: str) -> str | None:
        """The value as sent, or None when absent or empty (Binance treats both alike)."""
        self._read.add(name)
        value = self._values.get(name)
        return value if value not in (None, "") else None

    def required(self, name: str) -> str:
        value = self.raw(name)
        if value is None:
            raise errors.mandatory_missing(name)
        return value

    def symbol(self, name: str = "symbol", *, required: bool = True) -> str | None:
        value = self.required(name) if required else self.raw(name)
        if value is not None and not _SYMBOL_RE.match(value):
            raise errors.illegal_chars(name, SYMBOL_PATTERN)
        return value

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        value = self.required(name) if required else self.raw(name)
        if value is None:
            return None
        if not _DECIMAL_RE.match(value):
            raise errors.illegal_chars(name, DECIMAL_PATTERN)
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise errors.illegal_chars(name, DECIMAL_PATTERN) from None

    def integer(self, name: str, *, required: bool = False, malformed: Callable[[str], errors.BinanceError] | None = None) -> int | None:
        value = self.required(name) if required else self.raw(name)
        if value is None:
            return None
        if not _INTEGER_RE.match(value):
            raise (malformed or errors.mandatory_missing)(name)
        return int(value)

    def client_order_id(self, name: str) -> str | None:
        value = self.raw(name)
        if value is not None and not _CLIENT_ORDER_ID_RE.match(value):
            raise errors.illegal_chars(name, CLIENT_ORDER_ID_PATTERN)
        return value

    def enum(self, name: str, enum_type: type[E], invalid: Callable[[], errors.BinanceError], *, required: bool = False) -> E | None:
        value = self.required(name) if required else self.raw(name)
        if value is None:
            return None
        try:
            return enum_type(value)
        except ValueError:
            raise invalid() from None

    def choice(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.raw(name)
        if value is None:
            return default
        if value not in allowed:
            raise errors.illegal_chars(name, ", ".join(allowed))
        return value

    def ignore(self, *names: str) -> None:
        """Accept parameters the simulator has no use for (e.g. strategyId) without complaint."""
        self._read.update(names)

    def ensure_all_read(self) -> None:
        """Binance refuses parameters an endpoint does not know (-1104)."""
        sent = set(self._values)
        if not sent <= self._read:
            raise errors.unread_parameters(len(sent & self._read), len(sent))


def id_number(params: Params, name: str) -> int | None:
    """An optional id, time or count parameter (unsigned integer)."""
    return params.integer(name, malformed=lambda n: errors.illegal_chars(n, "^[0-9]{1,20}$"))


def trade_filters(params: Params, max_window_ms: int, window: str, default_limit: int,
                  max_limit: int) -> dict[str, int | None]:
    """The filters of a trade list (spot myTrades, USD-M userTrades), as keywords; ends the parameter reading.

    ``window`` words the longest span between startTime and endTime, ``max_window_ms``, for the error.
    """
    order_id, from_id = id_number(params, "orderId"), id_number(params, "fromId")
    start_ms, end_ms = id_number(params, "startTime"), id_number(params, "endTime")
    limit = id_number(params, "limit") or default_limit
    params.ensure_all_read()
    if from_id is not None and (start_ms is not None or end_ms is not None):
        raise errors.BinanceError(-1128, "Combination of optional parameters invalid.")
    if start_ms is not None and end_ms is not None and end_ms - start_ms > max_window_ms:
        raise errors.BinanceError(-1127, f"More than {window} between startTime and endTime.")
    return {"order_id": order_id, "from_id": from_id, "start_ms": start_ms, "end_ms": end_ms,
            "limit": min(max(limit, 1), max_limit)}
