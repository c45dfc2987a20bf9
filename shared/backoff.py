"""Exponential backoff with jitter between reconnection attempts, reset once things have worked."""
from __future__ import annotations

import random


class Backoff:
    def __init__(self, base: float = 0.2, cap: float = 30.0, factor: float = 2.0, jitter: float = 0.2,
                 rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        self._rng = rng or random.Random()
        self.attempt = 0

    def next_delay(self) -> float:
        """The pause before the next attempt; each call lengthens the following one, up to the cap."""
        delay = min(self.cap, self.base * self.factor ** self.attempt)
        self.attempt += 1
        # Jitter spreads out reconnections of many feeds after a shared outage.
        return delay * (1 + self.jitter * (self._rng.random() * 2 - 1))

    def reset(self) -> None:
        self.attempt = 0
