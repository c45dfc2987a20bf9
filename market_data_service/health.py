"""Feed states and counters: what a feed reports about itself, and how its state is judged."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from enum import Enum

NS_PER_S = 1_000_000_000


class FeedState(str, Enum):
    STARTING = "starting"          # process launched, not yet connected
    CONNECTED = "connected"        # connected and receiving within its staleness limit
    RECONNECTING = "reconnecting"  # lost its venue (or Redis) and is retrying with backoff
    STALE = "stale"                # connected but silent for longer than its staleness limit
    FAILED = "failed"              # its process died; the supervisor restarts it with backoff


# What `/healthz` counts as a required feed being down.
DOWN_STATES = frozenset({FeedState.STARTING, FeedState.RECONNECTING, FeedState.FAILED})


@dataclass
class FeedStats:
    """Counters one feed keeps about itself and sends to the supervisor."""

    name: str
    link: str = "starting"            # starting | connected | reconnecting, as the feed itself sees it
    messages: int = 0
    last_message_ns: int | None = None   # wall clock of the last venue message
    connects: int = 0
    disconnects: int = 0
    published: int = 0
    publish_errors: int = 0
    malformed: dict[str, int] = field(default_factory=dict)
    channels: list[str] = field(default_factory=list)
    last_error: str | None = None

    def received(self, count: int = 1, now_ns: int | None = None) -> None:
        self.messages += count
        self.last_message_ns = now_ns or time.time_ns()

    def connected(self) -> None:
        self.link = "connected"
        self.connects += 1

    def disconnected(self, reason: str) -> None:
        if self.link == "connected":
            self.disconnects += 1
        self.link = "reconnecting"
        self.last_error = reason

    def snapshot(self) -> dict:
        body = asdict(self)
        body["malformed"] = dict(self.malformed)
        body["channels"] = list(self.channels)
        return body


def judge(alive: bool, link: str | None, last_message_ns: int | None, started_ns: int | None, now_ns: int,
          stale_after: float) -> FeedState:
    """A feed's state from its process, its own view of its link and the age of its last message."""
    if not alive:
        return FeedState.FAILED
    if link in (None, "starting"):
        return FeedState.STARTING
    if link != "connected":
        return FeedState.RECONNECTING
    # Silence is measured from the last message, or from the start when nothing came yet.
    since = last_message_ns if last_message_ns is not None else started_ns
    if since is not None and now_ns - since > stale_after * NS_PER_S:
        return FeedState.STALE
    return FeedState.CONNECTED


def age_seconds(last_message_ns: int | None, now_ns: int) -> float | None:
    return None if last_message_ns is None else round(max(0, now_ns - last_message_ns) / NS_PER_S, 3)
