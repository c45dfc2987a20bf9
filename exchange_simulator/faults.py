"""Fault injection shared by every dialect: latency, 5xx, backend timeouts, 429s and websocket drops."""
from __future__ import annotations

import itertools
import threading
import time
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Callable, TypeVar

E = TypeVar("E", bound=Exception)


class FaultKind(str, Enum):
    LATENCY = "latency"
    HTTP_5XX = "http_5xx"
    TIMEOUT_1007 = "timeout_1007"
    RATE_LIMIT_429 = "rate_limit_429"
    DROP_WEBSOCKETS = "drop_websockets"


@dataclass
class Fault:
    """Applies to the next ``remaining`` requests of ``venue`` whose path starts with ``path``."""

    id: int
    venue: str
    kind: FaultKind
    remaining: int
    latency_ms: int = 0
    path: str | None = None
    # Run the request in the engine and only then answer with the error: the outcome is unknown to the client.
    execute: bool = False
    status: int | None = None
    retry_after: int = 1

    def matches(self, venue: str, path: str) -> bool:
        return self.remaining > 0 and self.venue == venue and (not self.path or path.startswith(self.path))

    def to_dict(self) -> dict:
        return {**asdict(self), "kind": self.kind.value}


class FaultInjector:
    """Thread-safe registry of pending faults; each matching request uses up one count of each fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, venue: str, kind: FaultKind, count: int, **options) -> Fault:
        with self._lock:
            fault = Fault(id=next(self._ids), venue=venue, kind=kind, remaining=count, **options)
            self._faults.append(fault)
            return fault

    def take(self, venue: str, path: str) -> list[Fault]:
        """The faults that apply to this request, in the order they were added."""
        with self._lock:
            taken = [f for f in self._faults if f.matches(venue, path)]
            for fault in taken:
                fault.remaining -= 1
            self._faults = [f for f in self._faults if f.remaining > 0]
            return taken

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self, venue: str | None = None) -> int:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if venue is not None and f.venue != venue]
            return before - len(self._faults)


def apply_faults(faults: FaultInjector, venue: str, path: str, error_of: Callable[[Fault], E]) -> E | None:
    """Sleep and raise as the request's pending faults say, each venue's error made by ``error_of``.

    Returns the error of a fault that lets the request execute first: the caller answers with it
    once the request has run, so the client cannot tell whether it took effect.
    """
    deferred: E | None = None
    for fault in faults.take(venue, path):
        if fault.latency_ms:
            time.sleep(fault.latency_ms / 1000)
        if fault.kind in (FaultKind.LATENCY, FaultKind.DROP_WEBSOCKETS) or deferred is not None:
            continue
        error = error_of(fault)
        if not fault.execute:
            raise error
        deferred = error
    return deferred
