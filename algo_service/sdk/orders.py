"""`Strategy.orders`: the order service client bound to one algo (every order carries its algo_id)."""
from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Any, Callable

from shared.client import OrderClient, OrderRequestRejected
from shared.domain import OrderStatus, OrderType, Side

from algo_service.sdk.events import OrderView

log = logging.getLogger(__name__)

WORKING = (OrderStatus.PENDING_NEW, OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED, OrderStatus.PENDING_CANCEL)
MAX_CLIENT_ORDER_ID = 36


class AlgoOrders:
    def __init__(self, client: OrderClient, algo_id: str, on_sent: Callable[[OrderView], None] | None = None) -> None:
        self.client = client
        self.algo_id = algo_id
        self._on_sent = on_sent or (lambda order: None)

    def client_order_id(self, tag: str | None = None) -> str:
        """`{algo_id}-{tag}`: the same tag always names the same order, so a repeat can never duplicate it."""
        tag = tag or uuid.uuid4().hex
        return f"{self.algo_id}-{tag}"[:MAX_CLIENT_ORDER_ID]

    def place(self, *, venue: str, symbol: str, side: Side | str, type: OrderType | str, quantity: Decimal,
              price: Decimal | None = None, client_order_id: str | None = None, **extra: Any) -> OrderView:
        body = self.client.place(venue=venue, symbol=symbol, side=Side(side), type=OrderType(type), quantity=quantity,
                                 price=price, client_order_id=client_order_id or self.client_order_id(),
                                 algo_id=self.algo_id, **extra)
        order = OrderView.from_dict(body)
        self._on_sent(order)
        return order

    def limit(self, venue: str, symbol: str, side: Side | str, quantity: Decimal, price: Decimal, **extra: Any) -> OrderView:
        return self.place(venue=venue, symbol=symbol, side=side, type=OrderType.LIMIT, quantity=quantity, price=price,
                          **extra)

    def market(self, venue: str, symbol: str, side: Side | str, quantity: Decimal, **extra: Any) -> OrderView:
        return self.place(venue=venue, symbol=symbol, side=side, type=OrderType.MARKET, quantity=quantity, **extra)

    def amend(self, order_id: str, *, price: Decimal | None = None, quantity: Decimal | None = None) -> OrderView:
        return OrderView.from_dict(self.client.amend(order_id, price=price, quantity=quantity))

    def cancel(self, order_id: str) -> OrderView:
        return OrderView.from_dict(self.client.cancel(order_id))

    def get(self, order_id: str) -> OrderView:
        return OrderView.from_dict(self.client.get(order_id))

    def all(self) -> list[OrderView]:
        """Every order this algo ever placed, from the order service (not from memory)."""
        return [OrderView.from_dict(o) for o in self.client.orders(algo_id=self.algo_id)]

    def working(self) -> list[OrderView]:
        statuses = ",".join(s.value for s in WORKING)
        return [OrderView.from_dict(o) for o in self.client.orders(algo_id=self.algo_id, status=statuses)]

    def cancel_all(self) -> int:
        """Cancel every working order of this algo; returns how many cancels were accepted."""
        canceled = 0
        for order in self.working():
            if order.status is OrderStatus.PENDING_CANCEL:
                continue
            try:
                self.cancel(order.id)
                canceled += 1
            except OrderRequestRejected as error:
                if error.status != 409:  # 409: it ended meanwhile (filled or canceled), nothing to cancel
                    raise
        return canceled

    def instrument(self, venue: str, symbol: str) -> dict[str, Any]:
        return self.client.instrument(venue, symbol)
