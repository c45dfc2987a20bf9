"""Reading a decimal from what a client sent: never through float, never NaN or infinite."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def parse_decimal(value: Any) -> Decimal:
    """A finite Decimal from a string, an int or a Decimal; ValueError (with the reason) otherwise.

    Request bodies are parsed with numbers as Decimal, so a float only arrives from Python callers:
    it is read from its shortest repr, the digits its writer meant, not its binary value.
    """
    if isinstance(value, bool):
        raise ValueError("must be a decimal number, not a boolean")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("must be a decimal number")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
    else:
        raise ValueError("must be a decimal number given as a string or a JSON number")
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number
