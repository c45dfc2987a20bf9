"""Waiting between reconnection attempts of a venue stream or poller, without delaying a stop."""
from __future__ import annotations

from collections.abc import Callable

# A stop request is honoured within this long while a pause lasts.
STOP_CHECK_SECONDS = 0.25


class Backoff:
    """Doubling waits between failed attempts, capped; `reset` after a success starts over."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial = initial
        self.maximum = maximum
        self._next = initial

    def reset(self) -> None:
        self._next = self.initial

    def next(self) -> float:
        """The wait before the coming attempt; the one after it is twice as long."""
        wait = self._next
        self._next = min(wait * 2, self.maximum)
        return wait


def pause(seconds: float, should_stop: Callable[[], bool], sleep: Callable[[float], None],
          step: float = STOP_CHECK_SECONDS) -> None:
    """Sleep for `seconds` in steps of at most `step`, returning early once should_stop()."""
    slept = 0.0
    while slept < seconds and not should_stop():
        chunk = min(step, seconds - slept)
        sleep(chunk)
        slept += chunk
