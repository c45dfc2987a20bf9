"""Binance spot and USD-M market streams over one combined websocket: bookTicker and trades.

The streams are named in the connection URL, so every (re)connection subscribes afresh; right after
connecting, the REST book tickers bring every last value up to date (a quiet market may not push a
bookTicker for a long time, and whatever changed while disconnected was missed). Pings are
answered by the websocket library as they arrive; the connection is renewed before Binance's 24-hour
limit; a lost connection is retried with exponential backoff.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

import requests
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from shared.backoff import Backoff
from market_data_service.feeds.base import FeedContext
from market_data_service.feeds.binance_parsing import parse_frame, parse_rest_book_ticker
from market_data_service.malformed import MalformedMessage

log = logging.getLogger(__name__)

MAX_BURST = 1000           # frames published in one pipelined round trip at most
IDLE_POLL_SECONDS = 0.5    # how often a silent connection checks the stop signal and held-back values
STABLE_AFTER_SECONDS = 10  # a connection that lasted this long resets the backoff


@dataclass(frozen=True)
class StreamConfig:
    venue: str                 # binance | binance-futures
    ws_url: str                # stream base: wss://stream.binance.com:9443, ws://127.0.0.1:8100/binance
    symbols: tuple[str, ...]
    trade_stream: str = "trade"  # USD-M publishes aggTrade
    max_connection_age: float = 86_000.0
    book_ticker_url: str | None = None  # REST snapshot of the best bid/offer of every symbol

    @property
    def url(self) -> str:
        streams = [f"{s.lower()}@{kind}" for s in self.symbols for kind in ("bookTicker", self.trade_stream)]
        return f"{self.ws_url.rstrip('/')}/stream?streams={'/'.join(streams)}"


class BinanceStreamFeed:
    def __init__(self, config: StreamConfig, connector: Callable = connect, backoff: Backoff | None = None,
                 clock_ns: Callable[[], int] = time.time_ns) -> None:
        self.config = config
        self._connect = connector
        self.backoff = backoff or Backoff(base=0.2, cap=30.0)
        self._clock_ns = clock_ns
        self._http = requests.Session()

    def run(self, context: FeedContext) -> None:
        while not context.stop.is_set():
            opened = time.monotonic()
            try:
                self._session(context)
            except (OSError, WebSocketException, TimeoutError) as error:
                reason = f"{type(error).__name__}: {error}"[:200]
            else:
                if not context.stop.is_set():
                    log.info("%s stream renewed before the venue's 24 h limit", self.config.venue)
                continue  # a planned renewal reconnects at once
            if context.stop.is_set():
                break
            if time.monotonic() - opened >= STABLE_AFTER_SECONDS:
                self.backoff.reset()
            context.stats.disconnected(reason)
            delay = self.backoff.next_delay()
            log.warning("%s stream disconnected (%s); reconnecting in %.1f s", self.config.venue, reason, delay)
            context.stop.wait(delay)

    def _session(self, context: FeedContext) -> None:
        """One connection, read until the stop signal, an error, or its maximum age."""
        config = self.config
        with self._connect(config.url, open_timeout=10, close_timeout=1, ping_interval=20, ping_timeout=20,
                           max_size=2 ** 22, compression=None) as ws:
            context.stats.connected()
            log.info("%s stream connected: %d symbols", config.venue, len(config.symbols))
            self._snapshot(context)
            deadline = time.monotonic() + config.max_connection_age
            while not context.stop.is_set():
                if time.monotonic() >= deadline:
                    return
                try:
                    frames = [ws.recv(timeout=IDLE_POLL_SECONDS)]
                except TimeoutError:
                    context.publisher.flush()
                    continue
                # Whatever else has already arrived goes out in the same round trip to Redis.
                try:
                    while len(frames) < MAX_BURST:
                        frames.append(ws.recv(timeout=0))
                except TimeoutError:
                    pass
                finally:  # frames read before a disconnect are still published
                    self._handle(frames, context)

    def _snapshot(self, context: FeedContext) -> None:
        """Publish the REST book tickers of the configured symbols; the stream then takes over."""
        if not self.config.book_ticker_url:
            return
        try:
            response = self._http.get(self.config.book_ticker_url, timeout=5)
            rows = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as error:
            log.info("%s: no book ticker snapshot (%s); waiting for the stream", self.config.venue, error)
            return
        if not isinstance(rows, list):
            log.info("%s: no book ticker snapshot (HTTP %s)", self.config.venue, response.status_code)
            return
        wanted = set(self.config.symbols)
        now_ns = self._clock_ns()
        quotes = []
        for row in rows:
            if isinstance(row, dict) and row.get("symbol") in wanted:
                try:
                    quotes.append(parse_rest_book_ticker(self.config.venue, row, now_ns))
                except MalformedMessage as error:
                    context.bad_message(error, str(row))
        if quotes:
            context.stats.received(len(quotes), now_ns)
            context.publisher.publish(quotes)

    def _handle(self, frames: list, context: FeedContext) -> None:
        now_ns = self._clock_ns()
        messages = []
        for frame in frames:
            try:
                message = parse_frame(self.config.venue, frame, now_ns)
            except MalformedMessage as error:
                context.bad_message(error, frame)
                continue
            if message is not None:
                messages.append(message)
        if messages:
            context.stats.received(len(messages), now_ns)
            context.publisher.publish(messages)
