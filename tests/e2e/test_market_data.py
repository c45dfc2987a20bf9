"""Market data as `trading-system up` runs it: live values on Redis, and feeds that heal themselves."""
from __future__ import annotations

import json
import os
import signal
import time

WANTED = {"md.quote.binance.BTCUSDT", "md.quote.binance-futures.BTCUSDT", "md.fx.USDBRL",
          "md.inav.BITH11", "md.inav.ETHE11", "md.inav.SOLH11"}


def test_quotes_fx_and_inav_of_the_three_etfs_are_on_redis(running):
    prefix = running.settings.bus_prefix
    pubsub = running.redis.pubsub(ignore_subscribe_messages=True)
    pubsub.psubscribe(f"{prefix}md.*")
    seen: dict[str, dict] = {}
    # Last values answer at once; live messages arrive on the channels.
    for channel in WANTED:
        raw = running.redis.get(f"{prefix}last:{channel}")
        if raw:
            seen[channel] = json.loads(raw)
    deadline = time.monotonic() + 20
    live = set()
    live_wanted = {"md.quote.binance.BTCUSDT", "md.quote.binance-futures.BTCUSDT"}
    while not (live_wanted <= live and WANTED <= seen.keys()) and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
        if message and message["type"] == "pmessage":
            channel = message["channel"].removeprefix(prefix)
            seen[channel] = json.loads(message["data"])
            live.add(channel)
    pubsub.close()
    assert WANTED <= seen.keys(), sorted(seen)
    assert live_wanted <= live
    quote = seen["md.quote.binance-futures.BTCUSDT"]
    assert quote["type"] == "quote" and quote["schema_version"] == 1 and not quote["stale"]
    assert isinstance(quote["bid"], str) and quote["ts_receive_ns"] <= quote["ts_publish_ns"]
    inav = seen["md.inav.BITH11"]
    assert inav["underlying"] == "BTC" and inav["currency"] == "BRL" and inav["source"] == "computed:binance-futures"
    snapshot = running.http.get(f"{running.md_api}/api/v1/marketdata/binance/BTCUSDT", timeout=5).json()
    assert snapshot["quote"]["symbol"] == "BTCUSDT" and snapshot["quote"]["venue"] == "binance"
    assert running.http.get(f"{running.md_api}/healthz", timeout=5).status_code == 200


def test_a_killed_feed_process_is_reported_and_restarted(running):
    before = running.wait_for_feed("binance-futures", lambda f: f["state"] == "connected")
    assert before["state"] == "connected", before
    os.kill(before["pid"], signal.SIGKILL)
    died = running.wait_for_feed("binance-futures", lambda f: f["restarts"] > before["restarts"])
    assert died["restarts"] == before["restarts"] + 1
    assert died["last_exit"] == "killed by signal 9"
    healed = running.wait_for_feed("binance-futures", lambda f: f["state"] == "connected" and f["pid"] != before["pid"])
    assert healed["state"] == "connected" and healed["pid"] not in (None, before["pid"])
    others = running.feeds()
    assert others["binance"]["restarts"] == 0 and others["binance"]["state"] == "connected"
    # The healed feed publishes again.
    stamp = json.loads(running.redis.get(f"{running.settings.bus_prefix}last:md.quote.binance-futures.BTCUSDT"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        latest = json.loads(running.redis.get(f"{running.settings.bus_prefix}last:md.quote.binance-futures.BTCUSDT"))
        if latest["ts_publish_ns"] > stamp["ts_publish_ns"]:
            break
        time.sleep(0.1)
    assert latest["ts_publish_ns"] > stamp["ts_publish_ns"]


def test_md_tail_prints_the_last_value_then_live_messages(running):
    import subprocess
    import sys

    env = {**os.environ, "REDIS_URL": running.stack.redis_url, "BUS_PREFIX": running.settings.bus_prefix,
           "PYTHONUNBUFFERED": "1"}
    tail = subprocess.Popen([sys.executable, "-m", "trading_system.cli", "md", "tail", "md.fx.*", "--snapshot"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [tail.stdout.readline() for _ in range(2)]   # the snapshot, then a live poll
    finally:
        tail.terminate()
        tail.wait(10)
    for line in lines:
        channel, payload = line.split(" ", 1)
        assert channel == f"{running.settings.bus_prefix}md.fx.USDBRL", lines
        assert json.loads(payload)["type"] == "fx"
