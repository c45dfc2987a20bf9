"""USD-M public market data: exchangeInfo, tickers, depth and the mark price (premiumIndex)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from exchange_simulator.binance import errors
from exchange_simulator.binance.params import Params
from exchange_simulator.binance_futures import serialise
from exchange_simulator.binance_futures.contracts import Contract
from exchange_simulator.config import BinanceLimits
from exchange_simulator.venue import Venue

DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000)
DEPTH_LIMIT_DEFAULT = 500


def depth_weight(limit: int | None) -> int:
    limit = limit or DEPTH_LIMIT_DEFAULT
    if limit <= 50:
        return 2
    if limit <= 100:
        return 5
    if limit <= 500:
        return 10
    return 20


class FuturesMarketData:
    def __init__(self, venue: Venue, contracts: dict[str, Contract], limits: BinanceLimits,
                 index: Callable[[str], Decimal]) -> None:
        self._venue = venue
        self._contracts = contracts
        self._limits = limits
        self._index = index

    def _chosen(self, params: Params) -> list[str]:
        symbol = params.symbol(required=False)
        params.ensure_all_read()
        if symbol is None:
            return sorted(self._contracts)
        if symbol not in self._contracts:
            raise errors.invalid_symbol()
        return [symbol]

    def rate_limits(self) -> list[dict[str, Any]]:
        return [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
             "limit": self._limits.request_weight_per_minute},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": self._limits.orders_per_10s},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": self._limits.orders_per_day},
        ]

    def exchange_info(self, params: Params) -> dict[str, Any]:
        params.ensure_all_read()
        return {
            "timezone": "UTC",
            "serverTime": self._venue.clock(),
            "futuresType": "U_MARGINED",
            "rateLimits": self.rate_limits(),
            "exchangeFilters": [],
            "assets": [{"asset": serialise.MARGIN_ASSET, "marginAvailable": True, "autoAssetExchange": "-10000"}],
            "symbols": [serialise.symbol_info(self._contracts[s]) for s in sorted(self._contracts)],
        }

    def ticker_price(self, params: Params) -> dict | list:
        names = self._chosen(params)
        with self._venue.session() as engine:
            now = self._venue.clock()
            rows = [{"symbol": s, "price": serialise.price(self._contracts[s], self._last_price(engine, s)),
                     "time": now} for s in names]
        return rows[0] if params.raw("symbol") else rows

    def _last_price(self, engine, symbol: str) -> Decimal:
        last = engine.last_trade_price(symbol)
        return last if last is not None else self._venue.market.mid(symbol)

    def book_ticker(self, params: Params) -> dict | list:
        names = self._chosen(params)
        with self._venue.session() as engine:
            now = self._venue.clock()
            rows = [serialise.book_ticker_rest(self._contracts[s], *engine.best_bid_ask(s), now) for s in names]
        return rows[0] if params.raw("symbol") else rows

    def premium_index(self, params: Params) -> dict | list:
        names = self._chosen(params)
        with self._venue.session():
            now = self._venue.clock()
            rows = [serialise.premium_index(self._contracts[s], self._venue.market.mid(s), self._index(s), now)
                    for s in names]
        return rows[0] if params.raw("symbol") else rows

    def depth(self, params: Params) -> dict:
        symbol = params.symbol()
        if symbol not in self._contracts:
            raise errors.invalid_symbol()
        limit = params.integer("limit", malformed=lambda n: errors.illegal_chars(n, "^[0-9]{1,4}$"))
        params.ensure_all_read()
        limit = DEPTH_LIMIT_DEFAULT if limit is None else limit
        if limit not in DEPTH_LIMITS:
            raise errors.illegal_chars("limit", ", ".join(str(n) for n in DEPTH_LIMITS))
        contract = self._contracts[symbol]
        with self._venue.session() as engine:
            bids, asks = engine.depth(symbol, limit)
            update_id = engine.update_id(symbol)
            now = self._venue.clock()
        return {"lastUpdateId": update_id, "E": now, "T": now,
                "bids": [[serialise.price(contract, p), serialise.qty(contract, q)] for p, q in bids],
                "asks": [[serialise.price(contract, p), serialise.qty(contract, q)] for p, q in asks]}
