"""The order service's worker process: venue execution streams, reconciliation and the outbox relay."""
from __future__ import annotations

import logging
import threading
import time

import redis

from shared.logs import configure_logging
from shared.signals import stop_on_signals
from shared.settings import Settings

from order_service import heartbeat
from order_service.app import build_service
from order_service.reconciler import Reconciler
from order_service.service import OrderService

log = logging.getLogger(__name__)

RELAY_INTERVAL = 0.25


class Worker:
    def __init__(self, service: OrderService, reconcile_interval: float) -> None:
        self.service = service
        self.reconciler = Reconciler(service)
        self.reconcile_interval = reconcile_interval
        self.stopping = threading.Event()
        self._threads: list[threading.Thread] = []

        self.streams: dict[str, str] = {}
        self._reconcile_now = threading.Event()

    def start(self) -> "Worker":
        for venue, adapter in self.service.venues.adapters().items():
            self.streams[venue] = "connecting"

            def on_report(report, venue=venue):
                self.service.apply_report(venue, report)

            def on_connected(venue=venue):
                # Whatever happened while the stream was down is recovered by a full reconciliation.
                self.streams[venue] = "connected"
                self._reconcile_now.set()

            self._spawn(f"stream-{venue}", adapter.stream_executions, on_report, self.stopping.is_set, on_connected)
        self._spawn("reconciler", self._reconcile_loop)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout)

    def _spawn(self, name: str, target, *args) -> None:
        thread = threading.Thread(target=self._guard, args=(name, target, *args), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _guard(self, name: str, target, *args) -> None:
        """Run a loop; if it dies of a bug, log it and restart it after a pause rather than go silent."""
        while not self.stopping.is_set():
            try:
                target(*args)
                return
            except Exception:
                log.exception("%s failed; restarting in 1 s", name)
                self.stopping.wait(1.0)

    def _reconcile_loop(self) -> None:
        next_full = 0.0
        bus = self.service.publisher.bus
        while not self.stopping.is_set():
            self.service.publisher.drain()
            self.reconciler.pending_pass()
            if time.monotonic() >= next_full or self._reconcile_now.is_set():
                self._reconcile_now.clear()
                self.reconciler.full_pass()
                next_full = time.monotonic() + self.reconcile_interval
            if bus is not None:
                self._beat(bus)
            self.stopping.wait(RELAY_INTERVAL)

    def _beat(self, bus) -> None:
        try:
            heartbeat.beat(bus, self.streams)
        except redis.RedisError:
            pass  # the bus is down: the outbox relay reports it, and the heartbeat resumes with it


def main(settings: Settings | None = None) -> None:
    stopping = threading.Event()
    stop_on_signals(stopping)
    settings = settings or Settings.from_env()
    configure_logging("order_worker", settings.log_level, settings.log_json, settings.secrets())
    worker = Worker(build_service(settings), settings.reconcile_interval)
    worker.stopping = stopping
    worker.start()
    log.info("order worker running", extra={"venues": list(worker.service.venues.adapters())})
    worker.stopping.wait()
    worker.stop()
    worker.service.venues.close()
    log.info("order worker stopped")


if __name__ == "__main__":
    main()
