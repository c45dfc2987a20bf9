import threading

from websockets.exceptions import ConnectionClosedError

from shared.backoff import Backoff
from market_data_service.feeds.base import FeedContext
from market_data_service.feeds.binance_ws import BinanceStreamFeed, StreamConfig
from market_data_service.health import FeedStats
from market_data_service.publisher import MarketDataPublisher

QUOTE = '{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"%s","B":"1","a":"101","A":"1"}}'


class FakeSocket:
    """Hands out its frames, then either idles (TimeoutError) or fails like a dropped connection."""

    def __init__(self, frames: list[str], then: Exception | None = None) -> None:
        self.frames = list(frames)
        self.then = then

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def recv(self, timeout=None):
        if self.frames:
            return self.frames.pop(0)
        if self.then is not None:
            raise self.then
        raise TimeoutError


class Bus:
    def __init__(self) -> None:
        self.bursts = []

    def publish_many(self, messages, keep_last=True):
        self.bursts.append(messages)


def run(feed: BinanceStreamFeed, sockets: list[FakeSocket], stop_after: int):
    stats, bus = FeedStats("binance"), Bus()
    context = FeedContext(stats, MarketDataPublisher(bus, stats), threading.Event())
    urls, delays = [], []
    waits = context.stop.wait

    def connect(url, **options):
        urls.append(url)
        if len(urls) >= stop_after:
            context.stop.set()
        return sockets.pop(0)

    def wait(delay):
        delays.append(delay)
        return waits(0)

    context.stop.wait = wait
    feed._connect = connect
    feed.run(context)
    return stats, bus, urls, delays


def test_subscribes_in_the_url_publishes_bursts_and_reconnects_with_growing_backoff():
    feed = BinanceStreamFeed(StreamConfig("binance", "ws://sim/binance", ("BTCUSDT", "ETHUSDT")),
                             backoff=Backoff(base=0.5, cap=4, jitter=0))
    drop = ConnectionClosedError(None, None)
    sockets = [FakeSocket([QUOTE % "100", QUOTE % "100.5", "garbage"], then=drop), FakeSocket([], then=OSError("refused")),
               FakeSocket([QUOTE % "99"], then=drop)]
    stats, bus, urls, delays = run(feed, sockets, stop_after=3)
    assert urls[0] == ("ws://sim/binance/stream?streams=btcusdt@bookTicker/btcusdt@trade/"
                       "ethusdt@bookTicker/ethusdt@trade")
    assert len(urls) == 3 and delays[:2] == [0.5, 1.0]
    # the frames read before the drop go out together, in one round trip
    assert [len(burst) for burst in bus.bursts] == [2]
    assert stats.messages == 2 and stats.malformed == {"not JSON": 1}
    assert stats.connects == 3 and stats.disconnects == 2 and "OSError" in stats.last_error


def test_a_connection_is_renewed_before_its_maximum_age_without_waiting():
    feed = BinanceStreamFeed(StreamConfig("binance", "ws://sim/binance", ("BTCUSDT",), max_connection_age=0),
                             backoff=Backoff(base=0.5, jitter=0))
    stats, _, urls, delays = run(feed, [FakeSocket([]), FakeSocket([])], stop_after=2)
    assert len(urls) == 2 and delays == [] and stats.disconnects == 0 and stats.connects == 2
