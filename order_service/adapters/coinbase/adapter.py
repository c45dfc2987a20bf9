"""CoinbaseAdapter: the VenueAdapter for Coinbase Advanced Trade (and the exchange simulator's Coinbase dialect)."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from order_service.adapters.coinbase.config import CoinbaseConfig
from order_service.adapters.coinbase.errors import NOT_FOUND, UNSUPPORTED, order_failure
from order_service.adapters.coinbase.http import CoinbaseHttpClient
from order_service.adapters.coinbase.order_params import new_order_body
from order_service.adapters.coinbase.parsing import parse_fill, parse_instruments, parse_order, to_decimal
from order_service.adapters.coinbase.poller import ExecutionPoller
from shared.domain.enums import OrderStatus
from shared.domain.errors import VenueError, VenueRejected, VenueTemporaryError, VenueUnknownOutcome
from shared.domain.instrument import Instrument
from shared.domain.order import Order
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)

T = TypeVar("T")

BROKERAGE = "/api/v3/brokerage"
ORDERS = f"{BROKERAGE}/orders"
PAGE_SIZE = 250
# How far back (in pages of recent orders) an order is looked for when only its client order id is known.
SEARCH_PAGES = 4
RETRY_ATTEMPTS = 3
MAX_RETRY_WAIT = 5.0


class CoinbaseAdapter:
    """Orders, queries and executions on one Coinbase Advanced Trade account."""

    def __init__(self, config: CoinbaseConfig, *, http: CoinbaseHttpClient | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.name = config.name
        self._http = http if http is not None else CoinbaseHttpClient(config)
        self._sleep = sleep
        self._poller = ExecutionPoller(self, config.poll_interval, sleep=sleep)

    def load_instruments(self) -> list[Instrument]:
        return parse_instruments(self._read(f"{BROKERAGE}/products"), self.name)

    def submit(self, order: Order) -> ExecutionReport:
        """Send a new order; never retried here (a retry of an unknown outcome could trade twice)."""
        answer = self._http.post(ORDERS, new_order_body(order))
        if not answer.get("success"):
            error = order_failure(answer)
            log.info("coinbase order %s rejected: %s", order.client_order_id, error)
            raise error
        order_id = answer["success_response"]["order_id"]
        try:
            # The create answer says only "accepted": where the order stands (a market order has
            # filled by now) is in the order itself and its fills.
            report = self._report(order_id)
        except VenueError as exc:
            log.warning("coinbase order %s accepted as %s, its state is not known yet: %s",
                        order.client_order_id, order_id, exc)
            return ExecutionReport(client_order_id=order.venue_client_order_id or order.client_order_id, symbol=order.symbol,
                                   status=OrderStatus.NEW, venue_order_id=order_id)
        log.info("coinbase order %s %s %s -> %s", report.client_order_id, order.side.value, order.symbol,
                 report.status.value)
        return report

    def cancel(self, order: Order) -> ExecutionReport:
        """Cancel through batch_cancel; a refusal raises VenueRejected with Coinbase's failure_reason."""
        order_id = order.venue_order_id or self._venue_order_id(order)
        if order_id is None:
            raise VenueRejected("Coinbase has no order with this client order id", "UNKNOWN_CANCEL_ORDER")
        answer = self._retry(lambda: self._http.post(f"{ORDERS}/batch_cancel", {"order_ids": [order_id]}))
        result = next((r for r in answer.get("results", []) if r.get("order_id") == order_id), None)
        if result is None or not result.get("success"):
            reason = (result or {}).get("failure_reason") or "UNKNOWN_CANCEL_FAILURE_REASON"
            raise VenueRejected(f"Coinbase refused to cancel order {order_id}: {reason}", reason)
        return self._report(order_id, with_fills=False)

    def amend(self, order: Order, quantity: Decimal | None, price: Decimal | None) -> ExecutionReport:
        """Not offered: cancel and place a new order instead."""
        raise VenueRejected("Coinbase orders cannot be amended through this adapter; cancel and resubmit",
                            UNSUPPORTED)

    def query(self, order: Order) -> ExecutionReport | None:
        """The venue's view of the order, or None when Coinbase never saw it."""
        if order.venue_order_id:
            try:
                return parse_order(self.order_row(order.venue_order_id))
            except VenueRejected as exc:
                if exc.code == NOT_FOUND:
                    return None
                raise
        row = self._find_by_client_id(order)
        return parse_order(row) if row is not None else None

    def open_orders(self, symbol: str | None = None) -> list[ExecutionReport]:
        return [parse_order(row) for row in self.open_order_rows(symbol)]

    def fills(self, order: Order) -> list[VenueFill]:
        """Every execution of the order, to recover fills a poll missed."""
        order_id = order.venue_order_id or self._venue_order_id(order)
        if order_id is None:
            return []
        return [parse_fill(row) for row in self._pages(f"{ORDERS}/historical/fills", "fills", {"order_id": order_id})]

    def stream_executions(self, on_report: Callable[[ExecutionReport], None], should_stop: Callable[[], bool],
                          on_connected: Callable[[], None] | None = None) -> None:
        """Block, polling executions about once a second, until should_stop() (see poller.py)."""
        self._poller.run(on_report, should_stop, on_connected)

    def close(self) -> None:
        self._http.close()

    # -- the account as the poller reads it ---------------------------------------------------------

    def open_order_rows(self, symbol: str | None = None) -> list[Mapping[str, Any]]:
        params = {"order_status": "OPEN", **({"product_id": symbol} if symbol else {})}
        return self._pages(f"{ORDERS}/historical/batch", "orders", params)

    def fill_rows(self, since: datetime) -> list[Mapping[str, Any]]:
        params = {"start_sequence_timestamp": since.isoformat().replace("+00:00", "Z")}
        return self._pages(f"{ORDERS}/historical/fills", "fills", params)

    def order_row(self, order_id: str) -> Mapping[str, Any]:
        return self._read(f"{ORDERS}/historical/{order_id}")["order"]

    # -- internals ----------------------------------------------------------------------------------

    def _report(self, order_id: str, *, with_fills: bool = True) -> ExecutionReport:
        row = self.order_row(order_id)
        filled = to_decimal(row.get("filled_size") or "0") > 0
        fills = self._pages(f"{ORDERS}/historical/fills", "fills", {"order_id": order_id}) \
            if with_fills and filled else []
        return parse_order(row, (parse_fill(f) for f in fills))

    def _venue_order_id(self, order: Order) -> str | None:
        row = self._find_by_client_id(order)
        return row["order_id"] if row is not None else None

    def _find_by_client_id(self, order: Order) -> Mapping[str, Any] | None:
        """Coinbase lists orders without a client id filter: look through the product's recent ones."""
        wanted = order.venue_client_order_id or order.client_order_id
        params: dict[str, str] = {"product_id": order.symbol, "limit": str(PAGE_SIZE)}
        for _ in range(SEARCH_PAGES):
            page = self._read(f"{ORDERS}/historical/batch", params)
            found = next((row for row in page.get("orders", []) if row.get("client_order_id") == wanted), None)
            if found is not None or not page.get("cursor"):
                return found
            params["cursor"] = page["cursor"]
        return None

    def _pages(self, path: str, key: str, params: Mapping[str, str]) -> list[Mapping[str, Any]]:
        rows: list[Mapping[str, Any]] = []
        query = {**params, "limit": str(PAGE_SIZE)}
        while True:
            page = self._read(path, query)
            rows.extend(page.get(key, []))
            if not page.get("cursor"):
                return rows
            query["cursor"] = page["cursor"]

    def _read(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self._retry(lambda: self._http.get(path, params), reads=True)

    def _retry(self, call: Callable[[], T], *, reads: bool = False) -> T:
        """Run a call that is safe to repeat: errors saying it did not take effect are retried, and so are
        unknown outcomes of reads, a few times with a short backoff (or Coinbase's Retry-After)."""
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                return call()
            except VenueTemporaryError as exc:
                wait = exc.retry_after if exc.retry_after is not None else _backoff(attempt)
                if attempt == RETRY_ATTEMPTS or wait > MAX_RETRY_WAIT:
                    raise
            except VenueUnknownOutcome:
                if not reads or attempt == RETRY_ATTEMPTS:
                    raise
                wait = _backoff(attempt)
            self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _backoff(attempt: int) -> float:
    return min(0.2 * 2 ** (attempt - 1), 2.0)
