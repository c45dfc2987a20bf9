"""What the futures dialect remembers beside the engine: each order's futures terms and each fill's booking."""
from __future__ import annotations

from dataclasses import dataclass

from exchange_simulator.binance_futures.ledger import Booking
from exchange_simulator.engine import Fill

POSITION_SIDE_BOTH = "BOTH"


@dataclass
class OrderTerms:
    """The futures parameters of an order that the engine has no notion of."""

    time_in_force: str            # GTC, IOC, FOK, GTX (post-only) or GTD
    reduce_only: bool = False
    good_till_ms: int = 0
    stp: str = "NONE"
    # A GTD order the venue took off at its expiry: the engine saw a cancel, the client sees EXPIRED.
    expired: bool = False


@dataclass(frozen=True)
class BookedFill:
    fill: Fill
    booking: Booking
