"""Every order the engine knows: open ones per account, and a bounded history of finished ones."""
from __future__ import annotations

from collections import deque

from exchange_simulator.engine.errors import UnknownOrder
from exchange_simulator.engine.model import EngineOrder


class OrderRegistry:
    __slots__ = ("_by_id", "_by_client", "_open", "_finished", "_history_limit")

    def __init__(self, history_limit: int) -> None:
        self._by_id: dict[int, EngineOrder] = {}
        # account -> client order id -> the latest order that used it
        self._by_client: dict[str, dict[str, EngineOrder]] = {}
        self._open: dict[str, dict[int, EngineOrder]] = {}
        self._finished: deque[EngineOrder] = deque()
        self._history_limit = history_limit

    def has_open_client_id(self, account: str, client_order_id: str) -> bool:
        order = self._by_client.get(account, {}).get(client_order_id)
        return order is not None and order.is_open

    def add(self, order: EngineOrder) -> None:
        account = order.account
        self._by_id[order.order_id] = order
        open_orders = self._open.get(account)
        if open_orders is None:
            open_orders = self._open[account] = {}
            self._by_client[account] = {}
        open_orders[order.order_id] = order
        self._by_client[account][order.client_order_id] = order

    def close(self, order: EngineOrder) -> None:
        """Move a terminal order to the history, forgetting the oldest finished ones beyond the limit."""
        del self._open[order.account][order.order_id]
        finished = self._finished
        finished.append(order)
        if len(finished) > self._history_limit:
            old = finished.popleft()
            del self._by_id[old.order_id]
            by_client = self._by_client[old.account]
            if by_client.get(old.client_order_id) is old:
                del by_client[old.client_order_id]

    def find(
        self, account: str, symbol: str, order_id: int | None, client_order_id: str | None
    ) -> EngineOrder:
        if order_id is not None:
            order = self._by_id.get(order_id)
        elif client_order_id is not None:
            order = self._by_client.get(account, {}).get(client_order_id)
        else:
            raise UnknownOrder("either order_id or client_order_id is required")
        if order is None or order.account != account or order.symbol != symbol:
            raise UnknownOrder()
        if client_order_id is not None and order.client_order_id != client_order_id:
            raise UnknownOrder()
        return order

    def open_orders(self, account: str, symbol: str | None = None) -> list[EngineOrder]:
        orders = self._open.get(account, {}).values()
        return [o for o in orders if symbol is None or o.symbol == symbol]
