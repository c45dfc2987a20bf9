"""``python -m exchange_simulator [--host --port --seed --markets FILE]``: serve the simulator."""
from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Sequence

from gunicorn.app.base import BaseApplication

from shared.logs import configure_logging

from exchange_simulator.app import EXTENSION_KEY, create_app
from exchange_simulator.config import SimulatorConfig, load_config
from exchange_simulator.engine.gc_tuning import tune_for_engine

logger = logging.getLogger("exchange_simulator")

# Every websocket client (user data, market data streams) holds a thread for as long as it is
# connected; plain requests borrow one only while they are answered.
THREADS = 64
# Keep-alive connections from the order service and its worker stay open between orders.
KEEP_ALIVE_SECONDS = 75
# On stop, open websockets are not waited for longer than this.
GRACEFUL_TIMEOUT_SECONDS = 3


class SimulatorServer(BaseApplication):
    """Gunicorn with one gthread worker: the books live in one process's memory, and unlike the
    development server it keeps HTTP connections alive between requests."""

    def __init__(self, config: SimulatorConfig, listener: socket.socket) -> None:
        self._config = config
        self._listener = listener
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": [f"fd://{self._listener.fileno()}"], "workers": 1, "worker_class": "gthread",
            "threads": THREADS, "keepalive": KEEP_ALIVE_SECONDS, "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
            "accesslog": None, "control_socket_disable": True, "loglevel": os.environ.get("LOG_LEVEL", "INFO").lower(),
            "post_worker_init": _start_world, "worker_exit": _stop_world,
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self):
        # Runs in the worker process, whose post_worker_init starts the world's stepping thread.
        return create_app(self._config)


def _start_world(worker) -> None:
    tune_for_engine()
    worker.wsgi.extensions[EXTENSION_KEY].world.start()


def _stop_world(_server, worker) -> None:
    app = getattr(worker, "wsgi", None)
    if app is not None:
        app.extensions[EXTENSION_KEY].world.stop()


def main(argv: Sequence[str] | None = None) -> int:
    config = load_config(argv, os.environ)
    configure_logging("exchange_simulator", os.environ.get("LOG_LEVEL", "INFO"),
                      json_lines=os.environ.get("LOG_FORMAT", "json").lower() == "json",
                      secrets=[account.api_secret for account in config.accounts])
    # Bound here rather than by gunicorn so that port 0 works: the chosen port is known to print it.
    listener = socket.create_server((config.host, config.port), backlog=2048)
    listener.set_inheritable(True)
    host, port = listener.getsockname()[:2]
    logger.info("exchange simulator listening on http://%s:%s (Binance spot at /binance/api, streams at "
                "ws://%s:%s/binance/ws), seed %s", host, port, host, port, config.seed)
    print(f"listening on http://{host}:{port}", flush=True)
    # Gunicorn owns the listener from here and closes it; its master and worker both leave through
    # SystemExit, the master with 0 after a SIGTERM or SIGINT.
    SimulatorServer(config, listener).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
