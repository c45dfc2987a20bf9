import json
from decimal import Decimal

import redis

from shared.domain.marketdata import FxRate, Quote

from market_data_service.health import FeedState, FeedStats, judge
from market_data_service.publisher import MarketDataPublisher

S = 1_000_000_000


def test_a_feed_is_judged_from_its_process_its_link_and_its_silence():
    assert judge(False, "connected", 10 * S, 0, 11 * S, 5) is FeedState.FAILED
    assert judge(True, None, None, 0, 1, 5) is FeedState.STARTING
    assert judge(True, "reconnecting", 10 * S, 0, 11 * S, 5) is FeedState.RECONNECTING
    assert judge(True, "connected", 10 * S, 0, 14 * S, 5) is FeedState.CONNECTED
    assert judge(True, "connected", 10 * S, 0, 16 * S, 5) is FeedState.STALE
    # connected but never heard from: silence counts from the start
    assert judge(True, "connected", None, 0, 6 * S, 5) is FeedState.STALE


class FakeBus:
    def __init__(self) -> None:
        self.sent: list[list[tuple[str, str]]] = []
        self.down = False

    def publish_many(self, messages, keep_last=True):
        if self.down:
            raise redis.ConnectionError("Connection refused")
        self.sent.append(list(messages))


def quote(bid: str) -> Quote:
    return Quote("binance", "BTCUSDT", Decimal(bid), Decimal(1), Decimal(bid) + 1, Decimal(1), None, 1)


def test_a_burst_goes_out_in_one_call_with_the_codec_shape():
    bus, stats = FakeBus(), FeedStats("binance")
    publisher = MarketDataPublisher(bus, stats, clock_ns=lambda: 42)
    assert publisher.publish([quote("1"), quote("2"), FxRate("USDBRL", Decimal("5.4"), "coinbase", None, 1)])
    [batch] = bus.sent
    assert [c for c, _ in batch] == ["md.quote.binance.BTCUSDT"] * 2 + ["md.fx.USDBRL"]
    body = json.loads(batch[1][1])
    assert body["bid"] == "2" and body["ts_publish_ns"] == 42 and body["stale"] is False
    assert stats.published == 3 and stats.channels == ["md.fx.USDBRL", "md.quote.binance.BTCUSDT"]


def test_while_redis_is_down_the_newest_value_per_channel_is_held_then_delivered():
    bus, stats = FakeBus(), FeedStats("binance")
    now = [0.0]
    publisher = MarketDataPublisher(bus, stats, monotonic=lambda: now[0], retry_base=1.0)
    bus.down = True
    assert not publisher.publish([quote("1")])
    assert not publisher.publish([quote("2"), quote("3")])   # before the retry time: held, no call
    assert stats.publish_errors == 1 and "ConnectionError" in stats.last_error
    bus.down = False
    now[0] = 1.5
    assert publisher.publish([])
    [batch] = bus.sent
    assert len(batch) == 1 and json.loads(batch[0][1])["bid"] == "3"
    assert publisher.publish([quote("4")]) and len(bus.sent) == 2
