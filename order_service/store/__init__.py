"""Persistence of orders, fills and the order event outbox (SQLite by default, PostgreSQL in production)."""
from order_service.store.engine import make_engine
from order_service.store.errors import ConcurrentUpdate, DuplicateClientOrderId, OrderNotFound, StoreError
from order_service.store.migrate import upgrade
from order_service.store.repository import OrderStore
from order_service.store.unit_of_work import UnitOfWork

__all__ = [
    "OrderStore", "UnitOfWork", "make_engine", "upgrade",
    "StoreError", "DuplicateClientOrderId", "ConcurrentUpdate", "OrderNotFound",
]
