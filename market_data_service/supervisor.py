"""Runs each feed in its own OS process and keeps it running.

A feed process that dies is restarted after an exponential backoff (reset once it has stayed up for a
while), without touching the others. Each feed sends its counters through a pipe; the supervisor judges
its state, marks the last values of a silent feed stale, and writes the report the API serves.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from shared.backoff import Backoff
from market_data_service.config import FeedSpec
from market_data_service.health import NS_PER_S, FeedState, age_seconds, judge

log = logging.getLogger(__name__)

STABLE_AFTER_SECONDS = 30.0   # a feed process up this long starts its next restart from the shortest backoff
_SUMMED = ("messages", "connects", "disconnects", "published", "publish_errors")


class FeedProcess(Protocol):
    pid: int | None
    exitcode: int | None

    def is_alive(self) -> bool: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


class ReportPipe(Protocol):
    def poll(self, timeout: float = 0) -> bool: ...
    def recv(self) -> Any: ...
    def close(self) -> None: ...


Launcher = Callable[[FeedSpec], tuple[FeedProcess, ReportPipe]]


@dataclass
class FeedHandle:
    spec: FeedSpec
    backoff: Backoff
    process: FeedProcess | None = None
    pipe: ReportPipe | None = None
    started_at: float = 0.0
    started_ns: int | None = None
    report: dict = field(default_factory=dict)
    earlier: dict = field(default_factory=dict)     # counters of the feed's previous processes
    channels: set[str] = field(default_factory=set)
    last_message_ns: int | None = None
    restarts: int = 0
    restart_at: float | None = None
    last_exit: str | None = None
    marked_ns: int | None = None                     # when its values were last marked stale
    state: FeedState = FeedState.STARTING

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()


class Supervisor:
    def __init__(self, specs: list[FeedSpec], launch: Launcher, write_status: Callable[[dict], None],
                 mark_stale: Callable[[list[str], int], int], clock: Callable[[], float] = time.monotonic,
                 clock_ns: Callable[[], int] = time.time_ns,
                 backoff: Callable[[], Backoff] = lambda: Backoff(base=0.5, cap=30.0)) -> None:
        self.handles = [FeedHandle(spec, backoff()) for spec in specs]
        self._launch = launch
        self._write_status = write_status
        self._mark_stale = mark_stale
        self._clock = clock
        self._clock_ns = clock_ns
        self.stopping = False

    def start(self) -> "Supervisor":
        for handle in self.handles:
            self._start(handle)
        return self

    def handle(self, name: str) -> FeedHandle:
        return next(h for h in self.handles if h.spec.name == name)

    def tick(self) -> dict:
        """One round: read reports, restart what died and is due, judge states, mark silence, report."""
        now, now_ns = self._clock(), self._clock_ns()
        for handle in self.handles:
            self._read_reports(handle)
            if handle.process is not None and not handle.alive and handle.restart_at is None and not self.stopping:
                self._exited(handle, now)
            if handle.restart_at is not None and now >= handle.restart_at and not self.stopping:
                handle.restarts += 1
                self._start(handle)
            if handle.alive and now - handle.started_at >= STABLE_AFTER_SECONDS:
                handle.backoff.reset()
            handle.state = judge(handle.alive, handle.report.get("link"), handle.last_message_ns,
                                 handle.started_ns, now_ns, handle.spec.stale_after)
            self._mark_if_silent(handle, now_ns)
        document = self.document(now_ns)
        try:
            self._write_status(document)
        except Exception as error:  # Redis down: the report resumes with it; the feeds keep running
            log.debug("feed report not written: %s", error)
        return document

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping = True
        for handle in self.handles:
            if handle.alive:
                handle.process.terminate()
        deadline = self._clock() + timeout
        for handle in self.handles:
            if handle.process is None:
                continue
            handle.process.join(max(0.0, deadline - self._clock()))
            if handle.process.is_alive():
                log.warning("feed %s did not stop; killing it", handle.spec.name)
                handle.process.kill()
                handle.process.join(1.0)
            if handle.pipe is not None:
                handle.pipe.close()

    # -- internals -------------------------------------------------------------------------------

    def _start(self, handle: FeedHandle) -> None:
        if handle.pipe is not None:
            handle.pipe.close()
        handle.process, handle.pipe = self._launch(handle.spec)
        handle.started_at, handle.started_ns = self._clock(), self._clock_ns()
        handle.restart_at = None
        handle.report = {}
        log.info("feed %s started (pid %s)", handle.spec.name, handle.process.pid)

    def _exited(self, handle: FeedHandle, now: float) -> None:
        code = handle.process.exitcode
        handle.last_exit = f"exit code {code}" if code is not None and code >= 0 else f"killed by signal {-(code or 0)}"
        for name in _SUMMED:
            handle.earlier[name] = handle.earlier.get(name, 0) + handle.report.get(name, 0)
        for kind, count in handle.report.get("malformed", {}).items():
            handle.earlier.setdefault("malformed", {})[kind] = handle.earlier.get("malformed", {}).get(kind, 0) + count
        handle.report = {}
        delay = handle.backoff.next_delay()
        handle.restart_at = now + delay
        log.error("feed %s (pid %s) died: %s; restarting in %.1f s", handle.spec.name, handle.process.pid,
                  handle.last_exit, delay)

    def _read_reports(self, handle: FeedHandle) -> None:
        pipe = handle.pipe
        if pipe is None:
            return
        try:
            while pipe.poll(0):
                handle.report = pipe.recv()
        except (EOFError, OSError):
            return  # the process is gone; its exit is handled by the liveness check
        handle.channels.update(handle.report.get("channels", ()))
        last = handle.report.get("last_message_ns")
        if last is not None and (handle.last_message_ns is None or last > handle.last_message_ns):
            handle.last_message_ns = last

    def _mark_if_silent(self, handle: FeedHandle, now_ns: int) -> None:
        since = handle.last_message_ns
        if since is None or not handle.channels:
            return
        cutoff_ns = now_ns - int(handle.spec.stale_after * NS_PER_S)
        if since >= cutoff_ns or (handle.marked_ns is not None and handle.marked_ns >= since):
            return
        try:
            marked = self._mark_stale(sorted(handle.channels), cutoff_ns)
        except Exception as error:  # Redis down: try again on the next round
            log.debug("could not mark %s stale: %s", handle.spec.name, error)
            return
        handle.marked_ns = now_ns
        log.warning("feed %s silent for %.1f s: %d last values marked stale", handle.spec.name,
                    (now_ns - since) / NS_PER_S, marked)

    def document(self, now_ns: int) -> dict:
        return {"supervisor": {"pid": os.getpid(), "updated_ns": now_ns},
                "feeds": [self._describe(h, now_ns) for h in self.handles]}

    def _describe(self, handle: FeedHandle, now_ns: int) -> dict:
        report, earlier, spec = handle.report, handle.earlier, handle.spec
        malformed = dict(earlier.get("malformed", {}))
        for kind, count in report.get("malformed", {}).items():
            malformed[kind] = malformed.get(kind, 0) + count
        body = {
            "name": spec.name, "kind": spec.kind, "venue": spec.venue, "description": spec.description,
            "required": spec.required, "state": handle.state.value,
            "pid": handle.process.pid if handle.alive else None,
            "last_message_ts_ns": handle.last_message_ns,
            "last_message_age_s": age_seconds(handle.last_message_ns, now_ns),
            "stale_after_s": spec.stale_after,
        }
        body.update({name: earlier.get(name, 0) + report.get(name, 0) for name in _SUMMED})
        body.update({
            "malformed": malformed, "malformed_total": sum(malformed.values()),
            "restarts": handle.restarts, "last_exit": handle.last_exit, "last_error": report.get("last_error"),
            "channels": sorted(handle.channels),
        })
        return body
