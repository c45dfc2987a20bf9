"""Injected faults in a dialect's request hooks: an error before the request runs, or in place of its answer."""
from __future__ import annotations

import logging
from typing import Callable

from flask import Response, g, request

from exchange_simulator.faults import E, Fault, FaultInjector, apply_faults

logger = logging.getLogger(__name__)

_DEFERRED = "injected_error"


def inject_faults(faults: FaultInjector, venue: str, error_of: Callable[[Fault], E]) -> None:
    """For a before_request hook: sleep, raise, or keep the error to answer with once the request has run."""
    deferred = apply_faults(faults, venue, request.path, error_of)
    if deferred is not None:
        setattr(g, _DEFERRED, deferred)


def answer_deferred(response: Response, render: Callable[[E], Response]) -> Response:
    """For an after_request hook: the kept error rendered in place of the executed request's own answer."""
    deferred = g.pop(_DEFERRED, None)
    if deferred is None:
        return response
    logger.info("answering %s %s with injected %s (%s) after executing it", request.method, request.path,
                type(deferred).__name__, deferred)
    return render(deferred)
