"""The market data service's OpenAPI document."""
from __future__ import annotations

from pydantic import BaseModel

from shared.http.openapi import Operation, build_openapi


class MarketDataMessage(BaseModel):
    """One message as published on its channel (docs/events.md); decimals are strings."""

    model_config = {"extra": "allow"}
    type: str
    schema_version: int
    ts_receive_ns: int
    ts_exchange_ns: int | None = None
    ts_publish_ns: int | None = None
    stale: bool


class Snapshot(BaseModel):
    venue: str
    symbol: str
    quote: MarketDataMessage | None = None
    trade: MarketDataMessage | None = None
    inav: MarketDataMessage | None = None
    fx: MarketDataMessage | None = None


class FeedOut(BaseModel):
    name: str
    kind: str
    venue: str
    description: str
    required: bool
    state: str
    pid: int | None
    messages: int
    last_message_ts_ns: int | None
    last_message_age_s: float | None
    stale_after_s: float
    connects: int
    disconnects: int
    published: int
    publish_errors: int
    malformed: dict[str, int]
    malformed_total: int
    restarts: int
    last_exit: str | None
    last_error: str | None
    channels: list[str]


class FeedList(BaseModel):
    supervisor: dict
    feeds: list[FeedOut]


OPERATIONS = [
    Operation("GET", "/api/v1/marketdata/{venue}/{symbol}",
              "Last values of an instrument (venue `inav` for computed iNAVs, `fx` for FX rates)", None,
              {200: Snapshot}, problems=(404,), tag="market data"),
    Operation("GET", "/api/v1/feeds", "Each feed's state, message count and last message age", None,
              {200: FeedList}, problems=(503,), tag="feeds"),
    Operation("GET", "/healthz", "Healthy while the bus answers and no required feed is down", None,
              {200: None, 503: None}, problems=(), tag="operations"),
]


def document() -> dict:
    return build_openapi("Trading System — Market Data Service", "1.0",
                         "Snapshots of the market data published on Redis, and the health of the feeds.", OPERATIONS)
