"""Follows the account's executions by polling open orders and fills.

Coinbase pushes order updates on its `user` websocket channel (advanced-trade-ws-user.coinbase.com); until
that is wired in, the account is polled about once a second. Each pass lists the open orders and the fills
since shortly before the previous pass, and reports (a) every order with fills not reported before, with
those fills, and (b) every order that left the open list, with its final state. State survives a restart
of the loop on the same adapter, so fills that happen while it is stopped are reported when it resumes;
the first pass only takes a baseline, and `on_connected` lets the caller reconcile whatever came before.
"""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from order_service.adapters.coinbase.parsing import parse_fill, parse_order
from order_service.adapters.reconnect import pause
from shared.backoff import Backoff
from shared.domain.errors import VenueError
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)

# Fills are asked for from this long before the previous pass: it absorbs clock skew and late publication.
LOOKBACK = timedelta(seconds=60)
SEEN_LIMIT = 50_000
MAX_BACKOFF = 30.0
POLL_STOP_CHECK = 0.1  # how often a pause looks at should_stop()


class AccountReader(Protocol):
    def open_order_rows(self) -> list[Mapping[str, Any]]: ...

    def fill_rows(self, since: datetime) -> list[Mapping[str, Any]]: ...

    def order_row(self, order_id: str) -> Mapping[str, Any]: ...


class ExecutionPoller:
    def __init__(self, reader: AccountReader, interval: float, *, clock: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._reader = reader
        self._interval = interval
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._sleep = sleep
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._open: set[str] | None = None  # None until the baseline pass
        self._since: datetime | None = None

    def run(self, on_report: Callable[[ExecutionReport], None], should_stop: Callable[[], bool],
            on_connected: Callable[[], None] | None = None) -> None:
        """Poll until should_stop(); `on_connected` runs after the first good pass and after each outage."""
        healthy, backoff = False, Backoff(base=self._interval, cap=MAX_BACKOFF)
        while not should_stop():
            try:
                reports = self.poll()
            except VenueError as exc:
                wait = backoff.next_delay()
                log.warning("coinbase execution poll failed, retrying in %.1fs: %s", wait, exc)
                healthy = False
                pause(wait, should_stop, self._sleep, POLL_STOP_CHECK)
                continue
            backoff.reset()
            if not healthy:
                healthy = True
                if on_connected is not None:
                    on_connected()
            for report in reports:
                on_report(report)
            pause(self._interval, should_stop, self._sleep, POLL_STOP_CHECK)

    def poll(self) -> list[ExecutionReport]:
        """One pass; the first one only records what already happened."""
        started = self._clock()
        since = (self._since or started) - LOOKBACK
        open_rows = {row["order_id"]: row for row in self._reader.open_order_rows()}
        fresh = self._fresh_fills(self._reader.fill_rows(since))
        baseline, previous_open = self._open is None, self._open or set()
        self._open, self._since = set(open_rows), started
        if baseline:
            return []
        reports = []
        for order_id in sorted(set(fresh) | (previous_open - open_rows.keys())):
            row = open_rows.get(order_id) or self._reader.order_row(order_id)
            fills = sorted(fresh.get(order_id, ()), key=lambda f: f.time)
            reports.append(parse_order(row, fills))
        return reports

    def _fresh_fills(self, rows: Iterable[Mapping[str, Any]]) -> dict[str, list[VenueFill]]:
        fresh: dict[str, list[VenueFill]] = {}
        for row in rows:
            key = row.get("entry_id") or f"{row['order_id']}/{row['trade_id']}"
            if key in self._seen:
                continue
            self._seen[key] = None
            fresh.setdefault(row["order_id"], []).append(parse_fill(row))
        while len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        return fresh
