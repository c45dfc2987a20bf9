"""An in-memory stand-in for `Strategy.orders`, with the order service's client-order-id idempotency."""
from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

from shared.client import OrderRequestRejected, OrderServiceUnavailable
from shared.domain import OrderStatus, OrderType, Side

from algo_service.sdk import OrderUpdate, OrderView
from algo_service.sdk.events import FillView

INSTRUMENTS = {
    ("b3", "BITH11"): {"tick_size": "0.01", "step_size": "1", "min_quantity": "1", "min_notional": "0.01"},
    ("binance-futures", "BTCUSDT"): {"tick_size": "0.10", "step_size": "0.001", "min_quantity": "0.001",
                                     "min_notional": "100"},
    ("binance", "BTCUSDT"): {"tick_size": "0.01", "step_size": "0.00001", "min_quantity": "0.00001",
                             "min_notional": "5"},
}


class FakeOrders:
    def __init__(self, algo_id: str = "algo-test") -> None:
        self.algo_id = algo_id
        self.orders: dict[str, OrderView] = {}
        self.by_client_id: dict[str, str] = {}
        self.sent: list[OrderView] = []          # every new order the service created
        self.unavailable = False                 # the service cannot be reached
        self.lose_answer = False                 # the next place is executed but its answer is lost
        self.amends: list[tuple[str, Decimal]] = []
        self._ids = itertools.count(1)

    def client_order_id(self, tag: str | None = None) -> str:
        return f"{self.algo_id}-{tag or next(self._ids)}"[:36]

    def instrument(self, venue: str, symbol: str) -> dict:
        if (venue, symbol) not in INSTRUMENTS:
            raise OrderRequestRejected(404, {"detail": f"{venue} has no {symbol}", "field": "symbol"})
        return INSTRUMENTS[(venue, symbol)]

    def _check(self) -> None:
        if self.unavailable:
            raise OrderServiceUnavailable("order service unreachable (ConnectionError)")

    def place(self, *, venue, symbol, side, type, quantity, price=None, client_order_id=None, **extra) -> OrderView:
        self._check()
        client_order_id = client_order_id or self.client_order_id()
        if client_order_id in self.by_client_id:
            return self.orders[self.by_client_id[client_order_id]]
        filled = quantity if OrderType(type) is OrderType.MARKET else Decimal(0)
        order = OrderView(id=f"o{next(self._ids)}", client_order_id=client_order_id, venue=venue, symbol=symbol,
                          side=Side(side), type=OrderType(type),
                          status=OrderStatus.FILLED if filled else OrderStatus.NEW, quantity=quantity,
                          filled_quantity=filled, price=price, average_price=None, version=1)
        self.orders[order.id] = order
        self.by_client_id[client_order_id] = order.id
        self.sent.append(order)
        if self.lose_answer:
            self.lose_answer = False
            raise OrderServiceUnavailable("POST /api/v1/orders: timed out")
        return order

    def limit(self, venue, symbol, side, quantity, price, **extra) -> OrderView:
        return self.place(venue=venue, symbol=symbol, side=side, type=OrderType.LIMIT, quantity=quantity, price=price,
                          **extra)

    def market(self, venue, symbol, side, quantity, **extra) -> OrderView:
        return self.place(venue=venue, symbol=symbol, side=side, type=OrderType.MARKET, quantity=quantity, **extra)

    def amend(self, order_id, *, price=None, quantity=None) -> OrderView:
        self._check()
        order = self.orders[order_id]
        self.amends.append((order_id, price))
        self.orders[order_id] = replace(order, price=price or order.price, version=order.version + 1)
        return self.orders[order_id]

    def cancel(self, order_id) -> OrderView:
        self._check()
        order = self.orders[order_id]
        if order.status.is_terminal:
            raise OrderRequestRejected(409, {"detail": "order is FILLED"})
        self.orders[order_id] = replace(order, status=OrderStatus.CANCELED, version=order.version + 1)
        return self.orders[order_id]

    def working(self) -> list[OrderView]:
        self._check()
        return [o for o in self.orders.values() if o.is_working]

    def all(self) -> list[OrderView]:
        self._check()
        return list(self.orders.values())

    def cancel_all(self) -> int:
        return sum(1 for o in self.working() if self.cancel(o.id))

    # -- what the venue does --------------------------------------------------------------------

    def fill(self, order_id: str, quantity: str, price: str = "33.00") -> OrderUpdate:
        """The venue fills part of a working order; returns the event the strategy receives."""
        order = self.orders[order_id]
        filled = order.filled_quantity + Decimal(quantity)
        status = OrderStatus.FILLED if filled == order.quantity else OrderStatus.PARTIALLY_FILLED
        order = replace(order, filled_quantity=filled, status=status, version=order.version + 1)
        self.orders[order_id] = order
        kind = "order.filled" if status is OrderStatus.FILLED else "order.partially_filled"
        return OrderUpdate(kind, order, FillView(f"f{order.version}", Decimal(quantity), Decimal(price), Decimal(0),
                                                 "BRL"), None)

    def hedges(self) -> list[OrderView]:
        return [o for o in self.sent if o.venue == "binance-futures"]
