"""Reads and writes of the order store inside one database transaction."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from order_service.store.errors import ConcurrentUpdate, DuplicateClientOrderId, OrderNotFound
from order_service.store.mapping import fill_to_row, order_to_row, order_update_values, row_to_order
from order_service.store.tables import fills, order_events, orders
from shared.domain import Fill, Order

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

# Statements are built once and take their values as parameters, so that each execution is a
# lookup in SQLAlchemy's compiled cache rather than a new statement to construct and compile.
_SELECT_BY = {
    "id": orders.c.id == sa.bindparam("order_id"),
    "client_order_id": orders.c.client_order_id == sa.bindparam("client_order_id"),
    "venue_client_order_id": sa.and_(orders.c.venue == sa.bindparam("venue"),
                                     orders.c.venue_client_order_id == sa.bindparam("venue_client_order_id")),
}
_ORDER_BY = {key: sa.select(orders).where(where) for key, where in _SELECT_BY.items()}
# Row lock on PostgreSQL; on SQLite the transaction already holds the database write lock.
_ORDER_FOR_UPDATE_BY = {key: query.with_for_update() for key, query in _ORDER_BY.items()}
# The bound names differ from the column names, which an UPDATE reserves for the new values.
_SAVE = orders.update().where(orders.c.id == sa.bindparam("where_id"),
                              orders.c.version < sa.bindparam("where_version"))
_ORDER_EXISTS = sa.select(orders.c.id).where(orders.c.id == sa.bindparam("order_id"))
_HAS_FILL = sa.select(fills.c.fill_id).where(fills.c.venue == sa.bindparam("venue"),
                                             fills.c.symbol == sa.bindparam("symbol"),
                                             fills.c.venue_trade_id == sa.bindparam("venue_trade_id"))
_ADD_EVENTS = order_events.insert().returning(order_events.c.seq, sort_by_parameter_order=True)


@lru_cache(maxsize=None)
def _insert_or_skip(dialect: str, table: sa.Table, conflict_on: tuple[str, ...] | None) -> sa.Insert:
    return (_INSERTS[dialect](table).on_conflict_do_nothing(index_elements=conflict_on)
            .returning(*table.primary_key.columns))


def insert_if_absent(connection: sa.Connection, table: sa.Table, row: dict,
                     conflict_on: Sequence[str] | None = None) -> bool:
    """Insert `row` unless it collides with a unique key; True when a row was written.

    ON CONFLICT DO NOTHING rather than catching IntegrityError: on PostgreSQL an error aborts the
    whole transaction, and a concurrent insert of the same key waits for the first to commit
    instead of failing.
    """
    dialect = connection.dialect.name
    if dialect not in _INSERTS:
        with connection.begin_nested() as savepoint:
            try:
                connection.execute(table.insert(), row)
            except sa.exc.IntegrityError:
                savepoint.rollback()
                return False
        return True
    statement = _insert_or_skip(dialect, table, None if conflict_on is None else tuple(conflict_on))
    return connection.execute(statement, row).first() is not None


class UnitOfWork:
    """One transaction; OrderStore.unit_of_work() commits it on a clean exit and rolls it back on error."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def _one_order(self, key: str, parameters: dict, for_update: bool) -> sa.Row | None:
        query = (_ORDER_FOR_UPDATE_BY if for_update else _ORDER_BY)[key]
        return self.connection.execute(query, parameters).first()

    def get(self, order_id: str, *, for_update: bool = True) -> Order | None:
        row = self._one_order("id", {"order_id": order_id}, for_update)
        return None if row is None else row_to_order(row)

    def get_by_client_order_id(self, client_order_id: str, *, for_update: bool = True) -> tuple[Order, str] | None:
        """The order and the fingerprint of the request that created it."""
        row = self._one_order("client_order_id", {"client_order_id": client_order_id}, for_update)
        return None if row is None else (row_to_order(row), row.request_fingerprint)

    def get_by_venue_client_order_id(self, venue: str, venue_client_order_id: str, *,
                                     for_update: bool = True) -> Order | None:
        parameters = {"venue": venue, "venue_client_order_id": venue_client_order_id}
        row = self._one_order("venue_client_order_id", parameters, for_update)
        return None if row is None else row_to_order(row)

    def add(self, order: Order, fingerprint: str) -> None:
        """Store a new order; DuplicateClientOrderId when its client order id is taken."""
        row = order_to_row(order) | {"request_fingerprint": fingerprint}
        # No conflict target: a clash on the venue client order id is the same duplicate seen by the venue.
        if not insert_if_absent(self.connection, orders, row):
            raise DuplicateClientOrderId(order.client_order_id)

    def save(self, order: Order) -> None:
        """Write every mutable field; ConcurrentUpdate unless the stored version is older than order.version."""
        values = order_update_values(order) | {"where_id": order.id, "where_version": order.version}
        if self.connection.execute(_SAVE, values).rowcount == 1:
            return
        exists = self.connection.execute(_ORDER_EXISTS, {"order_id": order.id}).first()
        if exists is None:
            raise OrderNotFound(order.id)
        raise ConcurrentUpdate(order.id, order.version)

    def add_fill(self, fill: Fill) -> bool:
        """Store a fill once; False (nothing written) when its venue trade id is already stored."""
        return insert_if_absent(self.connection, fills, fill_to_row(fill),
                                conflict_on=("venue", "symbol", "venue_trade_id"))

    def has_fill(self, venue: str, symbol: str, venue_trade_id: str) -> bool:
        parameters = {"venue": venue, "symbol": symbol, "venue_trade_id": venue_trade_id}
        return self.connection.execute(_HAS_FILL, parameters).first() is not None

    def add_events(self, payloads: Sequence[tuple[str, str, str]]) -> list[int]:
        """Queue (order_id, type, json payload) events for publishing; their sequence numbers, in order."""
        if not payloads:
            return []
        now = datetime.now(timezone.utc)
        rows = [{"order_id": order_id, "type": getattr(kind, "value", kind), "payload": payload, "created_at": now}
                for order_id, kind, payload in payloads]
        return list(self.connection.scalars(_ADD_EVENTS, rows))
