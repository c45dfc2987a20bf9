"""Tick to trade: a quote published on Redis -> a strategy process places an order through the order
service -> the venue acknowledges -> the order's event is back at the strategy.

Starts the stack as `trading-system up` does (with the algo service and its supervisor), deploys a strategy
that answers every quote with a LIMIT IOC order, publishes quotes one at a time and reports p50/p99 of the
whole loop. In the same run it measures the floor: a Redis pub/sub one-way hop plus a bare Flask POST under
the same gunicorn settings. Also reports the resident memory of one idle algo process.

    python -m bench.tick_to_trade [--ticks 2000]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import redis
import requests
from pydantic import BaseModel, ConfigDict

from shared.bus import EventBus
from shared.domain.marketdata import Quote, quote_channel
from shared.embedded_redis import free_port
from shared.marketdata_codec import dumps
from shared.settings import Settings
from trading_system.stack import Stack

from algo_service.sdk import OrderUpdate, Strategy
from bench.order_entry import bare_server, fund, resting_order, stack_environ

BENCH_VENUE, BENCH_SYMBOL = "bench", "TICK"
STRATEGY = "bench-tick-to-trade=bench.tick_to_trade:TickToTrade"


class TickToTradeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_to: str | None = None
    price: str
    quantity: str
    idle: bool = False   # subscribe to nothing: an algo process at rest, for its memory


class TickToTrade(Strategy):
    """Answers each quote with a LIMIT IOC order and publishes quote-to-order-event nanoseconds on the Redis
    channel `report_to` (after the measurement, so the report costs the loop nothing)."""

    name = "bench-tick-to-trade"
    Params = TickToTradeParams

    def subscriptions(self) -> list[str]:
        return [] if self.params.idle else [quote_channel(BENCH_VENUE, BENCH_SYMBOL)]

    def on_start(self) -> None:
        self.sent: dict[str, int] = {}
        self.report = redis.Redis.from_url(os.environ["REDIS_URL"]) if self.params.report_to else None

    def on_quote(self, quote: Quote) -> None:
        order = self.orders.limit("binance", "BTCUSDT", "BUY", Decimal(self.params.quantity),
                                  Decimal(self.params.price), time_in_force="IOC")
        self.sent[order.id] = quote.exchange_ts_ns

    def on_order_event(self, update: OrderUpdate) -> None:
        started = self.sent.pop(update.order.id, None)
        if started is not None:
            elapsed = time.time_ns() - started
            if self.report is not None:
                self.report.publish(self.params.report_to, str(elapsed))


def percentiles(samples_ns: list[int]) -> tuple[float, float]:
    ordered = sorted(samples_ns)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50 / 1e6, p99 / 1e6


def pubsub_one_way(bus: EventBus, count: int) -> list[int]:
    received: list[int] = []
    ready = threading.Event()
    pubsub = bus.pubsub(channels=["bench.floor"])

    def listen() -> None:
        ready.set()
        while len(received) < count:
            message = pubsub.get_message(timeout=1.0)
            if message and message["type"] == "message":
                received.append(time.time_ns() - int(message["data"]))

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait()
    time.sleep(0.2)
    for _ in range(count):
        seen = len(received)
        bus.publish("bench.floor", str(time.time_ns()))
        while len(received) == seen and thread.is_alive():
            time.sleep(0.0002)
    thread.join(5)
    pubsub.close()
    return received


def bare_posts(url: str, count: int) -> list[int]:
    http = requests.Session()
    body = b'{"client_order_id":"x","quantity":"0.001","price":"1000"}'
    samples = []
    for _ in range(count):
        started = time.time_ns()
        http.post(f"{url}/api/v1/orders", data=body, headers={"Content-Type": "application/json"}, timeout=10)
        samples.append(time.time_ns() - started)
    return samples


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(args: argparse.Namespace) -> int:
    var_dir = Path(tempfile.mkdtemp(prefix="bench-tick-to-trade-"))
    environ = {**stack_environ(var_dir, "WARNING"), "ALGO_SERVICE_PORT": str(free_port()),
               "ALGO_STRATEGIES": STRATEGY}
    settings = Settings.from_env(environ, dotenv_path=None)
    stack = bare = None
    try:
        print(f"starting the stack in {var_dir} ...", flush=True)
        stack = Stack(settings, environ={**os.environ, **environ}).start()
        bare, bare_url = bare_server(settings, environ, var_dir)
        http = requests.Session()
        template = resting_order(http, settings.simulator_url)
        fund(http, settings.simulator_url, template, args.ticks + args.warmup)
        bus = EventBus.from_url(stack.redis_url, settings.bus_prefix)
        report_to = f"{settings.bus_prefix}bench.tick-to-trade"
        reports = bus.client.pubsub()
        reports.subscribe(report_to)
        assert reports.get_message(timeout=10.0)["type"] == "subscribe"
        params = {"report_to": report_to, "price": format(template.price, "f"),
                  "quantity": format(template.quantity, "f")}
        algo = http.post(f"{settings.algo_service_url}/api/v1/algos",
                         json={"strategy": "bench-tick-to-trade", "params": params}, timeout=10).json()
        idle = http.post(f"{settings.algo_service_url}/api/v1/algos",
                         json={"strategy": "bench-tick-to-trade", "params": {**params, "report_to": None, "idle": True}},
                         timeout=10).json()
        for algo_id in (algo["id"], idle["id"]):
            deadline = time.monotonic() + 30
            while http.get(f"{settings.algo_service_url}/api/v1/algos/{algo_id}").json()["status"] != "RUNNING":
                if time.monotonic() > deadline:
                    raise RuntimeError(f"algo {algo_id} did not start; see {var_dir}/logs")
                time.sleep(0.1)
        channel = quote_channel(BENCH_VENUE, BENCH_SYMBOL)
        lost = 0
        samples = []
        for tick in range(args.warmup + args.ticks):
            now = time.time_ns()
            quote = Quote(BENCH_VENUE, BENCH_SYMBOL, Decimal("100"), Decimal("1"), Decimal("100.01"), Decimal("1"),
                          now, now)
            bus.publish(channel, dumps(quote, now))
            report = reports.get_message(timeout=10.0)  # blocks in select(): no polling beside the loop
            if report is None:
                lost += 1
            elif tick >= args.warmup:
                samples.append(int(report["data"]))
        reports.close()
        floor_pubsub = pubsub_one_way(bus, args.ticks)
        floor_post = bare_posts(bare_url, args.ticks)
        idle_pid = http.get(f"{settings.algo_service_url}/api/v1/algos/{idle['id']}").json()["pid"]
        idle_rss = rss_mb(idle_pid)
        bus.close()
    finally:
        if bare is not None:
            bare.stop()
        if stack is not None:
            stack.stop()
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
    t2t = percentiles(samples)
    pubsub = percentiles(floor_pubsub)
    post = percentiles(floor_post)
    floor = (pubsub[0] + post[0], pubsub[1] + post[1])
    print(f"tick to trade      {len(samples)} ticks ({lost} lost): p50 {t2t[0]:.2f} ms, p99 {t2t[1]:.2f} ms")
    print(f"floor: pub/sub     p50 {pubsub[0]:.3f} ms, p99 {pubsub[1]:.3f} ms")
    print(f"floor: bare POST   p50 {post[0]:.3f} ms, p99 {post[1]:.3f} ms")
    print(f"ratio to floor     p50 {t2t[0] / floor[0]:.1f}x (target <= 4x), p99 {t2t[1] / floor[1]:.1f}x (target <= 10x)")
    print(f"idle algo process  RSS {idle_rss:.1f} MB (target <= 80 MB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tick_to_trade", description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=2000, help="measured ticks (default 2000)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs) afterwards")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
