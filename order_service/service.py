"""The order service layer: every rule between an order request and the venue, transport-neutral."""
from __future__ import annotations

import enum
import hashlib
import logging
import secrets
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable

from shared.codec import dumps, event_to_dict
from shared.domain import (
    ExecutionReport,
    Fill,
    InstrumentRuleViolation,
    Order,
    OrderEvent,
    OrderStatus,
    OrderType,
    TimeInForce,
    VenueError,
    VenueRejected,
    VenueTemporaryError,
    VenueUnknownOutcome,
)

from order_service.errors import (
    IdempotencyConflict,
    MissingField,
    OrderNotFound,
    OrderStateConflict,
    RuleViolation,
    VenueRefused,
    VenueUnavailable,
)
from order_service.outbox import OutboxPublisher
from order_service.schemas import OrderAmend, OrderCreate
from order_service.store import DuplicateClientOrderId
from order_service.venues import VenueRegistry

log = logging.getLogger(__name__)

S = OrderStatus
# A venue that has not seen an order this long after we sent it never will (Binance drops requests
# older than recvWindow), so the order can be closed as rejected.
NOT_FOUND_GRACE = timedelta(seconds=15)
# An amendment still marked in flight after this long was interrupted; reconciliation takes over.
AMEND_TIMEOUT = timedelta(seconds=30)


class Outcome(enum.Enum):
    CREATED = 201    # the venue answered: the order is live, filled or rejected
    EXISTING = 200   # same client order id and same request: the order placed before
    PENDING = 202    # the venue's answer is unknown; reconciliation will settle it


def new_order_id() -> str:
    return uuid.uuid4().hex


def new_client_order_id() -> str:
    # 20 URL-safe characters: room for a venue's replacement suffix within 36.
    return secrets.token_urlsafe(15)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def fingerprint(cmd: OrderCreate) -> str:
    """A hash of what the request asks for, so a retried request can be told from a different one."""
    names = sorted(name for name in type(cmd).model_fields if name != "client_order_id")
    canonical = "|".join(f"{name}={_canonical(getattr(cmd, name))}" for name in names)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


