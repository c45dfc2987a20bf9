"""B3 trading hours in the Flowa dialect: ignored by default, enforced when the dialect is built to."""
from __future__ import annotations

from datetime import datetime

import pytest

from exchange_simulator.flowa.session import BRASILIA, TradingHours, us_daylight_time
from tests.integration.exchange_simulator.flowa_support import FakeClock, start_flowa


def ms(year: int, month: int, day: int, hour: int, minute: int) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=BRASILIA).timestamp() * 1000)


SATURDAY_NOON = ms(2025, 1, 11, 12, 0)


@pytest.mark.parametrize("when, symbol, open_", [
    (ms(2025, 1, 13, 10, 0), "PETR4", True),     # Monday, US standard time: 10:00-18:00
    (ms(2025, 1, 13, 10, 2), "BITH11", False),   # ETFs open at 10:05
    (ms(2025, 1, 13, 10, 5), "BITH11", True),
    (ms(2025, 1, 13, 17, 59), "PETR4", True),
    (ms(2025, 1, 13, 18, 0), "PETR4", False),
    (ms(2025, 7, 14, 16, 59), "PETR4", True),    # US daylight time: 10:00-17:00
    (ms(2025, 7, 14, 17, 0), "PETR4", False),
    (ms(2025, 7, 14, 9, 59), "PETR4", False),
    (SATURDAY_NOON, "PETR4", False),
])
def test_session_windows(when, symbol, open_):
    hours = TradingHours(lambda s: s.endswith("11"))
    assert (hours.closed_reason(symbol, when) is None) == open_


def test_us_daylight_time_boundaries():
    assert not us_daylight_time(datetime(2025, 3, 8).date())
    assert us_daylight_time(datetime(2025, 3, 9).date())
    assert us_daylight_time(datetime(2025, 11, 1).date())
    assert not us_daylight_time(datetime(2025, 11, 2).date())


def test_orders_outside_the_session_are_rejected_when_hours_are_enforced():
    clock = FakeClock(SATURDAY_NOON)
    sim, stop = start_flowa(clock, enforce_hours=True)
    try:
        token = sim.token()
        closed = sim.order(token, CustomId="weekend")
        assert closed.status_code == 422
        assert closed.json()["Error"].startswith("Market closed: B3 takes orders for PETR4 on weekdays from 10:00")
        order = sim.call("GET", "/api/simple-order", token, params={"CustomId": "weekend"}).json()
        assert order["Status"] == "REJECTED"
        clock.ms = ms(2025, 1, 13, 11, 0)
        assert sim.order(CustomId="monday").status_code == 200  # with a new token: two days have passed
    finally:
        stop()


def test_hours_are_ignored_by_default():
    sim, stop = start_flowa(FakeClock(SATURDAY_NOON))
    try:
        assert sim.order().status_code == 200
    finally:
        stop()
