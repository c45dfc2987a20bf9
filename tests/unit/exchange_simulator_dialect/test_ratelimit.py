import pytest

from exchange_simulator.binance.errors import BinanceError
from exchange_simulator.binance.ratelimit import RateLimiter
from exchange_simulator.config import BinanceLimits


class FakeClock:
    def __init__(self, now: int = 1_700_000_000_000):
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_weight_resets_at_the_minute_boundary():
    clock = FakeClock(120_000 + 59_000)  # one second before a minute boundary
    limiter = RateLimiter(BinanceLimits(request_weight_per_minute=10), clock)
    limiter.consume_weight("ip", 10)
    with pytest.raises(BinanceError) as raised:
        limiter.consume_weight("ip", 1)
    assert raised.value.code == -1003 and raised.value.http_status == 429
    assert raised.value.headers["Retry-After"] == "1"
    clock.now += 1_000
    limiter.consume_weight("ip", 10)
    assert limiter.headers("ip", None) == {"X-MBX-USED-WEIGHT-1M": "10"}


def test_weight_is_per_ip():
    limiter = RateLimiter(BinanceLimits(request_weight_per_minute=1), FakeClock())
    limiter.consume_weight("a", 1)
    limiter.consume_weight("b", 1)


def test_orders_per_ten_seconds_and_per_day():
    clock = FakeClock(0)
    limiter = RateLimiter(BinanceLimits(orders_per_10s=2, orders_per_day=3), clock)
    limiter.consume_order("acct")
    limiter.consume_order("acct")
    with pytest.raises(BinanceError) as raised:
        limiter.consume_order("acct")
    assert raised.value.code == -1015
    clock.now = 10_000
    with pytest.raises(BinanceError) as daily:
        limiter.consume_order("acct")  # fourth order today
    assert "DAY" in daily.value.msg
    assert limiter.headers("ip", "acct")["X-MBX-ORDER-COUNT-1D"] == "4"
