"""An algo process's log lines, kept in Redis so any API worker can serve `GET /api/v1/algos/{id}/logs`."""
from __future__ import annotations

import logging
import logging.handlers
import queue

from algo_service.store import AlgoStore

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class AlgoLogHandler(logging.Handler):
    def __init__(self, store: AlgoStore, algo_id: str) -> None:
        super().__init__()
        self.store = store
        self.algo_id = algo_id
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.store.append_logs(self.algo_id, self.format(record).splitlines())
        except Exception:  # logging must never take the algo down
            self.handleError(record)


def attach(store: AlgoStore, algo_id: str) -> logging.handlers.QueueListener:
    """Ship the root logger's records to Redis from a background thread (the strategy never waits on it)."""
    records: queue.Queue = queue.Queue()
    listener = logging.handlers.QueueListener(records, AlgoLogHandler(store, algo_id), respect_handler_level=True)
    logging.getLogger().addHandler(logging.handlers.QueueHandler(records))
    listener.start()
    return listener
