"""The algo supervisor: `python -m algo_service.supervisor [--stop-algos-on-exit]`.

Starts one OS process per algo, notices within a fraction of a second when one exits, records how, cancels
the working orders of an algo that died, and applies its restart policy. It holds a lock in Redis so only
one supervisor acts at a time. On start it finds the algos an earlier supervisor left running (their
processes live on in their own sessions) and adopts them instead of starting them again.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import redis

from shared.bus import EventBus
from shared.client import OrderClient, OrderClientError
from shared.logs import configure_logging
from shared.settings import Settings

from algo_service import processes
from algo_service.model import AlgoRecord, AlgoStatus, RestartPolicy, utc_now
from algo_service.sdk.orders import AlgoOrders
from algo_service.store import AlgoStore

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1
RESCAN_SECONDS = 2.0
LOCK_NAME = "algo-supervisor"
LOCK_TTL = 5.0
HOLDER_KEY = "algo-supervisor:pid"   # which process holds the lock, for operators and start-up checks
EXIT_ALREADY_RUNNING = 3   # see algo_service.runner
LIVE = (AlgoStatus.STARTING, AlgoStatus.RUNNING, AlgoStatus.STOPPING)


@dataclass
class Managed:
    algo_id: str
    pid: int
    process: subprocess.Popen | None   # None: adopted from an earlier supervisor
    log_path: Path
    stop_deadline: float | None = None

    def exit_code(self) -> tuple[bool, int | None]:
        """(exited, code); the code is unknown for an adopted process."""
        if self.process is not None:
            code = self.process.poll()
            return code is not None, code
        return not processes.runner_alive(self.pid, self.algo_id), None


class Supervisor:
    def __init__(self, store: AlgoStore, settings: Settings, *,
                 spawn: Callable[[str, Path], subprocess.Popen] | None = None,
                 orders_for: Callable[[str], AlgoOrders] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.logs_dir = settings.var_dir / "logs" / "algos"
        self.spawn = spawn or (lambda algo_id, path: processes.spawn_runner(algo_id, path))
        self._client = OrderClient(settings.order_service_url, timeout=3.0, retries=0)  # bounded: never stalls a stop
        self.orders_for = orders_for or (lambda algo_id: AlgoOrders(self._client, algo_id))
        self.managed: dict[str, Managed] = {}
        self.stopping = threading.Event()
        self._cleanup = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cleanup")
        self._next_rescan = 0.0

    # -- the loop --------------------------------------------------------------------------------

    def run(self, stop_algos_on_exit: bool = False) -> None:
        lock = self.store.bus.lock(LOCK_NAME, timeout=LOCK_TTL)
        while not lock.acquire(blocking=True, blocking_timeout=1.0):
            if self.stopping.is_set():
                return
            log.info("another supervisor holds the lock; waiting")
        try:
            log.info("supervisor running")
            self.store.bus.set_value(HOLDER_KEY, str(os.getpid()), ttl_seconds=int(LOCK_TTL))
            last_extend = time.monotonic()
            while not self.stopping.is_set():
                self.step()
                if time.monotonic() - last_extend > 1.0:
                    lock.extend(LOCK_TTL, replace_ttl=True)
                    self.store.bus.set_value(HOLDER_KEY, str(os.getpid()), ttl_seconds=int(LOCK_TTL))
                    last_extend = time.monotonic()
            if stop_algos_on_exit:
                self.stop_all()
        finally:
            self._cleanup.shutdown(wait=True)
            try:
                lock.release()
            except redis.exceptions.LockError:
                pass
            log.info("supervisor stopped; %d algos left running", sum(1 for _ in self._alive()))

    def step(self, timeout: float = POLL_SECONDS) -> None:
        now = time.monotonic()
        if now >= self._next_rescan:
            self.rescan()
            self._next_rescan = now + RESCAN_SECONDS
        command = self.store.next_command(timeout)
        if command is not None:
            self.handle(command)
        self.reap()

    def handle(self, command: dict[str, str]) -> None:
        algo_id, op = command.get("algo_id", ""), command.get("op")
        if op == "start":
            self.start(algo_id)
        elif op == "stop":
            self.request_stop(algo_id)

    # -- starting ----------------------------------------------------------------------------------

    def start(self, algo_id: str) -> None:
        record = self.store.get(algo_id)
        if record is None or record.status is not AlgoStatus.STARTING or algo_id in self.managed:
            return
        owner = self.store.owner(algo_id)
        if owner and processes.runner_alive(owner, algo_id):
            self._adopt(algo_id, owner)
            return
        path = self.logs_dir / f"{algo_id}.log"
        process = self.spawn(algo_id, path)
        self.managed[algo_id] = Managed(algo_id, process.pid, process, path)
        self.store.update(algo_id, pid=process.pid)
        log.info("algo %s (%s) started as process %d", algo_id, record.strategy, process.pid)

    def _adopt(self, algo_id: str, pid: int) -> None:
        self.managed[algo_id] = Managed(algo_id, pid, None, self.logs_dir / f"{algo_id}.log")
        log.info("algo %s found running as process %d; adopted", algo_id, pid)

    def rescan(self) -> None:
        """Take charge of every live algo in the store: adopt the running, start the waiting, settle the dead."""
        for record in self.store.list(statuses=LIVE):
            if record.id in self.managed:
                continue
            pid = self.store.owner(record.id) or record.pid
            if pid and processes.runner_alive(pid, record.id):
                self._adopt(record.id, pid)
                if record.status is AlgoStatus.STOPPING:
                    self.request_stop(record.id)
            elif record.status is AlgoStatus.STARTING and self.store.owner(record.id) is None:
                self.start(record.id)  # never started, or its process died before claiming it
            else:
                self._settle(record, None, Path(self.logs_dir / f"{record.id}.log"))

    # -- stopping ----------------------------------------------------------------------------------

    def request_stop(self, algo_id: str) -> None:
        managed = self.managed.get(algo_id)
        if managed is None:
            record = self.store.get(algo_id)
            if record is not None and record.status in (AlgoStatus.STARTING, AlgoStatus.STOPPING) and not (
                    record.pid and processes.runner_alive(record.pid, algo_id)):
                self.store.transition(algo_id, AlgoStatus.STOPPED, allowed_from=LIVE)
            return
        if managed.stop_deadline is None:
            managed.stop_deadline = time.monotonic() + self.settings.algo_stop_timeout
            processes.send(managed.pid, signal.SIGTERM)
            log.info("algo %s: stop requested (SIGTERM to %d)", algo_id, managed.pid)

    def stop_all(self) -> None:
        for algo_id in list(self.managed):
            if self.store.transition(algo_id, AlgoStatus.STOPPING, allowed_from=(AlgoStatus.STARTING,
                                                                                 AlgoStatus.RUNNING)):
                pass
            self.request_stop(algo_id)
        deadline = time.monotonic() + self.settings.algo_stop_timeout + 1
        while self.managed and time.monotonic() < deadline:
            self.reap()
            time.sleep(POLL_SECONDS)

    # -- exits ---------------------------------------------------------------------------------------

    def reap(self) -> None:
        now = time.monotonic()
        for algo_id, managed in list(self.managed.items()):
            exited, code = managed.exit_code()
            if not exited:
                if managed.stop_deadline is not None and now > managed.stop_deadline:
                    log.warning("algo %s did not stop within %.0f s; killing it", algo_id,
                                self.settings.algo_stop_timeout)
                    processes.send(managed.pid, signal.SIGKILL)
                    managed.stop_deadline = float("inf")
                continue
            del self.managed[algo_id]
            owner = self.store.owner(algo_id)
            if code == EXIT_ALREADY_RUNNING and owner and processes.runner_alive(owner, algo_id):
                self._adopt(algo_id, owner)  # a duplicate start lost the claim to the live process: keep that one
                continue
            record = self.store.get(algo_id)
            if record is not None:
                self._settle(record, code, managed.log_path, forced=managed.stop_deadline == float("inf"))

    def _settle(self, record: AlgoRecord, code: int | None, log_path: Path, forced: bool = False) -> None:
        """Record how an algo's process ended and apply its restart policy."""
        algo_id = record.id
        owner = self.store.owner(algo_id)
        if owner is not None and not processes.runner_alive(owner, algo_id):
            self.store.release(algo_id)
        if record.status in (AlgoStatus.STOPPED, AlgoStatus.FINISHED):
            self.store.update(algo_id, exit_code=code)
            return
        if record.status is AlgoStatus.STOPPING:
            reason = "stopped by force after the timeout" if forced else None
            if self.store.transition(algo_id, AlgoStatus.STOPPED, allowed_from=(AlgoStatus.STOPPING,),
                                     exit_code=code, last_error=reason):
                self._cancel_orders(algo_id)
            return
        if record.status is AlgoStatus.FAILED:
            self.store.update(algo_id, exit_code=code)
            error = record.last_error or processes.describe_exit(code)
        else:
            tail = processes.log_tail(log_path)
            error = processes.describe_exit(code)
            self.store.append_logs(algo_id, [f"{utc_now()} ERROR supervisor: {error}", *tail[-10:]])
            self.store.transition(algo_id, AlgoStatus.FAILED, allowed_from=LIVE, exit_code=code, last_error=error)
            log.error("algo %s failed: %s", algo_id, error)
            self._cancel_orders(algo_id)
        if record.restart_policy is RestartPolicy.ON_FAILURE and record.restarts < record.max_restarts:
            if self.store.transition(algo_id, AlgoStatus.STARTING, allowed_from=(AlgoStatus.FAILED,),
                                     restarts=record.restarts + 1, last_error=error):
                self.store.update(algo_id, pid=None, exit_code=None)
                log.info("algo %s restarting (%d of %d)", algo_id, record.restarts + 1, record.max_restarts)
                self.start(algo_id)

    def _cancel_orders(self, algo_id: str) -> None:
        def cancel() -> None:
            try:
                canceled = self.orders_for(algo_id).cancel_all()
            except OrderClientError as error:
                log.error("working orders of algo %s could not be canceled: %s", algo_id, error)
                self.store.append_logs(algo_id, [f"{utc_now()} ERROR supervisor: working orders not canceled: {error}"])
                return
            if canceled:
                self.store.append_logs(algo_id, [f"{utc_now()} INFO supervisor: {canceled} working orders canceled"])

        self._cleanup.submit(cancel)

    def _alive(self):
        return (m for m in self.managed.values() if not m.exit_code()[0])


def supervising(bus: EventBus, pid: int) -> bool:
    """Whether the supervisor process `pid` holds the lock and is in charge of the algos."""
    return bus.get_value(HOLDER_KEY) == str(pid)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m algo_service.supervisor", description=__doc__.splitlines()[0])
    parser.add_argument("--stop-algos-on-exit", action="store_true",
                        help="stop every algo gracefully when the supervisor stops (default: leave them running)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging("algo_supervisor", settings.log_level, settings.log_json, settings.secrets())
    if not settings.redis_url:
        raise SystemExit("REDIS_URL is required: algo state lives in Redis")
    supervisor = Supervisor(AlgoStore(EventBus.from_url(settings.redis_url, settings.bus_prefix)), settings)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: supervisor.stopping.set())
    supervisor.run(stop_algos_on_exit=args.stop_algos_on_exit)


if __name__ == "__main__":
    main()
