"""Market data fan-out: one feed process publishing quotes, ten subscriber processes counting them.

    python -m bench.md_fanout [--subscribers 10] [--seconds 5] [--rate 20000] [--symbols 20] [--batch 100]

The feed process publishes synthetic BTCUSDT-like quotes through the service's own publishing path
(codec, pipelined PUBLISH plus last-value keys) on `md.quote.bench.{symbol}` channels of a private
embedded Redis (or REDIS_URL with --redis-url). Two phases: as fast as it can, then paced at --rate.
Each subscriber holds one Redis connection subscribed to every channel and reads it in large chunks,
counting messages and taking each one's publish-to-receive latency from its `ts_publish_ns`.

Prints, per phase: quotes/s published, per-subscriber received/s and loss, and latency p50/p99.
"""
from __future__ import annotations

import argparse
import multiprocessing
import re
import socket
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CONTROL = "bench.control"
_TS = re.compile(rb'"ts_publish_ns":(\d+)')
_MESSAGE = b"*3\r\n$7\r\nmessage\r\n"


def _resp(*parts: str) -> bytes:
    out = [f"*{len(parts)}\r\n".encode()]
    for part in parts:
        data = part.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def subscriber(host: str, port: int, channels: list[str], ready, results) -> None:
    """Counts quotes between `start:PHASE` and `end:PHASE` control messages; sends (phase, count, latencies)."""
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.sendall(_resp("SUBSCRIBE", CONTROL, *channels))
    ready.release()
    buffer, phase, count, latencies = b"", None, 0, []
    control = re.compile(rb"\$%d\r\n%s\r\n\$\d+\r\n(start|end|quit):([\w-]*)" % (len(CONTROL), CONTROL.encode()))
    while True:
        chunk = sock.recv(1 << 20)
        now = time.time_ns()
        if not chunk:
            return
        buffer += chunk
        cut = buffer.rfind(_MESSAGE)   # keep a possibly incomplete last message for the next chunk
        if cut <= 0:
            continue
        complete, buffer = buffer[:cut], buffer[cut:]
        events = list(control.finditer(complete))
        position = 0
        for event in events + [None]:
            part = complete[position:event.start() if event else len(complete)]
            if phase is not None:
                stamps = _TS.findall(part)
                count += len(stamps)
                latencies.extend(now - int(s) for s in stamps)
            if event is None:
                break
            position = event.end()
            kind, name = event.group(1).decode(), event.group(2).decode()
            if kind == "start":
                phase, count, latencies = name, 0, []
            elif kind == "end":
                results.put((name, count, latencies))
                phase = None
            else:
                sock.close()
                return


def feed(redis_url: str, symbols: list[str], plan: list[tuple[str, float, float | None]], batch: int, ready,
         results) -> None:
    """Publishes each phase (name, seconds, rate or None for flat out); sends (phase, published, seconds)."""
    from shared.bus import EventBus
    from shared.domain.marketdata import Quote
    from market_data_service.health import FeedStats
    from market_data_service.publisher import MarketDataPublisher

    bus = EventBus.from_url(redis_url, "", retries=0)
    publisher = MarketDataPublisher(bus, FeedStats("bench"))
    bid, size = Decimal("64000.10"), Decimal("1.25")
    ready.acquire()
    for name, seconds, rate in plan:
        bus.publish(CONTROL, f"start:{name}")
        time.sleep(0.2)
        published, started = 0, time.perf_counter()
        deadline = started + seconds
        while True:
            now = time.perf_counter()
            if now >= deadline:
                break
            if rate is not None:
                due = started + published / rate
                if now < due:
                    time.sleep(due - now)
            receive = time.time_ns()
            quotes = [Quote("bench", symbols[(published + i) % len(symbols)], bid + (published + i) % 100 / Decimal(100),
                            size, bid + 1, size, receive // 1_000_000 * 1_000_000, receive) for i in range(batch)]
            publisher.publish(quotes)
            published += batch
        elapsed = time.perf_counter() - started
        bus.publish(CONTROL, f"end:{name}")
        results.put((name, published, elapsed))
        time.sleep(1.0)
    bus.publish(CONTROL, "quit:")
    bus.close()


def percentile(sorted_values: list[int], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


TARGET_RATE = 20_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=20000.0)
    parser.add_argument("--symbols", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--redis-url", help="an existing Redis (default: a private embedded one)")
    args = parser.parse_args(argv)

    from urllib.parse import urlparse

    from shared.embedded_redis import EmbeddedRedis

    server = None
    url = args.redis_url
    if not url:
        server = EmbeddedRedis().start()
        url = server.url
    parsed = urlparse(url)
    symbols = [f"SYM{i:03d}USDT" for i in range(args.symbols)]
    channels = [f"md.quote.bench.{s}" for s in symbols]
    plan = [("max", args.seconds, None), (f"paced-{int(args.rate)}", args.seconds, args.rate)]
    context = multiprocessing.get_context("spawn")
    ready = context.Semaphore(0)
    sub_results, feed_results = context.Queue(), context.Queue()
    subs = [context.Process(target=subscriber, args=(parsed.hostname, parsed.port or 6379, channels, ready, sub_results))
            for _ in range(args.subscribers)]
    for process in subs:
        process.start()
    for _ in subs:
        ready.acquire()
    time.sleep(0.5)  # the SUBSCRIBE commands are on their way; let Redis register them
    for _ in subs:
        ready.release()
    publisher = context.Process(target=feed, args=(url, symbols, plan, args.batch, ready, feed_results))
    # The feed waits for one permit only: the subscribers hold the rest.
    for _ in range(args.subscribers - 1):
        ready.acquire()
    publisher.start()
    try:
        print(f"{args.subscribers} subscribers, {args.symbols} channels, batches of {args.batch}, "
              f"{args.seconds:.0f} s per phase, Redis {url}")
        top_rate = 0.0
        for name, _, rate in plan:
            _, published, elapsed = feed_results.get(timeout=args.seconds + 60)
            received = [sub_results.get(timeout=60) for _ in subs]
            assert all(r[0] == name for r in received)
            latencies = sorted(v for r in received for v in r[2])
            per_sub = [r[1] / elapsed for r in received]
            losses = [published - r[1] for r in received]
            print(f"\n[{name}] published {published} quotes in {elapsed:.2f} s = {published / elapsed:,.0f} quotes/s")
            print(f"  received per subscriber: min {min(per_sub):,.0f}/s, mean {statistics.mean(per_sub):,.0f}/s, "
                  f"max {max(per_sub):,.0f}/s; total fan-out {sum(r[1] for r in received) / elapsed:,.0f} msgs/s")
            print(f"  loss per subscriber: {losses} (total {sum(losses)})")
            print(f"  publish-to-receive latency: p50 {percentile(latencies, 0.5) / 1e6:.2f} ms, "
                  f"p99 {percentile(latencies, 0.99) / 1e6:.2f} ms, max {latencies[-1] / 1e6 if latencies else 0:.2f} ms")
            if rate is None:
                top_rate = published / elapsed
            else:
                # The pacing sleeps between batches, so a paced phase lands within 1% of its rate.
                met = published / elapsed >= TARGET_RATE * 0.99 and rate >= TARGET_RATE and sum(losses) == 0
                print(f"  target: >= {TARGET_RATE:,} quotes/s published with zero loss (flat out {top_rate:,.0f}/s, "
                      f"paced {published / elapsed:,.0f}/s, loss {sum(losses)}): {'PASS' if met else 'FAIL'}")
    finally:
        publisher.join(30)
        for process in subs:
            process.join(5)
            if process.is_alive():
                process.terminate()
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
