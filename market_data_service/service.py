"""What the REST API answers, independent of HTTP: snapshots of last values and the feeds' report."""
from __future__ import annotations

import json

from shared.bus import EventBus

from market_data_service import status
from market_data_service.channels import snapshot_channels


class MarketDataReader:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    def snapshot(self, venue: str, symbol: str) -> dict | None:
        """The last value of each message type of one instrument (None when there is none at all)."""
        channels = snapshot_channels(venue, symbol)
        values = self.bus.last_values(list(channels.values()))
        found = {kind: json.loads(raw) for kind, raw in zip(channels, values) if raw is not None}
        if not found:
            return None
        return {"venue": venue, "symbol": symbol, **found}

    def feeds(self) -> dict | None:
        return status.read(self.bus)

    def ping(self) -> bool:
        return self.bus.ping()
