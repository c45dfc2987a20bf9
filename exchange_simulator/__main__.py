"""``python -m exchange_simulator [--host --port --seed --markets FILE]``: serve the simulator."""
from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Sequence

from werkzeug.serving import make_server

from shared.logs import configure_logging

from exchange_simulator.app import EXTENSION_KEY, create_app
from exchange_simulator.config import load_config

logger = logging.getLogger("exchange_simulator")


def main(argv: Sequence[str] | None = None) -> int:
    config = load_config(argv, os.environ)
    configure_logging("exchange_simulator", os.environ.get("LOG_LEVEL", "INFO"),
                      json_lines=os.environ.get("LOG_FORMAT", "json").lower() == "json",
                      secrets=[account.api_secret for account in config.accounts])
    app = create_app(config)
    simulator = app.extensions[EXTENSION_KEY]
    # One threaded process: the books live in this process's memory, and websockets need a thread each.
    server = make_server(config.host, config.port, app, threaded=True)
    host, port = server.server_address[:2]
    logger.info("exchange simulator listening on http://%s:%s (Binance spot at /binance/api, streams at "
                "ws://%s:%s/binance/ws), seed %s", host, port, host, port, config.seed)
    print(f"listening on http://{host}:{port}", flush=True)

    def shutdown(signum, frame):  # serve_forever must be stopped from another thread
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    simulator.world.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.world.stop()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
