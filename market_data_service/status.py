"""The supervisor's report on the bus (`md:feeds`), read by the API and by `trading-system up`."""
from __future__ import annotations

import json
import time

from shared.bus import EventBus

from market_data_service.health import DOWN_STATES, FeedState, age_seconds

KEY = "md:feeds"
TTL_SECONDS = 5   # the report vanishes soon after the supervisor stops writing it


def write(bus: EventBus, document: dict) -> None:
    bus.set_value(KEY, json.dumps(document, separators=(",", ":")), TTL_SECONDS)


def read(bus: EventBus, now_ns: int | None = None) -> dict | None:
    """The latest report with each feed's last-message age brought up to now; None without a supervisor."""
    raw = bus.get_value(KEY)
    if raw is None:
        return None
    document = json.loads(raw)
    now_ns = now_ns or time.time_ns()
    for feed in document["feeds"]:
        feed["last_message_age_s"] = age_seconds(feed.get("last_message_ts_ns"), now_ns)
    return document


def down_feeds(document: dict | None) -> list[str]:
    """Required feeds that are down (every feed's name when there is no supervisor report)."""
    if document is None:
        return ["supervisor"]
    return [f["name"] for f in document["feeds"] if f["required"] and FeedState(f["state"]) in DOWN_STATES]


def feeds_ready(bus: EventBus) -> bool:
    return not down_feeds(read(bus))
