"""Order entry throughput and latency through the running stack, against a bare Flask floor.

    python -m bench.order_entry [--clients 8] [--requests 2000] [--warmup 25] [--processes 2]

Starts the stack as `trading-system up` does (embedded Redis unless REDIS_URL is set, the exchange
simulator, the order service with 2 gthread workers and its worker process) on free ports in a temp
directory, and beside it a bare Flask POST endpoint under gunicorn with the very same settings. Both get
the same closed-loop load: C keep-alive clients, each sending its next request when the last one is
answered. Every order is a LIMIT BUY of BTCUSDT at half the bid, so it rests at the simulator and
must come back 201 NEW. Prints requests/s and p50/p99 latency for each and the ratio of the two.

The simulator is started with its Binance order-rate limits lifted through its SIM_BINANCE_* settings
(100 orders per 10 s would otherwise cap the measurement at 10 orders/s); everything else is the stack as
deployed. DATABASE_URL and REDIS_URL, when set, point the stack at an external PostgreSQL and Redis.
"""
from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from order_service.server import gunicorn_argv  # noqa: E402
from shared.embedded_redis import free_port  # noqa: E402
from shared.settings import SIM_BINANCE_KEY, Settings  # noqa: E402
from trading_system.processes import ManagedProcess  # noqa: E402
from trading_system.stack import Stack  # noqa: E402

TARGET_RATIO = Decimal("0.40")
SYMBOL = "BTCUSDT"
ORDERS_PATH = "/api/v1/orders"
ORDER_APP = "order_service.wsgi:build()"
BARE_APP = "bench.bare_app:build()"
# Far below the market so nothing fills while the measurement runs.
PRICE_FRACTION = Decimal("0.5")
NOTIONAL_HEADROOM = Decimal("1.5")
# Binance's order-rate limits, lifted high enough never to trip during a run (see stack_environ).
UNTHROTTLED = str(10**9)
CLIENT_TIMEOUT = 600.0


# -- what gets sent -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderTemplate:
    price: Decimal
    quantity: Decimal

    @property
    def notional(self) -> Decimal:
        return self.price * self.quantity

    def body(self, client_order_id: str) -> bytes:
        return json.dumps({"venue": "binance", "symbol": SYMBOL, "side": "BUY", "type": "LIMIT",
                           "time_in_force": "GTC", "quantity": str(self.quantity), "price": str(self.price),
                           "client_order_id": client_order_id}).encode()


def resting_order(http: requests.Session, sim_url: str) -> OrderTemplate:
    """A LIMIT BUY at half the bid, tick-rounded, sized just above the minimum notional."""
    info = http.get(f"{sim_url}/binance/api/v3/exchangeInfo", params={"symbol": SYMBOL}, timeout=10)
    info.raise_for_status()
    filters = {f["filterType"]: f for f in info.json()["symbols"][0]["filters"]}
    tick = Decimal(filters["PRICE_FILTER"]["tickSize"]).normalize()
    step = Decimal(filters["LOT_SIZE"]["stepSize"]).normalize()
    min_qty = Decimal(filters["LOT_SIZE"]["minQty"])
    min_notional = Decimal((filters.get("NOTIONAL") or filters.get("MIN_NOTIONAL"))["minNotional"])
    book = http.get(f"{sim_url}/binance/api/v3/ticker/bookTicker", params={"symbol": SYMBOL}, timeout=10)
    book.raise_for_status()
    bid = Decimal(book.json()["bidPrice"])
    price = (bid * PRICE_FRACTION / tick).to_integral_value(ROUND_DOWN) * tick
    quantity = max(min_qty, (min_notional * NOTIONAL_HEADROOM / price / step).to_integral_value(ROUND_UP) * step)
    return OrderTemplate(price, quantity)


def fund(http: requests.Session, sim_url: str, template: OrderTemplate, orders: int) -> None:
    """Deposit enough USDT that every resting order is accepted (each locks its notional)."""
    amount = (template.notional * orders * 2).to_integral_value(ROUND_UP)
    response = http.post(f"{sim_url}/admin/accounts/{SIM_BINANCE_KEY}/deposit",
                         json={"asset": "USDT", "amount": str(amount)}, timeout=10)
    response.raise_for_status()


# -- closed-loop load -----------------------------------------------------------------------------------

