"""In-memory stand-ins for a venue and the event bus, for service and API tests."""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from shared.domain import (
    ExecutionReport,
    Instrument,
    InstrumentKind,
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    VenueFill,
    VenueRejected,
)

BTCUSDT = Instrument(venue="fake", symbol="BTCUSDT", kind=InstrumentKind.SPOT, base="BTC", quote="USDT",
                     tick_size=Decimal("0.01"), step_size=Decimal("0.00001"), min_quantity=Decimal("0.00001"),
                     max_quantity=Decimal("9000"), min_notional=Decimal("5"))


@dataclass
class FakeVenue:
    """Fills MARKET orders at `price`, rests LIMIT orders, and fails on demand."""

    name: str = "fake"
    price: Decimal = Decimal("65000")
    fail_next: list[Exception] = field(default_factory=list)
    submitted: list[Order] = field(default_factory=list)
    resting: dict[str, ExecutionReport] = field(default_factory=dict)
    _trade_ids = itertools.count(1)

    def load_instruments(self):
        return [BTCUSDT]

    def _maybe_fail(self) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)

    def submit(self, order: Order) -> ExecutionReport:
        self.submitted.append(order)
        self._maybe_fail()
        now = datetime.now(timezone.utc)
        if order.type is OrderType.MARKET:
            fill = VenueFill(str(next(self._trade_ids)), order.quantity, self.price, Decimal("0.00001"), "BTC",
                             Liquidity.TAKER, now)
            return ExecutionReport(order.venue_client_order_id, order.symbol, OrderStatus.FILLED,
                                   f"v-{order.id}", order.quantity, self.price, (fill,), time=now)
        report = ExecutionReport(order.venue_client_order_id, order.symbol, OrderStatus.NEW, f"v-{order.id}", time=now)
        self.resting[order.venue_client_order_id] = report
        return report

    def cancel(self, order: Order) -> ExecutionReport:
        self._maybe_fail()
        if self.resting.pop(order.venue_client_order_id, None) is None:
            raise VenueRejected("Unknown order sent.", -2011, 400)
        return ExecutionReport(order.venue_client_order_id, order.symbol, OrderStatus.CANCELED, order.venue_order_id)

    def amend(self, order: Order, quantity, price) -> ExecutionReport:
        self._maybe_fail()
        self.resting.pop(order.venue_client_order_id, None)
        new_id = f"{order.client_order_id}-r{order.version}"
        report = ExecutionReport(new_id, order.symbol, OrderStatus.NEW, f"v2-{order.id}")
        self.resting[new_id] = report
        return report

    def query(self, order: Order):
        self._maybe_fail()
        return self.resting.get(order.venue_client_order_id)

    def open_orders(self, symbol=None):
        return list(self.resting.values())

    def stream_executions(self, on_report, should_stop):
        while not should_stop():
            threading.Event().wait(0.05)

    def close(self):
        pass


class FakeTurn:
    """The bus's relay turn in memory: one holder, requests left for it by those who found it taken."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self.holder: object | None = None
        self.again = False

    def take(self, who: object) -> bool:
        with self._mutex:
            if self.holder is None:
                self.holder, self.again = who, False
                return True
            self.again = True
            return False

    def hand_back(self, who: object) -> bool:
        with self._mutex:
            assert self.holder is who
            if self.again:
                self.again = False
                return True
            self.holder = None
            return False

    def give_up(self, who: object) -> None:
        with self._mutex:
            if self.holder is who:
                self.holder = None


class _TurnHandle:
    def __init__(self, turn: FakeTurn) -> None:
        self._turn = turn

    def take(self) -> bool:
        return self._turn.take(self)

    def hand_back(self) -> bool:
        return self._turn.hand_back(self)

    def give_up(self) -> None:
        self._turn.give_up(self)


@dataclass
class FakeBus:
    events: list = field(default_factory=list)
    turn: FakeTurn = field(default_factory=FakeTurn)

    def publish_order_events(self, events) -> int:
        seen = {e.seq for e in self.events}
        new = [e for e in events if e.seq not in seen]
        self.events.extend(new)
        return len(new)

    def relay_turn(self, name, ttl_seconds=30.0):
        return _TurnHandle(self.turn)

    def ping(self) -> bool:
        return True

    def get_value(self, name: str) -> str | None:
        return None

    def types(self, order_id: str | None = None) -> list[str]:
        return [e.type for e in self.events if order_id is None or e.order_id == order_id]
