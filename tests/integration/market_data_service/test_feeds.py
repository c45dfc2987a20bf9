"""Feeds against the running simulator and a real Redis: quotes, reconnection, bad input, Redis restarts."""
from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from websockets.sync.server import serve

from shared.bus import EventBus
from shared.embedded_redis import EmbeddedRedis, free_port

from market_data_service.config import BINANCE, BINANCE_FUTURES, HASHDEX, INAV, USDBRL, build_feed, feed_specs
from market_data_service.feeds.binance_ws import BinanceStreamFeed, StreamConfig
from tests.integration.market_data_service.conftest import last_value, wait_until

pytestmark = pytest.mark.redis


def spec(settings, name):
    return next(s for s in feed_specs(settings) if s.name == name)


def move(sim, symbol: str, price: str, venue: str = "binance") -> None:
    response = sim.admin("POST", f"/admin/markets/{symbol}/mid", {"venue": venue, "price": price})
    assert response.ok, response.text


def quote_after_moving(sim, bus: EventBus, price: str, above: str, venue: str = "binance", timeout: float = 10.0):
    """Move the market until the feed's last quote shows a bid above `above` (the subscription of a
    connection that has just opened may still be on its way to the venue)."""
    nudge = iter(range(10_000))

    def moved():
        move(sim, "BTCUSDT", str(Decimal(price) + next(nudge)))  # a new price each time, so the book changes
        quote = last_value(bus, f"md.quote.{venue}.BTCUSDT")
        return quote if quote and Decimal(quote["bid"]) > Decimal(above) else None

    return wait_until(moved, timeout=timeout, interval=0.2)


def test_quotes_and_trades_are_published_with_last_values_and_survive_a_dropped_websocket(sim, md_settings, bus,
                                                                                           run_feed):
    feed = run_feed(build_feed(spec(md_settings, BINANCE), md_settings, bus), bus, BINANCE)
    assert wait_until(lambda: feed.stats.connects == 1)
    pubsub = bus.pubsub(channels=["md.quote.binance.BTCUSDT"])
    pubsub.get_message(timeout=1)
    move(sim, "BTCUSDT", "70000")
    quote = wait_until(lambda: (m := pubsub.get_message(timeout=0.2)) and json.loads(m["data"]))
    assert quote["type"] == "quote" and quote["venue"] == "binance" and quote["symbol"] == "BTCUSDT"
    assert Decimal(quote["bid"]) < Decimal("70000") < Decimal(quote["ask"]) and quote["stale"] is False
    assert last_value(bus, "md.quote.binance.BTCUSDT")["ts_publish_ns"] >= quote["ts_publish_ns"]
    assert wait_until(lambda: last_value(bus, "md.trade.binance.BTCUSDT"))["price"]

    assert sim.admin("POST", "/admin/faults", {"venue": "binance", "kind": "drop_websockets"}).json()["dropped"] >= 1
    assert wait_until(lambda: feed.stats.connects == 2)
    assert feed.stats.disconnects == 1 and feed.stats.last_error
    assert quote_after_moving(sim, bus, "71000", above="70500")
    pubsub.close()


def test_malformed_frames_are_counted_and_pings_answered(bus, run_feed):
    good = ('{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"100.5","B":"1","a":"101.5","A":"2"}}')
    frames = ["garbage", '{"stream":"btcusdt@bookTicker","data":{"s":"BTCUSDT","b":"x"}}', "garbage", good]
    ponged = threading.Event()

    def handler(ws):
        for frame in frames:
            ws.send(frame)
        if ws.ping().wait(5):
            ponged.set()
        ws.recv()  # until the feed goes away

    with serve(handler, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
        feed = run_feed(BinanceStreamFeed(StreamConfig("binance", url, ("BTCUSDT",))), bus, "binance")
        assert wait_until(lambda: last_value(bus, "md.quote.binance.BTCUSDT"))["bid"] == "100.5"
        assert ponged.wait(5)
        assert feed.stats.malformed == {"not JSON": 2, "bookTicker: bad b": 1}
        assert feed.thread.is_alive() and feed.stats.messages == 1
        feed.stop()
        server.shutdown()


def test_a_redis_restart_is_survived_and_publishing_resumes(sim, md_settings, tmp_path, run_feed):
    port = free_port()
    server = EmbeddedRedis(port=port).start()
    private = EventBus.from_url(server.url, "", retries=0, socket_timeout=1.0)
    try:
        feed = run_feed(BinanceStreamFeed(StreamConfig("binance", md_settings.venues["binance"].ws_url, ("BTCUSDT",))),
                        private, "binance")
        assert quote_after_moving(sim, private, "70000", above="69000")
        server.stop()
        move(sim, "BTCUSDT", "70100")
        assert wait_until(lambda: feed.stats.publish_errors >= 1)
        server = EmbeddedRedis(port=port).start()      # a fresh, empty Redis on the same address
        assert quote_after_moving(sim, private, "70200", above="70150", timeout=15)
        assert feed.thread.is_alive() and feed.stats.connects == 1
    finally:
        private.close()
        server.stop()


def test_inav_follows_the_simulated_btc_price_and_matches_the_world(sim, md_settings, bus, run_feed):
    for name in (BINANCE_FUTURES, USDBRL, HASHDEX, INAV):
        run_feed(build_feed(spec(md_settings, name), md_settings, bus), bus, name)
    for price in ("70000", "72000"):
        move(sim, "BTCUSDT", price)
        world = Decimal(sim.admin("GET", "/admin/fx").json()["inav"]["BITH11"])

        def computed_near_world():
            inav = last_value(bus, "md.inav.BITH11")
            return inav if inav and abs(Decimal(inav["value"]) - world) < Decimal("0.01") else None

        inav = wait_until(computed_near_world, timeout=10)
        assert inav, (last_value(bus, "md.inav.BITH11"), world)
        assert inav["source"] == "computed:binance-futures" and inav["underlying"] == "BTC"
        assert Decimal(inav["value"]) == (Decimal(inav["underlying_per_share"]) * Decimal(inav["underlying_price"])
                                          * Decimal(inav["fx_rate"])).quantize(Decimal("1e-8"))
    published = wait_until(lambda: (v := last_value(bus, "md.inav.hashdex.BITH11")) and Decimal(v["value"]) == world
                           and v)
    assert published and published["source"] == "hashdex"
    assert wait_until(lambda: last_value(bus, "md.inav.ETHE11"))["underlying"] == "ETH"