@dataclass
class ClientResult:
    latencies_ns: list[int] = field(default_factory=list)
    started_ns: int = 0
    finished_ns: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    host: str
    port: int
    path: str
    tag: str             # makes client order ids unique across targets and runs
    warmup: int
    expect_new: bool     # order responses must say status NEW; the bare endpoint only 201


def _run_client(job: Job, client: int, count: int, template: OrderTemplate, barrier, result: ClientResult) -> None:
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    conn = http.client.HTTPConnection(job.host, job.port, timeout=60)
    bodies = [template.body(f"{job.tag}-{client}-{i}") for i in range(job.warmup + count)]
    answers: list[tuple[int, bytes]] = []
    try:
        for i in range(job.warmup):
            conn.request("POST", job.path, bodies[i], headers)
            response = conn.getresponse()
            answers.append((response.status, response.read()))
        barrier.wait()
        clock = time.perf_counter_ns
        latencies = result.latencies_ns
        result.started_ns = clock()
        for i in range(job.warmup, job.warmup + count):
            sent = clock()
            conn.request("POST", job.path, bodies[i], headers)
            response = conn.getresponse()
            body = response.read()
            latencies.append(clock() - sent)
            answers.append((response.status, body))
        result.finished_ns = clock()
    except Exception as error:  # counted and reported: one broken client must not hide the others' figures
        result.errors.append(f"client {client}: {type(error).__name__}: {error}")
        barrier.abort()
    finally:
        conn.close()
    # Checked after the clock stops so that the client's JSON parsing does not slow the measured loop.
    for status, body in answers:
        problem = _check(status, body, job.expect_new)
        if problem:
            result.errors.append(problem)


def _check(status: int, body: bytes, expect_new: bool) -> str | None:
    if status != 201:
        return f"HTTP {status}: {body[:300]!r}"
    if expect_new:
        try:
            order_status = json.loads(body).get("status")
        except ValueError:
            return f"HTTP 201 with a body that is not JSON: {body[:300]!r}"
        if order_status != "NEW":
            return f"HTTP 201 but status {order_status}: {body[:300]!r}"
    return None


