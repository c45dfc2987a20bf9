"""BinanceSpotAdapter: the VenueAdapter for Binance spot (and the exchange simulator's Binance dialect)."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from tenacity import Retrying, RetryCallState, retry_if_exception, stop_after_attempt

from order_service.adapters.binance.config import BinanceConfig
from order_service.adapters.binance.errors import NO_SUCH_ORDER
from order_service.adapters.binance.http import BinanceHttpClient, Security
from order_service.adapters.binance.order_params import (
    cancel_replace_params,
    new_order_params,
    replacement_client_order_id,
)
from order_service.adapters.binance.parsing import (
    parse_instruments,
    parse_order,
    parse_trade,
    to_decimal,
)
from order_service.adapters.binance.user_stream import UserDataStream
from shared.domain.errors import VenueRejected, VenueTemporaryError, VenueUnknownOutcome
from shared.domain.instrument import Instrument
from shared.domain.order import Order
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_ATTEMPTS = 3
# A retry that would wait longer than this is left to the caller, which knows its own deadlines.
MAX_RETRY_WAIT = 5.0


class BinanceSpotAdapter:
    """Orders, queries and executions on one Binance spot account."""

    # below the REST base; USD-M futures serves them under /v1
    order_path = "/v3/order"
    open_orders_path = "/v3/openOrders"

    def __init__(self, config: BinanceConfig, *, http: BinanceHttpClient | None = None,
                 connect: Callable[..., Any] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.name = config.name
        self._http = http if http is not None else BinanceHttpClient(config)
        self._stream = UserDataStream(self._http, config, connect=connect, sleep=sleep)
        self._sleep = sleep

    @property
    def http(self) -> BinanceHttpClient:
        """The REST client, for its rate-limit usage (used_weight_1m, order_count_10s)."""
        return self._http

    def load_instruments(self) -> list[Instrument]:
        info = self._retry(lambda: self._http.get("/v3/exchangeInfo", security=Security.NONE), reads=True)
        return parse_instruments(info)

    def submit(self, order: Order) -> ExecutionReport:
        """Send a new order; never retried here (a retry of an unknown outcome could trade twice)."""
        params = new_order_params(order)
        report = parse_order(self._http.post("/v3/order", params))
        log.debug("binance order %s %s %s -> %s", report.client_order_id, order.side.value, order.symbol,
                 report.status.value)
        return report

    def cancel(self, order: Order) -> ExecutionReport:
        """Cancel by client order id; an order Binance no longer has raises VenueRejected(-2011)."""
        params = {"symbol": order.symbol, "origClientOrderId": self._venue_id(order)}
        return self._order_report(self._retry(lambda: self._http.delete(self.order_path, params)))

    def amend(self, order: Order, quantity: Decimal | None, price: Decimal | None) -> ExecutionReport:
        """Replace the order on Binance (cancelReplace); the report names the replacement order.

        Binance spot cannot change a live order in place, so the order gets a new venue client id
        (`<client id>-r<n>`) and venue order id, and loses its place in the queue. The replacement's
        quantity is the remaining one, and its executions count from zero again.
        """
        new_id = replacement_client_order_id(order)
        params = cancel_replace_params(order, new_id, quantity, price)
        answer = self._http.post("/v3/order/cancelReplace", params)
        canceled = answer.get("cancelResponse") or {}
        if "executedQty" in canceled and to_decimal(canceled["executedQty"]) != order.filled_quantity:
            # Fills raced the cancel: the replacement's size was computed from an outdated fill count.
            log.warning("binance order %s filled %s before its replacement, %s was known", order.client_order_id,
                        canceled["executedQty"], order.filled_quantity)
        report = parse_order(answer["newOrderResponse"])
        log.info("binance order %s replaced by %s (%s)", self._venue_id(order), report.client_order_id,
                 report.status.value)
        return report

    def query(self, order: Order) -> ExecutionReport | None:
        """The venue's view of the order, or None when Binance never saw it (-2013)."""
        params = {"symbol": order.symbol, "origClientOrderId": self._venue_id(order)}
        try:
            return self._order_report(self._retry(lambda: self._http.get(self.order_path, params), reads=True))
        except VenueRejected as exc:
            if exc.code == NO_SUCH_ORDER:
                return None
            raise

    def open_orders(self, symbol: str | None = None) -> list[ExecutionReport]:
        params = {"symbol": symbol} if symbol else {}
        answer = self._retry(lambda: self._http.get(self.open_orders_path, params), reads=True)
        return [self._order_report(payload) for payload in answer]

    def fills(self, order: Order) -> list[VenueFill]:
        """Every execution of the order's current venue order, to recover fills the stream missed."""
        venue_order_id = order.venue_order_id
        if venue_order_id is None:
            known = self.query(order)
            if known is None or known.venue_order_id is None:
                return []
            venue_order_id = known.venue_order_id
        return self._trades(order.symbol, venue_order_id)

    def stream_executions(self, on_report: Callable[[ExecutionReport], None], should_stop: Callable[[], bool],
                          on_connected: Callable[[], None] | None = None) -> None:
        """Block, delivering executionReport events; `on_connected` runs after each (re)connection."""
        self._stream.run(on_report, should_stop, on_connected)

    def close(self) -> None:
        self._stream.close()
        self._http.close()

    # -- internals ----------------------------------------------------------------------------------

    @staticmethod
    def _order_report(payload: Any) -> ExecutionReport:
        """A cancel, query or open-order answer: its fills, if any, come from `_trades`."""
        return parse_order(payload, fill_liquidity=None)

    def _trades(self, symbol: str, venue_order_id: str) -> list[VenueFill]:
        """Every execution of one venue order (GET /v3/myTrades)."""
        params = {"symbol": symbol, "orderId": venue_order_id}
        return [parse_trade(t) for t in self._retry(lambda: self._http.get("/v3/myTrades", params), reads=True)]

    @staticmethod
    def _venue_id(order: Order) -> str:
        return order.venue_client_order_id or order.client_order_id

    def _retry(self, call: Callable[[], T], *, reads: bool = False) -> T:
        """Run a call that is safe to repeat, retrying errors that say it did not (or need not) take effect."""
        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, VenueTemporaryError):
                return exc.retry_after is None or exc.retry_after <= MAX_RETRY_WAIT
            return reads and isinstance(exc, VenueUnknownOutcome)

        retrying = Retrying(stop=stop_after_attempt(RETRY_ATTEMPTS), wait=_wait, sleep=self._sleep,
                            retry=retry_if_exception(retryable), reraise=True)
        return retrying(call)


def _wait(state: RetryCallState) -> float:
    """Binance's Retry-After when it gave one, else a short exponential backoff."""
    exc = state.outcome.exception() if state.outcome else None
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        return retry_after
    return min(0.2 * 2 ** (state.attempt_number - 1), 2.0)
