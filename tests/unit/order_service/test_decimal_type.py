"""The store's column types keep amounts exact and times in UTC, without a database."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from order_service.store.types import ExactDecimal, UtcDateTime, decimal_to_text

SQLITE = sqlite.dialect()
POSTGRESQL = postgresql.dialect()


def round_trip(column_type, value, dialect):
    return column_type.process_result_value(column_type.process_bind_param(value, dialect), dialect)


@pytest.mark.parametrize("text", ["0.00000001", "65000.12345678", "123456789012.123456789", "-0.5", "1.50", "0"])
@pytest.mark.parametrize("dialect", [SQLITE, POSTGRESQL], ids=["sqlite", "postgresql"])
def test_amounts_round_trip_digit_for_digit(text, dialect):
    value = round_trip(ExactDecimal(), Decimal(text), dialect)
    assert isinstance(value, Decimal)
    assert format(value, "f") == text


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**30, max_value=10**30))
def test_any_finite_decimal_survives_the_text_form(value):
    assert round_trip(ExactDecimal(), value, SQLITE) == value


def test_sqlite_holds_fixed_point_text_never_scientific_notation():
    assert ExactDecimal().process_bind_param(Decimal("1E-8"), SQLITE) == "0.00000001"
    assert ExactDecimal().process_bind_param(Decimal("6.5E+4"), SQLITE) == "65000"


@pytest.mark.parametrize("bad, error", [(0.1, TypeError), (True, TypeError), ("1.5", TypeError),
                                        (Decimal("NaN"), ValueError), (Decimal("Infinity"), ValueError)])
def test_floats_and_non_finite_amounts_are_refused(bad, error):
    with pytest.raises(error):
        decimal_to_text(bad)


def test_integers_are_exact_amounts():
    assert round_trip(ExactDecimal(), 3, SQLITE) == Decimal(3)


def test_none_stays_none():
    assert round_trip(ExactDecimal(), None, SQLITE) is None
    assert round_trip(UtcDateTime(), None, POSTGRESQL) is None


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRESQL], ids=["sqlite", "postgresql"])
def test_times_come_back_in_utc(dialect):
    local = datetime(2024, 3, 1, 9, 30, 0, 500, tzinfo=timezone(timedelta(hours=-3)))
    value = round_trip(UtcDateTime(), local, dialect)
    assert value == local
    assert value.tzinfo is timezone.utc and value.hour == 12


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2024, 3, 1), SQLITE)