def _client_process(job: Job, counts: dict[int, int], template: OrderTemplate, barrier, results) -> None:
    import threading

    # The parent handles Ctrl-C and ends this process; a plain SIGTERM ends it quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    outcome = {client: ClientResult() for client in counts}
    threads = [threading.Thread(target=_run_client, args=(job, c, n, template, barrier, outcome[c]))
               for c, n in counts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put([dataclasses.asdict(r) for r in outcome.values()])


@dataclass(frozen=True)
class Measurement:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: list[str]
    warmups: int = 0
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")

    def line(self) -> str:
        return (f"{self.name:<14} {self.requests:>6} req in {self.seconds:6.2f} s  {self.per_second:8.1f} req/s  "
                f"p50 {self.percentile(0.50):7.2f} ms  p99 {self.percentile(0.99):7.2f} ms  "
                f"mean {statistics.fmean(self.latencies_ms) if self.latencies_ms else float('nan'):7.2f} ms")

    def cpu_line(self) -> str:
        """CPU milliseconds per request by process, over the whole drive (warm-up included)."""
        sent = self.requests + self.warmups
        if not self.cpu_seconds or not sent:
            return ""
        parts = [f"{name} {1000 * seconds / sent:.2f}" for name, seconds in self.cpu_seconds.items()
                 if seconds > 0 and name != "whole machine"]
        machine = self.cpu_seconds.get("whole machine", 0.0)
        return (f"{'':<14} CPU ms/request: {', '.join(parts)}; whole machine "
                f"{1000 * machine / sent:.2f} ({machine / self.wall_seconds:.2f} of {os.cpu_count()} cores busy)")


def drive(name: str, base_url: str, template: OrderTemplate, *, clients: int, processes: int, total: int,
          warmup: int, expect_new: bool, children: list, roots: dict[int, str]) -> Measurement:
    """`total` requests from `clients` keep-alive connections spread over `processes` client processes."""
    url = urlparse(base_url)
    per_client = [total // clients + (1 if c < total % clients else 0) for c in range(clients)]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients)
    results = context.Queue()
    groups = [list(range(clients))[p::processes] for p in range(min(processes, clients))]
    started = []
    before, began = CpuSnapshot.take(roots), time.monotonic()
    job = Job(url.hostname, url.port, ORDERS_PATH, f"{name[:2]}{uuid.uuid4().hex[:8]}", warmup, expect_new)
    for group in groups:
        counts = {c: per_client[c] for c in group}
        process = context.Process(target=_client_process, args=(job, counts, template, barrier, results),
                                  daemon=True)
        process.start()
        children.append(process)
        started.append(process)
    collected: list[dict] = []
    for _ in started:
        collected.extend(results.get(timeout=CLIENT_TIMEOUT))
    for process in started:
        process.join()
        children.remove(process)
    cpu = CpuSnapshot.take(roots).since(before)
    wall = time.monotonic() - began
    latencies = [ns / 1e6 for r in collected for ns in r["latencies_ns"]]
    errors = [e for r in collected for e in r["errors"]]
    finished = [r for r in collected if r["finished_ns"]]
    seconds = ((max(r["finished_ns"] for r in finished) - min(r["started_ns"] for r in finished)) / 1e9
               if finished else 0.0)
    return Measurement(name, len(latencies), seconds, latencies, errors, warmup * clients, cpu, wall)


# -- where the CPU went ----------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: str) -> tuple[int, int] | None:
    """(parent pid, user+system ticks) of a live process, from /proc (Linux only)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # the command name may hold spaces
    return int(fields[1]), int(fields[11]) + int(fields[12])


def cpu_by_process(roots: dict[int, str]) -> dict[str, float]:
    """CPU seconds used so far by each named process and its descendants (gunicorn workers)."""
    stats = {int(pid): stat for pid in os.listdir("/proc") if pid.isdigit() and (stat := _proc_stat(pid))}
    used = dict.fromkeys(roots.values(), 0.0)
    for pid, (_, ticks) in stats.items():
        ancestor = pid
        while ancestor not in roots and ancestor in stats and ancestor > 1:
            ancestor = stats[ancestor][0]
        if ancestor in roots:
            used[roots[ancestor]] += ticks / CLOCK_TICKS
    return used


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used, whoever started it."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


@dataclass(frozen=True)
class CpuSnapshot:
    processes: dict[str, float]
    clients: float
    machine: float

    @classmethod
    def take(cls, roots: dict[int, str]) -> "CpuSnapshot":
        times = os.times()
        return cls(cpu_by_process(roots), times.children_user + times.children_system, machine_busy_seconds())

    def since(self, before: "CpuSnapshot") -> dict[str, float]:
        used = {name: self.processes[name] - before.processes.get(name, 0.0) for name in self.processes}
        used["load clients"] = self.clients - before.clients
        used["whole machine"] = self.machine - before.machine
        return used


# -- the servers ----------------------------------------------------------------------------------------

def stack_environ(var_dir: Path, log_level: str) -> dict[str, str]:
    environ = {
        "ENV": "SIM", "SIM_URL": f"http://127.0.0.1:{free_port()}", "ORDER_SERVICE_PORT": str(free_port()),
        "VAR_DIR": str(var_dir), "BUS_PREFIX": f"bench-{uuid.uuid4().hex[:8]}:",
        "ORDER_SERVICE_WORKERS": "2", "LOG_LEVEL": log_level,
        # The real limit of 100 orders per 10 s would cap the measurement at 10 orders/s.
        "SIM_BINANCE_ORDERS_PER_10S": UNTHROTTLED, "SIM_BINANCE_ORDERS_PER_DAY": UNTHROTTLED,
        "SIM_BINANCE_WEIGHT_PER_MINUTE": UNTHROTTLED,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    for name in ("REDIS_URL", "DATABASE_URL"):  # an external Redis or PostgreSQL instead of the embedded ones
        if os.environ.get(name):
            environ[name] = os.environ[name]
    return environ


def bare_server(settings: Settings, environ: dict[str, str], var_dir: Path) -> tuple[ManagedProcess, str]:
    """The bare app under gunicorn with the order service's argv, only the application swapped."""
    port = free_port()
    argv = gunicorn_argv(settings, bind=f"127.0.0.1:{port}")
    if argv[-1] != ORDER_APP:
        raise RuntimeError(f"gunicorn_argv no longer ends with {ORDER_APP!r}: {argv}")
    argv = [sys.executable, "-m", "gunicorn", *argv[1:-1], BARE_APP]
    process = ManagedProcess("bare_app", argv, {**os.environ, **environ}, f"http://127.0.0.1:{port}/healthz",
                             log_path=var_dir / "logs" / "bare_app.log")
    process.start()
    process.wait_healthy()
    return process, f"http://127.0.0.1:{port}"


# -- the run --------------------------------------------------------------------------------------------

def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.order_entry", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients (default 8)")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per target (default 2000)")
    parser.add_argument("--warmup", type=int, default=25, help="warm-up requests per client (default 25)")
    parser.add_argument("--processes", type=int, default=2,
                        help="client processes sharing the clients (default 2; the client shares the CPUs)")
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"),
                        help="LOG_LEVEL of the stack (default: $LOG_LEVEL or INFO)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, orders.db) afterwards")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < args.clients or args.warmup < 1 or args.processes < 1:
        parser.error("need --clients >= 1, --requests >= --clients, --warmup >= 1 and --processes >= 1")
    return args


