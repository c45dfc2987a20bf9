"""Reconciliation leaves orders in flight to the request that sent them, and settles the rest."""
from __future__ import annotations

from datetime import timedelta

from shared.domain import VenueUnknownOutcome

from order_service.reconciler import Reconciler
from order_service.schemas import OrderCreate
from order_service.service import utcnow
from tests.unit.order_service.test_orders_api import LIMIT


def persisted_not_yet_sent(service):
    """An order as the API holds it between storing it PENDING_NEW and hearing back from the venue."""
    order, _ = service._create(OrderCreate.model_validate(LIMIT))
    return order


def test_pending_pass_leaves_an_order_in_flight_to_its_request_but_settles_a_flagged_one(client, service, venue):
    venue.fail_next.append(VenueUnknownOutcome("Timeout waiting for response from backend server.", -1007, 400))
    flagged = client.post("/api/v1/orders", json=LIMIT).get_json()
    venue.submit(service.get(flagged["id"]))  # the timed-out request did reach the venue
    in_flight = persisted_not_yet_sent(service)
    now = utcnow()

    assert Reconciler(service, clock=lambda: now).pending_pass() == 1
    settled = service.get(flagged["id"])
    assert (settled.status.value, settled.needs_reconcile) == ("NEW", False)
    assert service.get(in_flight.id).version == in_flight.version  # untouched

    assert Reconciler(service, clock=lambda: now + timedelta(seconds=5)).pending_pass() == 1  # now it is asked


def test_full_pass_leaves_an_order_in_flight_alone_until_it_waited_too_long(service, venue):
    in_flight = persisted_not_yet_sent(service)
    venue.fail_next.append(VenueUnknownOutcome("Timeout", -1007, 400))
    now = utcnow()

    Reconciler(service, clock=lambda: now).full_pass()
    assert venue.fail_next  # the venue was not asked about it

    Reconciler(service, clock=lambda: now + timedelta(seconds=5)).full_pass()
    assert venue.fail_next == []  # asked (and the answer was unknown, so it stays pending)
    assert service.get(in_flight.id).status.value == "PENDING_NEW"
