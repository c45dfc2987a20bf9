"""Parameter types for strategy `Params` models: decimals travel as strings, never floats."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("must be a decimal number, not a boolean")
    if isinstance(value, float):
        value = repr(value)  # a JSON number parsed as float: keep the digits the user wrote
    if isinstance(value, (int, Decimal, str)):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
        if not number.is_finite():
            raise ValueError("must be a finite number")
        return number
    raise ValueError("must be a decimal number given as a string")


def _positive(value: Any) -> Decimal:
    number = _decimal(value)
    if number <= 0:
        raise ValueError("must be greater than zero")
    return number


def _fraction(value: Any) -> Decimal:
    number = _decimal(value)
    if not 0 <= number < 1:
        raise ValueError("must be a fraction from 0 (inclusive) to 1 (exclusive), e.g. 0.0015 for 0.15%")
    return number


_AS_STRING = PlainSerializer(lambda d: format(d, "f"), return_type=str)
DecimalParam = Annotated[Decimal, BeforeValidator(_decimal), _AS_STRING,
                         WithJsonSchema({"type": "string", "format": "decimal", "examples": ["1.5"]})]
PositiveDecimal = Annotated[Decimal, BeforeValidator(_positive), _AS_STRING,
                            WithJsonSchema({"type": "string", "format": "decimal", "description": "greater than 0"})]
Fraction = Annotated[Decimal, BeforeValidator(_fraction), _AS_STRING,
                     WithJsonSchema({"type": "string", "format": "decimal", "examples": ["0.0015"],
                                     "description": "a fraction from 0 to 1"})]
