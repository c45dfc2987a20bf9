"""Parameter types for strategy `Params` models: decimals travel as strings, never floats."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from shared.decimals import parse_decimal


def _positive(value: Any) -> Decimal:
    number = parse_decimal(value)
    if number <= 0:
        raise ValueError("must be greater than zero")
    return number


def _fraction(value: Any) -> Decimal:
    number = parse_decimal(value)
    if not 0 <= number < 1:
        raise ValueError("must be a fraction from 0 (inclusive) to 1 (exclusive), e.g. 0.0015 for 0.15%")
    return number


_AS_STRING = PlainSerializer(lambda d: format(d, "f"), return_type=str)
DecimalParam = Annotated[Decimal, BeforeValidator(parse_decimal), _AS_STRING,
                         WithJsonSchema({"type": "string", "format": "decimal", "examples": ["1.5"]})]
PositiveDecimal = Annotated[Decimal, BeforeValidator(_positive), _AS_STRING,
                            WithJsonSchema({"type": "string", "format": "decimal", "description": "greater than 0"})]
Fraction = Annotated[Decimal, BeforeValidator(_fraction), _AS_STRING,
                     WithJsonSchema({"type": "string", "format": "decimal", "examples": ["0.0015"],
                                     "description": "a fraction from 0 to 1"})]