class OrderService:
    def __init__(self, store, venues: VenueRegistry, publisher: OutboxPublisher, *,
                 clock: Callable[[], datetime] = utcnow,
                 new_id: Callable[[], str] = new_order_id,
                 new_client_id: Callable[[], str] = new_client_order_id) -> None:
        self.store = store
        self.venues = venues
        self.publisher = publisher
        self._clock = clock
        self._new_id = new_id
        self._new_client_id = new_client_id

    # -- queries -------------------------------------------------------------------------------------

    def get(self, order_id: str) -> Order:
        order = self.store.get(order_id)
        if order is None:
            raise OrderNotFound(f"no order with id {order_id!r}")
        return order

    # -- commands ------------------------------------------------------------------------------------

    def place(self, cmd: OrderCreate) -> tuple[Order, Outcome]:
        """Validate, persist as PENDING_NEW, send to the venue once, and record its answer."""
        adapter = self.venues.adapter(cmd.venue)
        for field in getattr(adapter, "required_order_fields", ()):
            if getattr(cmd, field) is None:
                raise MissingField(f"{field} is required on {cmd.venue} orders", field)
        instrument = self.venues.instrument(cmd.venue, cmd.symbol)
        self._check_rules(instrument, cmd.type, cmd.quantity, cmd.price, cmd.stop_price)
        order, existing = self._create(cmd)
        if existing:
            return order, Outcome.EXISTING
        try:
            report = adapter.submit(order)
        except VenueRejected as error:
            order = self._change(order.id, lambda o: o.reject(_code(error), error.message))
            return order, Outcome.CREATED
        except VenueTemporaryError as error:
            reason = f"venue unavailable, order not sent: {error.message}"
            order = self._change(order.id, lambda o: o.reject(_code(error) or "UNAVAILABLE", reason))
            return order, Outcome.CREATED
        except VenueUnknownOutcome as error:
            log.warning("submit outcome unknown, reconciling", extra={"order_id": order.id, "error": str(error)})
            order = self._mark_for_reconcile(order.id)
            return order, Outcome.PENDING
        except Exception:
            # A bug or an unforeseen transport failure: the order may be at the venue, so never forget it.
            self._mark_for_reconcile(order.id)
            raise
        return self.apply_report(cmd.venue, report, order_id=order.id) or order, Outcome.CREATED

    def cancel(self, order_id: str) -> tuple[Order, Outcome]:
        order = self.get(order_id)
        if order.status is S.PENDING_CANCEL:
            return order, Outcome.PENDING
        self._require_working(order, "cancel")
        adapter = self.venues.adapter(order.venue)
        order = self._change(order_id, lambda o: o.request_cancel())
        try:
            report = adapter.cancel(order)
        except VenueRejected as error:
            self._change(order_id, lambda o: o.cancel_rejected(error.message))
            order = self.reconcile_one(order_id) or self.get(order_id)
            raise VenueRefused(f"the venue refused the cancel: {error.message}; the order is {order.status.value}",
                               _code(error)) from None
        except VenueTemporaryError as error:
            self._change(order_id, lambda o: o.cancel_rejected(f"venue unavailable: {error.message}"))
            raise VenueUnavailable(f"venue unavailable, cancel not sent: {error.message}", error.retry_after) from None
        except VenueUnknownOutcome:
            return self._mark_for_reconcile(order_id), Outcome.PENDING
        return self.apply_report(order.venue, report, order_id=order_id) or self.get(order_id), Outcome.CREATED

    def amend(self, order_id: str, cmd: OrderAmend) -> tuple[Order, Outcome]:
        order = self.get(order_id)
        self._require_working(order, "amend")
        if order.type is OrderType.MARKET:
            raise OrderStateConflict("a MARKET order has no price or quantity left to amend", order.status)
        if cmd.price is not None and order.type not in (OrderType.LIMIT, OrderType.STOP_LIMIT):
            raise RuleViolation(f"{order.type.value} orders have no limit price", "price", "order_type", None)
        if cmd.quantity is not None and cmd.quantity <= order.filled_quantity:
            raise RuleViolation(f"quantity must exceed the {order.filled_quantity} already filled",
                                "quantity", "filled_quantity", None)
        instrument = self.venues.instrument(order.venue, order.symbol)
        self._check_rules(instrument, order.type, cmd.quantity or order.quantity, cmd.price or order.price,
                          order.stop_price)
        adapter = self.venues.adapter(order.venue)
        self._change(order_id, lambda o: _set_amending(o, True))
        try:
            report = adapter.amend(order, cmd.quantity, cmd.price)
        except VenueRejected as error:
            self._change(order_id, lambda o: _set_amending(o, False))
            order = self.reconcile_one(order_id) or self.get(order_id)
            raise VenueRefused(f"the venue refused the amendment: {error.message}; the order is "
                               f"{order.status.value}", _code(error)) from None
        except VenueTemporaryError as error:
            self._change(order_id, lambda o: _set_amending(o, False))
            raise VenueUnavailable(f"venue unavailable, amendment not sent: {error.message}",
                                   error.retry_after) from None
        except VenueUnknownOutcome:
            self._change(order_id, lambda o: _set_amending(o, False))
            return self._mark_for_reconcile(order_id), Outcome.PENDING
        except Exception:
            self._change(order_id, lambda o: _set_amending(o, False))
            self._mark_for_reconcile(order_id)
            raise

        def _amend(o: Order) -> list[OrderEvent]:
            o.amending = False
            return o.amend(cmd.quantity, cmd.price, report.venue_order_id, report.client_order_id)

        self._change(order_id, _amend)
        return self.apply_report(order.venue, report, order_id=order_id) or self.get(order_id), Outcome.CREATED

    # -- venue reports -------------------------------------------------------------------------------

    def apply_report(self, venue: str, report: ExecutionReport, order_id: str | None = None) -> Order | None:
        """Fold what the venue said into the order: new fills once each, then its status."""
        if not report.fills:
            current = (self.store.get(order_id) if order_id is not None
                       else self.store.get_by_venue_client_order_id(venue, report.client_order_id))
            if current is not None and _changes_nothing(current, report):
                return current  # e.g. the stream's echo of an acknowledgement already recorded: no write
        with self.store.unit_of_work() as uow:
            if order_id is not None:
                order = uow.get(order_id)
            else:
                order = uow.get_by_venue_client_order_id(venue, report.client_order_id)
            if order is None:
                log.info("report for an order this service does not know",
                         extra={"venue": venue, "client_order_id": report.client_order_id})
                return None
            stored_version = order.version
            if report.client_order_id != order.venue_client_order_id:
                return order  # about a venue order this one has since replaced
            if order.amending and report.status in (S.CANCELED, S.EXPIRED):
                return order  # the cancel half of a replace in flight, not the end of the order
            before = (order.needs_reconcile, order.venue_order_id)
            events = self._fold(uow, order, report)
            if not events and (order.needs_reconcile, order.venue_order_id) != before:
                order.version += 1  # settled without an event, e.g. a reconciled order that was already live
            if events or order.version != stored_version:
                self._record(uow, order, events)
        if events:
            self.publisher.drain()
        return order

    def reconcile_one(self, order_id: str) -> Order | None:
        """Ask the venue where this order stands and repair any drift. Safe to repeat."""
        order = self.store.get(order_id)
        if order is None or (order.is_terminal and not order.needs_reconcile):
            return order
        if order.amending:
            if self._clock() - order.updated_at < AMEND_TIMEOUT:
                return order  # the amending request settles it
            order = self._change(order_id, lambda o: _set_amending(o, False))  # it died mid-way
        adapter = self.venues.adapter(order.venue)
        try:
            report = adapter.query(order)
            if report is not None and report.filled_quantity > 0 and hasattr(adapter, "fills"):
                report = replace(report, fills=tuple(adapter.fills(order)) or report.fills)
        except VenueError as error:
            log.warning("reconciliation of %s deferred: %s", order_id, error)
            return order
        if report is None:
            return self._venue_never_saw(order)
        return self.apply_report(order.venue, report, order_id=order_id)

    # -- internals -----------------------------------------------------------------------------------

    def _create(self, cmd: OrderCreate) -> tuple[Order, bool]:
        client_id = cmd.client_order_id or self._new_client_id()
        digest = fingerprint(cmd)
        order = Order(
            id=self._new_id(), client_order_id=client_id, venue=cmd.venue, symbol=cmd.symbol, side=cmd.side,
            type=cmd.type, quantity=cmd.quantity, time_in_force=cmd.time_in_force or _default_tif(cmd.type),
            price=cmd.price, stop_price=cmd.stop_price, post_only=cmd.post_only, reduce_only=cmd.reduce_only,
            account=cmd.account, broker=cmd.broker, algo_id=cmd.algo_id,
            created_at=self._clock(), updated_at=self._clock(),
        )
        for _ in range(2):
            with self.store.unit_of_work() as uow:
                found = uow.get_by_client_order_id(client_id, for_update=False)
                if found is None:
                    try:
                        uow.add(order, digest)
                        return order, False
                    except DuplicateClientOrderId:
                        continue  # another request with this id won the race: compare with it
            stored, stored_digest = found
            if stored_digest != digest:
                raise IdempotencyConflict(
                    f"client_order_id {client_id!r} was already used for a different order ({stored.id})",
                    order_id=stored.id)
            return stored, True
        raise IdempotencyConflict(f"client_order_id {client_id!r} is being used concurrently")

    def _fold(self, uow, order: Order, report: ExecutionReport) -> list[OrderEvent]:
        events: list[OrderEvent] = []
        if report.venue_order_id and report.status is not S.REJECTED:
            events += order.accept(report.venue_order_id, report.time)
        for vf in report.fills:
            if uow.has_fill(order.venue, order.symbol, vf.venue_trade_id):
                continue
            if vf.quantity > order.remaining_quantity:
                log.error("venue reported more than the order's remaining quantity; recorded up to it",
                          extra={"order_id": order.id, "trade_id": vf.venue_trade_id})
            quantity = min(vf.quantity, order.remaining_quantity)
            if quantity <= 0:
                continue
            fill = Fill(fill_id=self._new_id(), order_id=order.id, venue=order.venue, symbol=order.symbol,
                        side=order.side, venue_trade_id=vf.venue_trade_id, quantity=quantity, price=vf.price,
                        fee=vf.fee, fee_asset=vf.fee_asset, liquidity=vf.liquidity, time=vf.time)
            events += order.apply_fill(fill)
            uow.add_fill(fill)
        events += self._settle_status(order, report)
        return events

    def _settle_status(self, order: Order, report: ExecutionReport) -> list[OrderEvent]:
        target = report.status
        if target is order.status or order.is_terminal:
            return []
        if target is S.REJECTED:
            return order.reject(report.reject_code, report.reject_reason or "rejected by the venue")
        if target in (S.CANCELED, S.EXPIRED):
            events = order.accept(None, report.time) if order.status is S.PENDING_NEW else []
            if order.can_become(target):
                events += order.transition(target, reason=report.reject_reason, at=report.time)
            return events
        if target in (S.PARTIALLY_FILLED, S.FILLED) and report.filled_quantity > order.filled_quantity \
                and not report.fills:
            order.needs_reconcile = True  # fills without their details: fetch them by reconciliation
        return []

    def _record(self, uow, order: Order, events: list[OrderEvent]) -> None:
        uow.save(order)
        if events:
            uow.add_events([(order.id, e.type.value, dumps(event_to_dict(e))) for e in events])

    def _change(self, order_id: str, mutate: Callable[[Order], list[OrderEvent]]) -> Order:
        with self.store.unit_of_work() as uow:
            order = uow.get(order_id)
            events = mutate(order)
            self._record(uow, order, events)
        if events:
            self.publisher.drain()
        return order

    def _mark_for_reconcile(self, order_id: str) -> Order:
        def mark(order: Order) -> list[OrderEvent]:
            order.needs_reconcile = True
            order.version += 1
            return []

        return self._change(order_id, mark)

    def _venue_never_saw(self, order: Order) -> Order:
        if order.status is not S.PENDING_NEW:
            log.warning("open order unknown to the venue", extra={"order_id": order.id})
            return order
        if self._clock() - order.created_at < NOT_FOUND_GRACE:
            return order  # the request may still be on its way
        return self._change(order.id, lambda o: o.reject(
            "NOT_FOUND", "the venue never received the order (no order with this client order id)"))

    @staticmethod
    def _check_rules(instrument, order_type, quantity, price, stop_price) -> None:
        try:
            instrument.check(order_type, quantity, price, stop_price)
        except InstrumentRuleViolation as violation:
            nearest = None if violation.nearest is None else format(violation.nearest, "f")
            raise RuleViolation(violation.detail, violation.field, violation.rule, nearest) from None

    @staticmethod
    def _require_working(order: Order, action: str) -> None:
        if order.is_terminal:
            raise OrderStateConflict(f"cannot {action} an order that is {order.status.value}", order.status)
        if order.status is S.PENDING_NEW:
            raise OrderStateConflict(f"cannot {action} an order the venue has not acknowledged yet", order.status)
        if order.status is S.PENDING_CANCEL:
            raise OrderStateConflict(f"cannot {action} an order that is being canceled", order.status)


def _changes_nothing(order: Order, report: ExecutionReport) -> bool:
    return (report.status is order.status and not order.needs_reconcile
            and report.venue_order_id in (None, order.venue_order_id)
            and report.filled_quantity <= order.filled_quantity)


def _set_amending(order: Order, value: bool) -> list[OrderEvent]:
    order.amending = value
    order.version += 1
    return []


def _default_tif(order_type: OrderType) -> TimeInForce | None:
    return TimeInForce.GTC if order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None


def _code(error) -> str | None:
    return None if error.code is None else str(error.code)
