"""One algo's process: `python -m algo_service.runner ALGO_ID` (started by the supervisor, never by hand).

Claims the algo (at most one live process per algo), rebuilds its state from the order service, runs the
strategy until it finishes, fails or is asked to stop (SIGTERM), cancels its working orders, and records
the outcome. Exit codes: 0 stopped or finished, 1 failed, 3 the algo is already running elsewhere.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from decimal import Decimal

from shared.bus import EventBus
from shared.client import OrderClient
from shared.logs import configure_logging
from shared.signals import stop_on_signals
from shared.settings import Settings

from algo_service import logsink
from algo_service.catalog import Catalog
from algo_service.model import AlgoStatus, utc_now
from algo_service.runtime import Outcome, Runtime, stream_position
from algo_service.sdk import AlgoOrders, OrderUpdate, StrategyContext
from algo_service.store import AlgoStore

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_ALREADY_RUNNING = 3
HEARTBEAT_SECONDS = 1.0


class Counters:
    """The algo's counters in its record: orders sent, fills, signed position per venue:symbol."""

    def __init__(self, store: AlgoStore, algo_id: str, position: dict[str, Decimal]) -> None:
        self.store = store
        self.algo_id = algo_id
        self.position = position

    def order_sent(self, order) -> None:
        self.store.incr(self.algo_id, "orders_sent")

    def fill(self, update: OrderUpdate) -> None:
        key = f"{update.order.venue}:{update.order.symbol}"
        signed = update.fill.quantity if update.order.side.value == "BUY" else -update.fill.quantity
        self.position[key] = self.position.get(key, Decimal(0)) + signed
        self.store.incr(self.algo_id, "fills")
        self.store.update(self.algo_id, position={k: format(v, "f") for k, v in self.position.items()})


def run(algo_id: str, settings: Settings, stop: threading.Event) -> int:
    bus = EventBus.from_url(settings.redis_url, settings.bus_prefix)
    store = AlgoStore(bus)
    listener = logsink.attach(store, algo_id)
    pid = os.getpid()
    try:
        if not store.claim(algo_id, pid):
            log.error("algo %s is already running in process %s; this process exits", algo_id, store.owner(algo_id))
            return EXIT_ALREADY_RUNNING
        heartbeat = threading.Thread(target=_keep_claim, args=(store, algo_id, pid, stop), daemon=True,
                                     name="claim")
        heartbeat.start()
        return _run_claimed(algo_id, settings, bus, store, stop)
    finally:
        listener.stop()
        bus.close()


def _run_claimed(algo_id: str, settings: Settings, bus: EventBus, store: AlgoStore, stop: threading.Event) -> int:
    record = store.get(algo_id)
    if record is None:
        log.error("no algo %s", algo_id)
        return EXIT_FAILED
    client = OrderClient(settings.order_service_url, timeout=settings.algo_order_timeout)
    counters = Counters(store, algo_id, {})
    orders = AlgoOrders(client, algo_id, on_sent=counters.order_sent)
    runtime = None
    try:
        spec = Catalog.load(settings.algo_strategies).get(record.strategy)
        params = spec.validate(record.params)
        position = stream_position(bus)   # before the snapshot: nothing after the snapshot can be missed
        restored = orders.all()
        counters.position.update(_positions(restored))
        context = StrategyContext(algo_id, params, orders, settings.hashdex_url, restored)
        strategy = spec.cls(context)
        runtime = Runtime(strategy, bus, stream_from=position, restored=restored, on_fill=counters.fill)
        runtime.start_readers()
        if store.transition(algo_id, AlgoStatus.RUNNING, allowed_from=(AlgoStatus.STARTING,),
                            pid=os.getpid(), started_at=utc_now()) is None:
            log.info("stop requested before the strategy started")
        log.info("strategy %s starting with %d orders restored from the order service", spec.name, len(restored))
        strategy.on_start()
        outcome = runtime.run(stop)
        if outcome is Outcome.STOPPED:
            strategy.on_stop()
        runtime.close()
        canceled = orders.cancel_all()
        status = AlgoStatus.FINISHED if outcome is Outcome.FINISHED else AlgoStatus.STOPPED
        log.info("algo %s (%s); %d working orders canceled", status.value.lower(),
                 strategy.finished_reason or "stop requested", canceled)
        store.transition(algo_id, status, exit_code=0)
        return 0
    except Exception as error:
        log.error("strategy failed:\n%s", traceback.format_exc().rstrip())
        if runtime is not None:
            runtime.close()
        _cancel_quietly(orders)
        store.transition(algo_id, AlgoStatus.FAILED, exit_code=EXIT_FAILED,
                         last_error=f"{type(error).__name__}: {error}"[:2000])
        return EXIT_FAILED
    finally:
        store.release(algo_id)
        client.close()


def _positions(orders) -> dict[str, Decimal]:
    position: dict[str, Decimal] = {}
    for order in orders:
        key = f"{order.venue}:{order.symbol}"
        signed = order.filled_quantity if order.side.value == "BUY" else -order.filled_quantity
        position[key] = position.get(key, Decimal(0)) + signed
    return position


def _cancel_quietly(orders: AlgoOrders) -> None:
    try:
        canceled = orders.cancel_all()
        log.info("%d working orders canceled", canceled)
    except Exception as error:  # the failure is already being reported; the supervisor retries the cancel
        log.error("working orders could not be canceled: %s", error)


def _keep_claim(store: AlgoStore, algo_id: str, pid: int, stop: threading.Event) -> None:
    while True:  # until the process exits: the claim must outlive on_stop and the final cancels
        time.sleep(HEARTBEAT_SECONDS)
        try:
            if not store.refresh_claim(algo_id, pid):
                if not stop.is_set():
                    log.error("lost the claim on algo %s; stopping", algo_id)
                stop.set()
                return
        except Exception as error:  # Redis briefly down: keep trying, the TTL covers a short gap
            log.warning("claim refresh failed: %s", error)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m algo_service.runner ALGO_ID", file=sys.stderr)
        return 2
    algo_id = args[0]
    stop = threading.Event()
    stop_on_signals(stop)
    settings = Settings.from_env()
    configure_logging(f"algo:{algo_id}", settings.log_level, settings.log_json, settings.secrets())
    return run(algo_id, settings, stop)


if __name__ == "__main__":
    sys.exit(main())
