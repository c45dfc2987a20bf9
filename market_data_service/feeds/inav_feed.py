"""The iNAV calculator as a feed: reads the underlying quotes and USD/BRL from the bus, the PCFs from
Hashdex, and publishes each ETF's iNAV on `md.inav.{symbol}` when it moves by the threshold."""
from __future__ import annotations

import json
import logging
import time

import redis

from shared.bus import EventBus
from shared.domain.marketdata import FxRate, Quote, fx_channel, quote_channel
from shared.marketdata_codec import loads

from shared.backoff import Backoff
from market_data_service.feeds.base import FeedContext
from market_data_service.feeds.inav_math import InavCalculator
from market_data_service.feeds.polling import HashdexClient, PollFailed
from market_data_service.malformed import MalformedMessage

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.5


class InavFeed:
    def __init__(self, calculator: InavCalculator, hashdex: HashdexClient, etfs: tuple[str, ...], bus: EventBus,
                 pcf_refresh: float, backoff: Backoff | None = None) -> None:
        self.calculator = calculator
        self.hashdex = hashdex
        self.etfs = etfs
        self.bus = bus
        self.pcf_refresh = pcf_refresh
        self.backoff = backoff or Backoff(base=0.2, cap=10.0)
        self._pcf_at = 0.0

    def run(self, context: FeedContext) -> None:
        while not context.stop.is_set():
            try:
                self._refresh_compositions(context)
                self._follow(context)
            except (redis.RedisError, PollFailed, MalformedMessage) as error:
                if isinstance(error, MalformedMessage):
                    context.bad_message(error)
                reason = f"{type(error).__name__}: {error}"[:200]
                if context.stats.link != "reconnecting":
                    log.warning("iNAV inputs unavailable (%s); retrying with backoff", reason)
                context.stats.disconnected(reason)
                self._pcf_at = 0.0
                context.stop.wait(self.backoff.next_delay())

    def _refresh_compositions(self, context: FeedContext) -> None:
        if time.monotonic() < self._pcf_at:
            return
        now_ns = time.time_ns()
        for etf in self.etfs:
            self._publish(context, self.calculator.set_composition(self.hashdex.pcf(etf), now_ns))
        self._pcf_at = time.monotonic() + self.pcf_refresh

    def _follow(self, context: FeedContext) -> None:
        source = self.calculator.price_venue
        channels = [quote_channel(source, s) for s in sorted(self.calculator.price_symbols())]
        channels.append(fx_channel(self.calculator.fx_pair))
        # Subscribe before reading the last values, so nothing published in between is missed.
        pubsub = self.bus.pubsub(channels=channels)
        try:
            for raw in self.bus.last_values(channels):
                if raw is not None:
                    self._apply(raw, context)
            context.stats.connected()
            self.backoff.reset()
            log.info("iNAV calculator following %s", ", ".join(channels))
            while not context.stop.is_set():
                message = pubsub.get_message(timeout=IDLE_POLL_SECONDS)
                if message is not None and message["type"] == "message":
                    self._apply(message["data"], context)
                elif message is None:
                    context.publisher.flush()
                    if time.monotonic() >= self._pcf_at:
                        return  # refresh the PCFs, then resubscribe
        finally:
            pubsub.close()

    def _apply(self, raw: str, context: FeedContext) -> None:
        try:
            stale = bool(json.loads(raw).get("stale", False))
            message = loads(raw)
        except (ValueError, TypeError, AttributeError, ArithmeticError) as error:
            context.bad_message(MalformedMessage("input: unreadable", str(error)), raw)
            return
        context.stats.received()
        if isinstance(message, Quote):
            self._publish(context, self.calculator.on_quote(message, stale))
        elif isinstance(message, FxRate):
            self._publish(context, self.calculator.on_fx(message, stale))

    @staticmethod
    def _publish(context: FeedContext, released) -> None:
        for stale in (False, True):
            batch = [inav for inav, is_stale in released if is_stale is stale]
            if batch:
                context.publisher.publish(batch, stale=stale)
