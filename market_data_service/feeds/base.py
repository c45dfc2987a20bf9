"""What every feed is given: its stats, a publisher, a malformed-message counter and a stop signal."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from market_data_service.health import FeedStats
from market_data_service.malformed import MalformedCounter, MalformedMessage
from market_data_service.publisher import MarketDataPublisher


@dataclass
class FeedContext:
    stats: FeedStats
    publisher: MarketDataPublisher
    stop: threading.Event = field(default_factory=threading.Event)
    malformed: MalformedCounter | None = None

    def __post_init__(self) -> None:
        if self.malformed is None:
            self.malformed = MalformedCounter(self.stats.name)

    def bad_message(self, error: MalformedMessage, sample: str | bytes = "") -> None:
        self.malformed.record(error, sample)
        self.stats.malformed = dict(self.malformed.counts)


class Feed(Protocol):
    def run(self, context: FeedContext) -> None:
        """Read the venue until `context.stop` is set, reconnecting on its own; never returns early."""
