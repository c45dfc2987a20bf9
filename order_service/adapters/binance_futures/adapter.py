"""BinanceFuturesAdapter: the VenueAdapter for Binance USD-M perpetuals (one-way mode, cross margin).

A variant of the spot adapter: the same signing, REST client, error mapping, retry rules and stream
reconnection, with the fapi paths, the futures order parameters and ORDER_TRADE_UPDATE events.
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from order_service.adapters.binance.adapter import BinanceSpotAdapter
from order_service.adapters.binance.config import BinanceConfig
from order_service.adapters.binance.http import BinanceHttpClient, Security
from order_service.adapters.binance.order_params import UNSUPPORTED
from order_service.adapters.binance_futures.http import BinanceFuturesHttpClient
from order_service.adapters.binance_futures.order_params import new_order_params
from order_service.adapters.binance_futures.parsing import (
    Position,
    parse_instruments,
    parse_order,
    parse_positions,
    parse_trade,
)
from order_service.adapters.binance_futures.user_stream import FuturesUserDataStream
from shared.domain.errors import VenueError, VenueRejected
from shared.domain.instrument import Instrument
from shared.domain.order import Order
from shared.domain.venue import ExecutionReport, VenueFill

log = logging.getLogger(__name__)


class BinanceFuturesAdapter(BinanceSpotAdapter):
    """Orders, queries, positions and executions on one Binance USD-M futures account."""

    order_path = "/v1/order"
    open_orders_path = "/v1/openOrders"

    def __init__(self, config: BinanceConfig, *, http: BinanceHttpClient | None = None,
                 connect: Callable[..., Any] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(config, http=http if http is not None else BinanceFuturesHttpClient(config),
                         connect=connect, sleep=sleep)
        self._stream = FuturesUserDataStream(self._http, config, connect=connect, sleep=sleep)

    def load_instruments(self) -> list[Instrument]:
        info = self._retry(lambda: self._http.get("/v1/exchangeInfo", security=Security.NONE), reads=True)
        return parse_instruments(info)

    def submit(self, order: Order) -> ExecutionReport:
        """Send a new order; never retried here (a retry of an unknown outcome could trade twice).

        USD-M answers list no fills, so an order that traded on arrival has its fills read back from
        userTrades; should that read fail, the report goes without them and reconciliation fetches them.
        """
        report = parse_order(self._http.post("/v1/order", new_order_params(order)))
        log.info("binance futures order %s %s %s -> %s", report.client_order_id, order.side.value, order.symbol,
                 report.status.value)
        if report.filled_quantity > 0 and report.venue_order_id is not None:
            try:
                fills = self._trades(order.symbol, report.venue_order_id)
            except VenueError as exc:
                log.warning("fills of binance futures order %s not read yet: %s", report.client_order_id, exc)
            else:
                report = _with_fills(report, fills)
        return report

    def amend(self, order: Order, quantity: Decimal | None, price: Decimal | None) -> ExecutionReport:
        raise VenueRejected("amending orders is not supported on Binance futures yet; cancel and resubmit",
                            UNSUPPORTED)

    def positions(self, symbol: str | None = None) -> list[Position]:
        """The account's positions (every perpetual, flat ones included, unless `symbol` narrows it)."""
        params = {"symbol": symbol} if symbol else {}
        return parse_positions(self._retry(lambda: self._http.get("/v2/positionRisk", params), reads=True))

    def set_leverage(self, symbol: str, leverage: int) -> int:
        """Change a symbol's leverage; returns the leverage Binance applied."""
        answer = self._retry(lambda: self._http.post("/v1/leverage", {"symbol": symbol, "leverage": str(leverage)}))
        return int(answer["leverage"])

    @staticmethod
    def _order_report(payload: Any) -> ExecutionReport:
        return parse_order(payload)

    def _trades(self, symbol: str, venue_order_id: str) -> list[VenueFill]:
        """Every execution of one venue order (GET /fapi/v1/userTrades)."""
        params = {"symbol": symbol, "orderId": venue_order_id}
        return [parse_trade(t) for t in self._retry(lambda: self._http.get("/v1/userTrades", params), reads=True)]


def _with_fills(report: ExecutionReport, fills: list[VenueFill]) -> ExecutionReport:
    return replace(report, fills=tuple(fills))