def run(args: argparse.Namespace) -> int:
    var_dir = Path(tempfile.mkdtemp(prefix="bench-order-entry-"))
    environ = stack_environ(var_dir, args.log_level.upper())
    settings = Settings.from_env(environ, dotenv_path=None)
    stack: Stack | None = None
    bare: ManagedProcess | None = None
    children: list = []
    try:
        print(f"starting the stack in {var_dir} (workers {settings.order_service_workers}, "
              f"threads {settings.order_service_threads}, LOG_LEVEL {settings.log_level}) ...", flush=True)
        stack = Stack(settings, environ={**os.environ, **environ}).start()
        bare, bare_url = bare_server(settings, environ, var_dir)
        http = requests.Session()
        template = resting_order(http, settings.simulator_url)
        orders = args.requests + args.clients * (args.warmup + 1)
        fund(http, settings.simulator_url, template, orders)
        print(f"redis {stack.redis_url}{' (embedded)' if stack.redis else ''}; database "
              f"{settings.effective_database_url.split('@')[-1]}", flush=True)
        print(f"orders: LIMIT BUY {template.quantity} {SYMBOL} @ {template.price} (notional {template.notional}); "
              f"{args.clients} clients in {min(args.processes, args.clients)} processes, "
              f"{args.warmup} warm-up each, then {args.requests} measured per target", flush=True)
        roots = {p.process.pid: p.name for p in stack.processes}
        roots[bare.process.pid] = bare.name
        if stack.redis is not None:
            roots.update({pid: "redis" for pid in _children_named(os.getpid(), "redis-server")})
        common = dict(clients=args.clients, processes=args.processes, total=args.requests, warmup=args.warmup,
                      children=children, roots=roots)
        order = drive("order entry", settings.order_service_url, template, expect_new=True, **common)
        bare_run = drive("bare endpoint", bare_url, template, expect_new=False, **common)
    except Exception:
        args.keep = True  # the logs there say why
        raise
    finally:
        for child in children:
            child.terminate()
        if bare is not None:
            bare.stop()
        if stack is not None:
            stack.stop()
        if args.keep:
            print(f"kept {var_dir}", flush=True)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
    return report(order, bare_run)


def _children_named(parent: int, command: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        stat = _proc_stat(pid)
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if stat and stat[0] == parent and name == command:
            found.append(int(pid))
    return found


def report(order: Measurement, bare: Measurement) -> int:
    for measurement in (order, bare):
        print(measurement.line())
        if cpu := measurement.cpu_line():
            print(cpu)
    failed = False
    for measurement in (order, bare):
        if measurement.errors:
            failed = True
            print(f"{measurement.name}: {len(measurement.errors)} bad responses, first ones:", file=sys.stderr)
            for error in measurement.errors[:5]:
                print(f"  {error}", file=sys.stderr)
    if failed:
        return 1
    ratio = Decimal(str(order.per_second / bare.per_second)) if bare.per_second else Decimal(0)
    print(f"ratio orders/s / bare req/s = {ratio:.3f}")
    print(f"target ratio >= {TARGET_RATIO}: {'PASS' if ratio >= TARGET_RATIO else 'FAIL'}")
    return 0


def _terminate(signum, frame):
    raise KeyboardInterrupt  # unwinds through run()'s clean-up like Ctrl-C


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("interrupted; everything stopped", file=sys.stderr)
        return 130
    except (RuntimeError, OSError, requests.RequestException) as error:
        print(f"order entry benchmark failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
