"""`trading-system up`: Redis (embedded unless REDIS_URL is set), the exchange simulator, the order service
and its worker, the market data feeds and their API, the algo service and its supervisor, each healthy before the next starts, all stopped
cleanly together."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from algo_service.supervisor import supervising
from market_data_service.status import feeds_ready
from order_service.heartbeat import streams_connected
from shared.bus import EventBus
from shared.embedded_redis import EmbeddedRedis
from shared.settings import Settings

from trading_system.processes import ManagedProcess, python_module

log = logging.getLogger(__name__)


class Stack:
    def __init__(self, settings: Settings, environ: dict[str, str] | None = None, quiet: bool = False) -> None:
        self.settings = settings
        self.environ = dict(os.environ if environ is None else environ)
        self.quiet = quiet
        self.redis: EmbeddedRedis | None = None
        self.processes: list[ManagedProcess] = []
        self.stopping = threading.Event()

    @property
    def logs_dir(self) -> Path:
        return self.settings.var_dir / "logs"

    def start(self) -> "Stack":
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        redis_url = self.settings.redis_url
        if not redis_url:
            self.redis = EmbeddedRedis(self.settings.var_dir / "redis").start()
            redis_url = self.redis.url
        env = {**self.environ, "REDIS_URL": redis_url, "ENV": self.settings.env,
               "BUS_PREFIX": self.settings.bus_prefix, "VAR_DIR": str(self.settings.var_dir),
               "DATABASE_URL": self.settings.effective_database_url, "PYTHONUNBUFFERED": "1"}
        self.redis_url = redis_url
        try:
            if self._needs_simulator():
                sim = urlparse(self.settings.simulator_url)
                self._launch(ManagedProcess(
                    "exchange_simulator",
                    python_module("exchange_simulator", "--host", sim.hostname or "127.0.0.1", "--port", str(sim.port or 8100)),
                    env, f"{self.settings.simulator_url}/healthz"))
            metrics_dir = self.settings.var_dir / "metrics" / "order_service"
            shutil.rmtree(metrics_dir, ignore_errors=True)  # counters start afresh with the service
            metrics_dir.mkdir(parents=True)
            self._launch(ManagedProcess(
                "order_service", python_module("order_service"),
                {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir.resolve())},
                f"http://127.0.0.1:{self.settings.order_service_port}/healthz"))
            bus = EventBus.from_url(redis_url, self.settings.bus_prefix)
            try:
                self._launch(ManagedProcess("order_worker", python_module("order_service.worker"), env,
                                            health_check=lambda: streams_connected(bus)))
                self._launch(ManagedProcess("market_data_feeds", python_module("market_data_service.feeds"), env,
                                            health_check=lambda: feeds_ready(bus)))
            finally:
                bus.close()
            self._launch(ManagedProcess(
                "market_data_service", python_module("market_data_service"), env,
                f"http://127.0.0.1:{self.settings.market_data_port}/healthz"))
            self._launch(ManagedProcess(
                "algo_service", python_module("algo_service"), env,
                f"http://127.0.0.1:{self.settings.algo_service_port}/healthz"))
            self.start_algo_supervisor(env)
        except Exception:
            self.stop()
            raise
        return self

    def start_algo_supervisor(self, env: dict[str, str]) -> ManagedProcess:
        """The algo supervisor; launched last so it is stopped first, while the order service can still
        cancel what the algos leave working. On `up`'s stop it stops the algos with it."""
        bus = EventBus.from_url(env["REDIS_URL"], self.settings.bus_prefix)
        supervisor = ManagedProcess("algo_supervisor", python_module("algo_service.supervisor", "--stop-algos-on-exit"),
                                    env)
        supervisor.health_check = lambda: supervising(bus, supervisor.process.pid)
        try:
            self._launch(supervisor)
        finally:
            bus.close()
        return supervisor

    def _needs_simulator(self) -> bool:
        return any(v.is_simulator for v in self.settings.venues.values())

    def _launch(self, process: ManagedProcess) -> None:
        process.log_path = self.logs_dir / f"{process.name}.log"
        process.start()
        self.processes.append(process)
        process.wait_healthy()

    def describe(self) -> str:
        s = self.settings
        lines = [
            "trading-system is up",
            f"  order service   http://127.0.0.1:{s.order_service_port}  (docs: /docs, OpenAPI: /openapi.json)",
            f"  market data     http://127.0.0.1:{s.market_data_port}  (feeds: /api/v1/feeds; "
            f"live: trading-system md tail 'md.*')",
            f"  algo service    http://127.0.0.1:{s.algo_service_port}  (strategies: /api/v1/strategies; "
            f"trading-system algo deploy|list|stop|logs)",
            f"  redis           {self.redis_url}{'  (embedded)' if self.redis else ''}",
            f"  event stream    {s.bus_prefix}orders:events",
            f"  database        {_without_password(s.effective_database_url)}",
        ]
        if self._needs_simulator():
            lines.append(f"  simulator       {s.simulator_url}  (Binance: {s.simulator_url}/binance/api)")
        lines.append(f"  logs            {self.logs_dir}/")
        lines.append("Press Ctrl-C to stop.")
        return "\n".join(lines)

    def wait(self) -> int:
        """Block until a signal or until a child dies; returns the exit code for `up`."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())
        while not self.stopping.is_set():  # not stopping.wait(): the handler sets it on this very thread
            time.sleep(0.5)
            dead = [p for p in self.processes if not p.alive]
            if dead:
                for process in dead:
                    log.error("%s exited with code %s; stopping everything (see %s)",
                              process.name, process.process.returncode, process.log_path)
                return 1
        return 0

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
        if self.redis:
            self.redis.stop()
            self.redis = None


def _without_password(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
