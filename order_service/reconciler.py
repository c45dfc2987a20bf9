"""Compares this service's open orders with each venue and repairs the drift."""
from __future__ import annotations

import logging

from shared.domain import OrderStatus, VenueError

from order_service.service import OrderService

log = logging.getLogger(__name__)

_UNSETTLED = (OrderStatus.PENDING_NEW, OrderStatus.PENDING_CANCEL)


class Reconciler:
    def __init__(self, service: OrderService) -> None:
        self._service = service

    def pending_pass(self) -> int:
        """Orders whose last venue call had an unknown outcome, or that wait for an acknowledgement."""
        orders = self._service.store.orders_to_reconcile()
        for order in orders:
            self._service.reconcile_one(order.id)
        return len(orders)

    def full_pass(self) -> int:
        """Every open order against the venue's list of open orders; returns how many were repaired."""
        repaired = 0
        for venue, adapter in self._service.venues.adapters().items():
            try:
                at_venue = {r.client_order_id: r for r in adapter.open_orders()}
            except VenueError as error:
                log.warning("open orders of %s unavailable, reconciliation deferred: %s", venue, error)
                continue
            for order in self._service.store.open_orders(venue):
                report = at_venue.get(order.venue_client_order_id)
                drifted = (order.status in _UNSETTLED or order.needs_reconcile or report is None
                           or report.filled_quantity != order.filled_quantity)
                if drifted:
                    before = order.version
                    after = self._service.reconcile_one(order.id)
                    repaired += after is not None and after.version != before
        if repaired:
            log.info("reconciliation repaired %d orders", repaired)
        return repaired
