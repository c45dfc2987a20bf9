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
from exchange_simulator.engine.gc_tuning import GEN0_THRESHOLD, tune_for_engine  # noqa: E402

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


def prefill_book(engine: Engine, prefill: list[tuple]) -> list[tuple[str, int]]:
    """Rest the prefill orders; returns (account, order id) of each, the pool cancels draw from."""
    submit, limit = engine.submit, OrderType.LIMIT
    return [
        (account, submit(account, SYMBOL, side, limit, quantity=qty, price=price).order.order_id)
        for _, account, side, price, qty in prefill
    ]


def run(engine: Engine, live: list[tuple[str, int]], operations: list[tuple], timed: bool) -> tuple:
    """Play the operations; with `timed`, also record each one's latency (which costs a little throughput)."""
    submit, cancel = engine.submit, engine.cancel
    limit, market, ioc = OrderType.LIMIT, OrderType.MARKET, TimeInForce.IOC
    latencies: dict[str, list[int]] = {"passive": [], "cancel": [], "market": [], "ioc": []}
    unknown = done = 0
    clock = time.perf_counter_ns
    t0 = 0
    cpu_started = time.process_time()
    started = clock()
    for op in operations:
        kind = op[0]
        if kind == "cancel":
            if not live:
                continue
            # Passive orders are cancelled in random order; some were filled meanwhile (UnknownOrder).
            index = int(op[1] * len(live))
            live[index], live[-1] = live[-1], live[index]
            account, order_id = live.pop()
            if timed:
                t0 = clock()
            try:
                cancel(account, SYMBOL, order_id=order_id)
            except UnknownOrder:
                unknown += 1
        else:
            _, account, side, price, qty = op
            if timed:
                t0 = clock()
            if kind == "passive":
                live.append((account, submit(account, SYMBOL, side, limit, quantity=qty, price=price).order.order_id))
            elif kind == "market":
                submit(account, SYMBOL, side, market, quantity=qty)
            else:
                submit(account, SYMBOL, side, limit, quantity=qty, price=price, time_in_force=ioc)
        if timed:
            latencies[kind].append(clock() - t0)
        done += 1
    elapsed = (clock() - started) / 1e9
    cpu = time.process_time() - cpu_started
    return done, elapsed, cpu, latencies, unknown


def percentile(values: list[int], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--subscriber", action="store_true", help="attach an event listener, as the simulator does")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of the run")
    parser.add_argument("--default-gc", action="store_true",
                        help="keep CPython's default collector settings instead of the simulator's")
    args = parser.parse_args(argv)

    prefill, operations = workload(args.ops, args.seed)
    events = 0

    def count(_event) -> None:
        nonlocal events
        events += 1

    def fresh_engine() -> tuple[Engine, list[tuple[str, int]]]:
        engine = build_engine()
        if args.subscriber:
            engine.subscribe(count)
        return engine, prefill_book(engine, prefill)

    # Throughput pass: nothing but the engine calls in the loop.
    engine, live = fresh_engine()
    if not args.default_gc:
        tune_for_engine()  # as the simulator does once it has started
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    done, elapsed, cpu, _, unknown = run(engine, live, operations, timed=False)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    rate = done / elapsed
    bids, asks = engine.depth(SYMBOL, limit=1_000_000)

    # Latency pass: the same workload on a fresh engine, each call timed.
    engine, live = fresh_engine()
    _, _, _, latencies, _ = run(engine, live, operations, timed=True)

    listener = f"with a subscriber ({events} events)" if args.subscriber else "no subscriber"
    collector = "default GC" if args.default_gc else f"GC as the simulator runs it (gen0 {GEN0_THRESHOLD:,})"
    print(f"matching engine: {done} ops in {elapsed:.2f} s = {rate:,.0f} ops/s (seed {args.seed}, one core, {listener}, "
          f"{collector})")
    # On a shared machine the wall clock also counts time the process waited for a core.
    print(f"cpu time {cpu:.2f} s = {done / cpu:,.0f} ops/s of engine CPU")
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
