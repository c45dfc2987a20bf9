"""Order events: what happened to an order, with its snapshot after it happened."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.domain.enums import EventType
from shared.domain.fill import Fill

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class OrderEvent:
    type: EventType
    order: "Order"  # noqa: F821 - a frozen snapshot (a copy), never the live order
    time: datetime
    fill: Fill | None = None
    reason: str | None = None
    schema_version: int = SCHEMA_VERSION
