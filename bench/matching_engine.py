"""Throughput and latency of the matching engine on a seeded mixed workload, in-process on one core.

    python bench/matching_engine.py [--ops N] [--seed S] [--subscriber] [--profile]

The book starts with resting liquidity on both sides; then 60 % passive limit orders, 25 % cancels and
15 % marketable orders (half MARKET, half crossing IOC limits). Prints ops/s and p50/p99 latency per
operation type in microseconds.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exchange_simulator.engine import (  # noqa: E402
    Engine,
    OrderType,
    SymbolSpec,
    Side,
    TimeInForce,
    UnknownOrder,
)

TARGET_OPS_PER_SECOND = 100_000
SYMBOL = "BTCUSDT"
CENTER_TICKS = 6_500_000  # 65,000.00 in ticks of 0.01
ACCOUNTS = [f"trader{i}" for i in range(16)]
TICK = Decimal("0.01")
STEP = Decimal("0.00001")


def build_engine() -> Engine:
    spec = SymbolSpec(
        symbol=SYMBOL, base_asset="BTC", quote_asset="USDT",
        tick_size=TICK, step_size=STEP, min_qty=STEP, max_qty=Decimal("9000"),
        min_price=TICK, max_price=Decimal("1000000"), min_notional=Decimal("5"),
    )
    engine = Engine([spec], time.time_ns, id_seed=1)
    for account in ACCOUNTS:
        engine.deposit(account, "USDT", Decimal("100000000000"))
        engine.deposit(account, "BTC", Decimal("1000000"))
    return engine


def passive_order(rng: random.Random) -> tuple:
    side = Side.BUY if rng.random() < 0.5 else Side.SELL
    offset = rng.randint(1, 5000)  # up to 50 USDT away from the centre, never crossing it
    ticks = CENTER_TICKS - offset if side is Side.BUY else CENTER_TICKS + offset
    return ("passive", rng.choice(ACCOUNTS), side, Decimal(ticks) * TICK, Decimal(rng.randint(100, 10_000)) * STEP)


def marketable_order(rng: random.Random) -> tuple:
    side = Side.BUY if rng.random() < 0.5 else Side.SELL
    qty = Decimal(rng.randint(100, 5_000)) * STEP
    if rng.random() < 0.5:
        return ("market", rng.choice(ACCOUNTS), side, None, qty)
    through = rng.randint(1, 2000)
    ticks = CENTER_TICKS + through if side is Side.BUY else CENTER_TICKS - through
    return ("ioc", rng.choice(ACCOUNTS), side, Decimal(ticks) * TICK, qty)


def workload(ops: int, seed: int) -> tuple[list[tuple], list[tuple]]:
    """(prefill orders, operations); generated ahead so the timing covers only the engine."""
    rng = random.Random(seed)
    prefill = [passive_order(rng) for _ in range(5_000)]
    operations = []
    for _ in range(ops):
        draw = rng.random()
        if draw < 0.60:
            operations.append(passive_order(rng))
        elif draw < 0.85:
            operations.append(("cancel", rng.random()))
        else:
            operations.append(marketable_order(rng))
    return prefill, operations


def run(engine: Engine, prefill: list[tuple], operations: list[tuple]) -> tuple[float, dict[str, list[int]], int]:
    submit, cancel = engine.submit, engine.cancel
    limit, market, ioc = OrderType.LIMIT, OrderType.MARKET, TimeInForce.IOC
    live: list[tuple[str, int]] = []  # (account, order id) of passive orders, some since filled
    for _, account, side, price, qty in prefill:
        live.append((account, submit(account, SYMBOL, side, limit, quantity=qty, price=price).order.order_id))

    latencies: dict[str, list[int]] = {"passive": [], "cancel": [], "market": [], "ioc": []}
    unknown = 0
    clock = time.perf_counter_ns
    started = clock()
    for op in operations:
        kind = op[0]
        if kind == "cancel":
            if not live:
                continue
            index = int(op[1] * len(live))
            live[index], live[-1] = live[-1], live[index]
            account, order_id = live.pop()
            t0 = clock()
            try:
                cancel(account, SYMBOL, order_id=order_id)
            except UnknownOrder:  # filled by a marketable order in the meantime
                unknown += 1
            latencies["cancel"].append(clock() - t0)
            continue
        _, account, side, price, qty = op
        t0 = clock()
        if kind == "passive":
            result = submit(account, SYMBOL, side, limit, quantity=qty, price=price)
        elif kind == "market":
            result = submit(account, SYMBOL, side, market, quantity=qty)
        else:
            result = submit(account, SYMBOL, side, limit, quantity=qty, price=price, time_in_force=ioc)
        latencies[kind].append(clock() - t0)
        if kind == "passive":
            live.append((account, result.order.order_id))
    elapsed = (clock() - started) / 1e9
    return elapsed, latencies, unknown


def percentile(values: list[int], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--subscriber", action="store_true", help="attach an event listener, as the simulator does")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of the run")
    args = parser.parse_args(argv)

    engine = build_engine()
    events = 0
    if args.subscriber:
        def count(_event) -> None:
            nonlocal events
            events += 1
        engine.subscribe(count)
    prefill, operations = workload(args.ops, args.seed)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    elapsed, latencies, unknown = run(engine, prefill, operations)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)

    done = sum(len(v) for v in latencies.values())
    rate = done / elapsed
    bids, asks = engine.depth(SYMBOL, limit=1_000_000)
    print(f"matching engine: {done} ops in {elapsed:.2f} s = {rate:,.0f} ops/s (seed {args.seed}, one core"
          f"{', with a subscriber: ' + str(events) + ' events' if args.subscriber else ', no subscriber'})")
    print(f"book after the run: {len(bids)} bid levels, {len(asks)} ask levels; "
          f"{unknown} cancels found their order already filled")
    print(f"{'operation':<10}{'count':>9}{'p50 us':>10}{'p99 us':>10}")
    for kind, values in latencies.items():
        if values:
            print(f"{kind:<10}{len(values):>9}{percentile(values, 0.50):>10.1f}{percentile(values, 0.99):>10.1f}")
    print(f"target >= {TARGET_OPS_PER_SECOND} ops/s: {'PASS' if rate >= TARGET_OPS_PER_SECOND else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
