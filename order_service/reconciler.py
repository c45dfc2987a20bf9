"""Compares this service's open orders with each venue and repairs the drift."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from shared.domain import OrderStatus, VenueError

from order_service.service import OrderService, utcnow

log = logging.getLogger(__name__)

_UNSETTLED = (OrderStatus.PENDING_NEW, OrderStatus.PENDING_CANCEL)
# An order waits this long for the request that sent it to record the venue's answer before
# reconciliation asks the venue itself: asking sooner only races that request for the same write.
SETTLE_GRACE = timedelta(seconds=2)


class Reconciler:
    def __init__(self, service: OrderService, *, clock: Callable[[], datetime] = utcnow,
                 grace: timedelta = SETTLE_GRACE) -> None:
        self._service = service
        self._clock = clock
        self._grace = grace

    def pending_pass(self) -> int:
        """Orders whose last venue call had an unknown outcome, or that wait too long for an acknowledgement."""
        orders = self._service.store.orders_to_reconcile(unchanged_since=self._clock() - self._grace)
        for order in orders:
            self._service.reconcile_one(order.id)
        return len(orders)

    def full_pass(self) -> int:
        """Every open order against the venue's list of open orders; returns how many were repaired."""
        repaired = 0
        for venue, adapter in self._service.venues.adapters().items():
            # The store is read before the venue: an order live in the store by then is in the
            # venue's list unless it really drifted, whereas one acknowledged between the two
            # reads would otherwise look missing.
            ours = self._service.store.open_order_states(venue)
            try:
                at_venue = {r.client_order_id: r for r in adapter.open_orders()}
            except VenueError as error:
                log.warning("open orders of %s unavailable, reconciliation deferred: %s", venue, error)
                continue
            settled_before = self._clock() - self._grace
            for state in ours:
                report = at_venue.get(state.venue_client_order_id)
                if state.status in _UNSETTLED and not state.needs_reconcile and state.updated_at >= settled_before:
                    continue  # still in the hands of the request that sent it
                drifted = (state.status in _UNSETTLED or state.needs_reconcile or report is None
                           or report.filled_quantity != state.filled_quantity)
                if drifted:
                    after = self._service.reconcile_one(state.id)
                    repaired += after is not None and after.version != state.version
        if repaired:
            log.info("reconciliation repaired %d orders", repaired)
        return repaired
