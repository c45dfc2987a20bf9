"""Bad venue payloads: counted per kind, logged the first time each kind is seen, never fatal."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class MalformedMessage(ValueError):
    """A venue message the feed cannot read. `kind` groups like failures, e.g. 'bookTicker: bad b'."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


class MalformedCounter:
    def __init__(self, feed: str) -> None:
        self.feed = feed
        self.counts: dict[str, int] = {}

    def record(self, error: MalformedMessage, sample: str | bytes = "") -> None:
        first = error.kind not in self.counts
        self.counts[error.kind] = self.counts.get(error.kind, 0) + 1
        if first:
            # Once per kind: a venue that keeps sending the same bad shape must not flood the log.
            log.warning("%s: malformed message (%s); further ones of this kind are only counted. Sample: %.200r",
                        self.feed, error, sample)

    @property
    def total(self) -> int:
        return sum(self.counts.values())
