"""Binance spot public market data: exchangeInfo, tickers and order book snapshots."""
from __future__ import annotations

import json
from typing import Any

from exchange_simulator.binance import errors, serialise
from exchange_simulator.binance.params import Params
from exchange_simulator.config import BinanceLimits
from exchange_simulator.venue import Venue

DEPTH_LIMIT_DEFAULT = 100
DEPTH_LIMIT_MAX = 5000


def depth_weight(limit: int | None) -> int:
    limit = limit or DEPTH_LIMIT_DEFAULT
    if limit <= 100:
        return 5
    if limit <= 500:
        return 25
    if limit <= 1000:
        return 50
    return 250


class BinanceMarketData:
    def __init__(self, venue: Venue, limits: BinanceLimits):
        self._venue = venue
        self._limits = limits

    def _selected_symbols(self, params: Params) -> list[str] | None:
        """The symbols of ``symbol=`` or ``symbols=["A","B"]``; None means all of them."""
        symbol = params.symbol(required=False)
        raw_list = params.raw("symbols")
        if symbol is not None and raw_list is not None:
            raise errors.BinanceError(-1128, "Combination of optional parameters invalid.")
        if symbol is not None:
            chosen = [symbol]
        elif raw_list is not None:
            try:
                chosen = json.loads(raw_list)
            except ValueError:
                raise errors.illegal_chars("symbols", '["SYMBOL",...]') from None
            if not isinstance(chosen, list) or not chosen or not all(isinstance(s, str) for s in chosen):
                raise errors.illegal_chars("symbols", '["SYMBOL",...]')
        else:
            return None
        known = self._venue.engine.symbols
        if any(s not in known for s in chosen):
            raise errors.invalid_symbol()
        return chosen

    def rate_limits(self) -> list[dict[str, Any]]:
        return [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
             "limit": self._limits.request_weight_per_minute},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10,
             "limit": self._limits.orders_per_10s},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": self._limits.orders_per_day},
        ]

    def exchange_info(self, params: Params) -> dict[str, Any]:
        chosen = self._selected_symbols(params)
        params.ignore("permissions", "showPermissionSets", "symbolStatus")
        params.ensure_all_read()
        specs = self._venue.engine.symbols
        names = chosen if chosen is not None else sorted(specs)
        return {
            "timezone": "UTC",
            "serverTime": self._venue.clock(),
            "rateLimits": self.rate_limits(),
            "exchangeFilters": [],
            "symbols": [serialise.symbol_info(specs[name]) for name in names],
        }

    def ticker_price(self, params: Params) -> dict | list:
        chosen = self._selected_symbols(params)
        params.ensure_all_read()
        with self._venue.session() as engine:
            names = chosen if chosen is not None else sorted(engine.symbols)
            rows = [{"symbol": s, "price": serialise.fmt(self._last_price(engine, s))} for s in names]
        return rows[0] if params.raw("symbol") else rows

    @staticmethod
    def _last_price(engine, symbol: str):
        last = engine.last_trade_price(symbol)
        if last is not None:
            return last
        bid, ask = engine.best_bid_ask(symbol)
        if bid and ask:
            return (bid[0] + ask[0]) / 2
        return (bid or ask or (None,))[0]

    def book_ticker(self, params: Params) -> dict | list:
        chosen = self._selected_symbols(params)
        params.ensure_all_read()
        with self._venue.session() as engine:
            names = chosen if chosen is not None else sorted(engine.symbols)
            rows = [serialise.book_ticker_rest(s, *engine.best_bid_ask(s)) for s in names]
        return rows[0] if params.raw("symbol") else rows

    def depth(self, params: Params) -> dict:
        symbol = params.symbol()
        if symbol not in self._venue.engine.symbols:
            raise errors.invalid_symbol()
        limit = params.integer("limit", malformed=lambda n: errors.illegal_chars(n, "^[0-9]{1,4}$"))
        params.ensure_all_read()
        if limit is None:
            limit = DEPTH_LIMIT_DEFAULT
        if limit <= 0:
            raise errors.BinanceError(-1100, "Illegal characters found in parameter 'limit'; legal range is '1..5000'.")
        limit = min(limit, DEPTH_LIMIT_MAX)
        with self._venue.session() as engine:
            bids, asks = engine.depth(symbol, limit)
            update_id = engine.update_id(symbol)
        return {"lastUpdateId": update_id, "bids": serialise.levels(bids), "asks": serialise.levels(asks)}
