"""Waiting between reconnection attempts of a venue stream or poller, without delaying a stop."""
from __future__ import annotations

from collections.abc import Callable

# A stop request is honoured within this long while a pause lasts.
STOP_CHECK_SECONDS = 0.25


def pause(seconds: float, should_stop: Callable[[], bool], sleep: Callable[[float], None],
          step: float = STOP_CHECK_SECONDS) -> None:
    """Sleep for `seconds` in steps of at most `step`, returning early once should_stop()."""
    slept = 0.0
    while slept < seconds and not should_stop():
        chunk = min(step, seconds - slept)
        sleep(chunk)
        slept += chunk
