"""Column types that keep money exact and times in UTC on every supported database."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


def decimal_to_text(value: Decimal) -> str:
    """The canonical fixed-point text of a finite Decimal (never scientific notation)."""
    if not isinstance(value, Decimal):
        # A float has already lost the exact value, so it is refused rather than converted.
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected Decimal, got {type(value).__name__}")
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} cannot be stored: only finite amounts are")
    return format(value, "f")


def text_to_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"stored amount {text!r} is not a decimal number") from error
    return value


class ExactDecimal(sa.types.TypeDecorator):
    """A Decimal column with an exact round trip.

    PostgreSQL stores an unconstrained NUMERIC, which keeps every digit (a fixed scale would round
    the average price, which carries up to 28 significant digits). SQLite has no exact decimal
    type, so the value is kept as fixed-point TEXT; such a column must not be compared or summed in
    SQL, only in Python.
    """

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.NUMERIC(asdecimal=True))
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        text = decimal_to_text(value)
        return Decimal(text) if dialect.name == "postgresql" else text

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        return text_to_decimal(str(value))


class UtcDateTime(sa.types.TypeDecorator):
    """A timezone-aware datetime, always handed back in UTC.

    Naive datetimes are refused: guessing their zone would silently shift order times.
    SQLite stores the UTC wall time as text with microseconds, so text order is time order.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: a timezone-aware time is required")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
