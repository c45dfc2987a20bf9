"""B3 cash-market hours, in Brasília time (UTC-3 all year since Brazil dropped daylight saving in 2019).

B3 moves its session with the US: while New York is on daylight time, continuous trading runs
10:00-16:55 with the closing call to 17:00; otherwise 10:00-17:55 and 18:00. ETFs open at 10:05.
Orders are accepted from the open to the end of the closing call, on weekdays (holidays are not
modelled).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

BRASILIA = timezone(timedelta(hours=-3), "BRT")
OPEN = time(10, 0)
ETF_OPEN = time(10, 5)
CLOSE_US_DAYLIGHT = time(17, 0)
CLOSE_US_STANDARD = time(18, 0)


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def us_daylight_time(day: date) -> bool:
    """US daylight time: from the second Sunday of March to the first Sunday of November."""
    return _nth_sunday(day.year, 3, 2) <= day < _nth_sunday(day.year, 11, 1)


class TradingHours:
    """Says whether B3 accepts an order for a symbol at a given time."""

    def __init__(self, is_etf: Callable[[str], bool]) -> None:
        self._is_etf = is_etf

    def closed_reason(self, symbol: str, now_ms: int) -> str | None:
        """None while the market takes orders for `symbol`; otherwise why it does not."""
        now = datetime.fromtimestamp(now_ms / 1000, tz=BRASILIA)
        opens = ETF_OPEN if self._is_etf(symbol) else OPEN
        closes = CLOSE_US_DAYLIGHT if us_daylight_time(now.date()) else CLOSE_US_STANDARD
        if now.weekday() < 5 and opens <= now.time() < closes:
            return None
        return (f"Market closed: B3 takes orders for {symbol} on weekdays from {opens:%H:%M} to "
                f"{closes:%H:%M} Brasília time (now {now:%a %H:%M})")
