"""The feed processes and the supervisor process that runs them (`python -m market_data_service.feeds`)."""
from __future__ import annotations

import logging
import multiprocessing
import signal
import threading

from shared.bus import EventBus
from shared.logs import configure_logging
from shared.settings import Settings

from market_data_service import status
from market_data_service.config import FeedSpec, build_feed, feed_specs
from market_data_service.feeds.base import FeedContext
from market_data_service.health import FeedStats
from market_data_service.publisher import MarketDataPublisher
from shared.signals import stop_on_signals
from market_data_service.staleness import StaleMarker
from market_data_service.supervisor import Supervisor

log = logging.getLogger(__name__)

REPORT_INTERVAL = 0.25
TICK_SECONDS = 0.25


def run_feed(spec: FeedSpec, settings: Settings, pipe) -> None:
    """Body of one feed process: run the feed, sending its counters to the supervisor meanwhile."""
    configure_logging(f"md-feed-{spec.name}", settings.log_level, settings.log_json, settings.secrets())
    stop = threading.Event()
    stop_on_signals(stop)
    stats = FeedStats(spec.name)
    # No client-side retries: the publisher holds values back and retries on its own schedule.
    bus = EventBus.from_url(settings.redis_url, settings.bus_prefix, retries=0, socket_timeout=2.0)
    context = FeedContext(stats, MarketDataPublisher(bus, stats), stop)
    reporter = threading.Thread(target=_report, args=(stats, pipe, stop), name="report", daemon=True)
    reporter.start()
    try:
        build_feed(spec, settings, bus).run(context)
    finally:
        stop.set()
        bus.close()


def _report(stats: FeedStats, pipe, stop: threading.Event) -> None:
    while not stop.wait(REPORT_INTERVAL):
        try:
            pipe.send(stats.snapshot())
        except (BrokenPipeError, EOFError, OSError):
            log.error("supervisor gone; stopping")  # an orphaned feed must not keep publishing
            stop.set()
            return


def process_launcher(settings: Settings):
    """Starts each feed from a fork server: a clean single-threaded process with the feed code already
    imported, so no lock or socket of the supervisor leaks into a feed and a restart takes milliseconds."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["market_data_service.runner", "market_data_service.config"])

    def launch(spec: FeedSpec):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=run_feed, args=(spec, settings, sender), name=f"md-feed-{spec.name}")
        # Starting the fork server unblocks SIGTERM and SIGINT on its way out; the stop signals must stay
        # blocked for `stop_on_signals`.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        sender.close()
        return process, receiver

    return launch


def build_supervisor(settings: Settings, bus: EventBus, specs: list[FeedSpec] | None = None) -> Supervisor:
    return Supervisor(specs if specs is not None else feed_specs(settings), process_launcher(settings),
                      lambda document: status.write(bus, document), StaleMarker(bus))


def main(settings: Settings | None = None) -> None:
    settings = settings or Settings.from_env()
    configure_logging("market_data_supervisor", settings.log_level, settings.log_json, settings.secrets())
    if not settings.redis_url:
        raise SystemExit("REDIS_URL is not set: market data is published on Redis")
    stopping = threading.Event()
    stop_on_signals(stopping)
    bus = EventBus.from_url(settings.redis_url, settings.bus_prefix, retries=0, socket_timeout=2.0)
    supervisor = build_supervisor(settings, bus).start()
    log.info("market data feeds running", extra={"feeds": [h.spec.name for h in supervisor.handles]})
    try:
        while not stopping.wait(TICK_SECONDS):
            supervisor.tick()
    finally:
        supervisor.stop()
        bus.close()
    log.info("market data feeds stopped")
