"""Waiting for what a running stack does next."""
from __future__ import annotations

import time


def poll(fetch, predicate, timeout: float, interval: float = 0.1):
    """fetch() until predicate(value) holds or the timeout passes; the last value either way."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if predicate(value) or time.monotonic() > deadline:
            return value
        time.sleep(interval)
