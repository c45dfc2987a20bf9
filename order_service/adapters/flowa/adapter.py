"""FlowaAdapter: the VenueAdapter for B3 through Flowa's ATG order API (and the simulator's Flowa dialect)."""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from order_service.adapters.flowa.auth import TokenProvider
from order_service.adapters.flowa.config import FlowaConfig
from order_service.adapters.flowa.http import FlowaHttpClient
from order_service.adapters.flowa.order_params import amend_body, new_order_body
from order_service.adapters.flowa.parsing import STRATEGY_TYPE, is_final, load_instruments, parse_order
from order_service.adapters.flowa.stream import StrategyStream
from order_service.adapters.flowa.trades import TradeTracker
from shared.domain.enums import OrderStatus
from shared.domain.errors import VenueError, VenueRejected, VenueTemporaryError, VenueUnknownOutcome
from shared.domain.instrument import Instrument
from shared.domain.order import Order
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)

T = TypeVar("T")

ORDERS = "/api/simple-order"
TRADES = "/api/trading/trades"
STRATEGIES = "/api/trading/strategies"
NOT_FOUND = 404
RETRY_ATTEMPTS = 3
MAX_PAGES = 1_000


class FlowaAdapter:
    """Orders, queries and executions of one Flowa client on B3."""

    required_order_fields = ("broker", "account")

    def __init__(self, config: FlowaConfig, *, session: requests.Session | None = None,
                 connect: Callable[..., Any] | None = None, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.name = config.name
        session = session if session is not None else requests.Session()
        self.tokens = TokenProvider(config, session, monotonic=monotonic)
        self._http = FlowaHttpClient(config, session, self.tokens)
        self._trades = TradeTracker(self._trades_from)
        self._stream = StrategyStream(config, self.tokens, self._trades, connect=connect, sleep=sleep)
        self._sleep = sleep

    def load_instruments(self) -> list[Instrument]:
        return load_instruments(self.name)

    def submit(self, order: Order) -> ExecutionReport:
        """Send a new order; never retried here (a retry of an unknown outcome could trade twice)."""
        answer = self._http.post(ORDERS, new_order_body(order))
        strategy_id = str(answer["StrategyId"])
        try:
            report = self._with_fills(parse_order(self._http.get(f"{ORDERS}/{strategy_id}")))
        except VenueError as exc:
            # Accepted for sure; where it stands now is left to the stream and reconciliation.
            log.warning("flowa order %s accepted as %s but not read back: %s", order.client_order_id, strategy_id,
                        exc)
            report = ExecutionReport(client_order_id=self._venue_id(order), symbol=order.symbol,
                                     status=OrderStatus.NEW, venue_order_id=strategy_id)
        log.info("flowa order %s %s %s -> %s (%s)", report.client_order_id, order.side.value, order.symbol,
                 report.status.value, strategy_id)
        return report

    def cancel(self, order: Order) -> ExecutionReport:
        strategy_id = self._strategy_id(order)
        self._retry(lambda: self._http.delete(f"{ORDERS}/{strategy_id}"))
        try:
            return self._read(strategy_id)
        except VenueError as exc:
            raise VenueUnknownOutcome(f"cancel of {strategy_id} accepted, its result not read back: {exc}") from None

    def amend(self, order: Order, quantity: Decimal | None, price: Decimal | None) -> ExecutionReport:
        """Flowa amends in place: the order keeps its StrategyId and CustomId (its venue client id)."""
        strategy_id = self._strategy_id(order)
        self._http.put(f"{ORDERS}/{strategy_id}", amend_body(quantity, price))
        try:
            return self._read(strategy_id)
        except VenueError as exc:
            log.warning("flowa order %s amended but not read back: %s", strategy_id, exc)
            return ExecutionReport(client_order_id=self._venue_id(order), symbol=order.symbol, status=order.status,
                                   venue_order_id=strategy_id, filled_quantity=order.filled_quantity,
                                   quantity=quantity or order.quantity, price=price or order.price)

    def query(self, order: Order) -> ExecutionReport | None:
        """The venue's view of the order, by StrategyId when known, else by CustomId; None if Flowa never saw it."""
        if order.venue_order_id:
            path, params = f"{ORDERS}/{order.venue_order_id}", None
        else:
            # Assumed lookup: Flowa's public documentation shows no search by CustomId.
            path, params = ORDERS, {"CustomId": self._venue_id(order)}
        try:
            return parse_order(self._retry(lambda: self._http.get(path, params), reads=True))
        except VenueRejected as exc:
            if exc.code == NOT_FOUND:
                return None
            raise

    def open_orders(self, symbol: str | None = None) -> list[ExecutionReport]:
        reports = []
        for page in range(MAX_PAGES):
            rows = self._retry(lambda: self._http.get(STRATEGIES, {"page": str(page)}), reads=True)
            if not rows:
                break
            for row in rows:
                if (row.get("StrategyType", STRATEGY_TYPE) == STRATEGY_TYPE and row.get("CustomId")
                        and not is_final(row) and (symbol is None or row.get("Symbol") == symbol)):
                    reports.append(parse_order(row))
        return reports

    def fills(self, order: Order) -> list[VenueFill]:
        """Every execution of the order, with its venue trade id, to recover fills the stream missed."""
        strategy_id = order.venue_order_id
        if strategy_id is None:
            known = self.query(order)
            if known is None:
                return []
            strategy_id = known.venue_order_id
        self._retry(self._trades.poll, reads=True)
        return self._trades.fills_of(strategy_id)

    def stream_executions(self, on_report: Callable[[ExecutionReport], None], should_stop: Callable[[], bool],
                          on_connected: Callable[[], None] | None = None) -> None:
        """Block, delivering order updates with their fills; `on_connected` runs after each (re)connection."""
        self._stream.run(on_report, should_stop, on_connected)

    def close(self) -> None:
        self._http.close()

    # -- internals ----------------------------------------------------------------------------------

    @staticmethod
    def _venue_id(order: Order) -> str:
        return order.venue_client_order_id or order.client_order_id

    def _strategy_id(self, order: Order) -> str:
        if order.venue_order_id:
            return order.venue_order_id
        known = self.query(order)
        if known is None or not known.venue_order_id:
            raise VenueRejected(f"Flowa has no order with CustomId {self._venue_id(order)}", NOT_FOUND)
        return known.venue_order_id

    def _read(self, strategy_id: str) -> ExecutionReport:
        return self._with_fills(parse_order(self._retry(lambda: self._http.get(f"{ORDERS}/{strategy_id}"),
                                                        reads=True)))

    def _with_fills(self, report: ExecutionReport) -> ExecutionReport:
        if report.filled_quantity <= 0:
            return report
        self._trades.poll_quietly()
        return dataclasses.replace(report, fills=tuple(self._trades.fills_of(report.venue_order_id)))

    def _trades_from(self, index: int) -> list[dict[str, Any]]:
        return self._http.get(TRADES, {"index": str(index)})

    def _retry(self, call: Callable[[], T], *, reads: bool = False) -> T:
        """Run a call that is safe to repeat, retrying errors that say it did not (or need not) take effect."""
        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, VenueTemporaryError):
                return exc.retry_after is None or exc.retry_after <= 5.0
            return reads and isinstance(exc, VenueUnknownOutcome)

        retrying = Retrying(stop=stop_after_attempt(RETRY_ATTEMPTS), wait=wait_exponential(0.2, max=2.0),
                            sleep=self._sleep, retry=retry_if_exception(retryable), reraise=True)
        return retrying(call)
