"""SIGTERM and SIGINT as a stop event, without running code inside a signal handler.

Setting a threading.Event from a handler can deadlock: the handler runs on the main thread, possibly
while that thread holds the event's own lock inside `wait()`. Instead both signals are blocked and a
small thread waits for them and sets the event.
"""
from __future__ import annotations

import signal
import threading

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def stop_on_signals(stop: threading.Event) -> None:
    """Call first thing in a process's main thread, before it starts other threads (they inherit the mask)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)

    def wait_for_signal() -> None:
        signal.sigwait(STOP_SIGNALS)
        stop.set()

    threading.Thread(target=wait_for_signal, name="signals", daemon=True).start()
