"""The order store: orders, their fills and the outbox of order events."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa

from order_service.store.cursor import decode_cursor, encode_cursor
from order_service.store.engine import READ_ONLY, make_engine
from order_service.store.mapping import row_to_fill, row_to_order
from order_service.store.migrate import upgrade
from order_service.store.tables import OPEN_PREDICATE, UNPUBLISHED_PREDICATE, fills, order_events, orders
from order_service.store.unit_of_work import UnitOfWork
from shared.domain import Fill, Order, OrderStatus

_MARK_BATCH = 500
_NEEDS_CHECK = (OrderStatus.PENDING_NEW.value, OrderStatus.PENDING_CANCEL.value)


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("limit must be a positive integer")


def _check_page(since: datetime | None, limit: int) -> None:
    _check_limit(limit)
    if since is not None and (since.tzinfo is None or since.utcoffset() is None):
        raise ValueError("since must be a timezone-aware datetime")


def _page(query: sa.Select, time_column: sa.Column, key_column: sa.Column, cursor: str | None,
          limit: int) -> sa.Select:
    """Newest first, resuming strictly after the cursor's (time, key), with one extra row to detect a next page."""
    if cursor is not None:
        time, key = decode_cursor(cursor)
        query = query.where(sa.or_(time_column < time, sa.and_(time_column == time, key_column < key)))
    return query.order_by(time_column.desc(), key_column.desc()).limit(limit + 1)


class OrderStore:
    """Persistence of orders behind one Engine. Reads use short transactions of their own."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._reader = engine.execution_options(**READ_ONLY)

    @classmethod
    def from_url(cls, url: str, *, migrate: bool = True, **engine_kwargs) -> "OrderStore":
        """A store for the database at `url`, migrated to the latest schema unless migrate=False."""
        engine = make_engine(url, **engine_kwargs)
        if migrate:
            try:
                upgrade(engine)
            except BaseException:
                engine.dispose()
                raise
        return cls(engine)

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One write transaction: committed when the block exits cleanly, rolled back on an exception."""
        with self.engine.begin() as connection:
            yield UnitOfWork(connection)

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._reader.connect() as connection:
            yield connection

    def _orders(self, query: sa.Select) -> list[Order]:
        with self._read() as connection:
            return [row_to_order(row) for row in connection.execute(query)]

    def _first_order(self, where: sa.ColumnElement[bool]) -> Order | None:
        found = self._orders(sa.select(orders).where(where))
        return found[0] if found else None

    # -- orders ---------------------------------------------------------------------------------

    def get(self, order_id: str) -> Order | None:
        return self._first_order(orders.c.id == order_id)

    def get_by_client_order_id(self, client_order_id: str) -> Order | None:
        return self._first_order(orders.c.client_order_id == client_order_id)

    def get_by_venue_client_order_id(self, venue: str, venue_client_order_id: str) -> Order | None:
        return self._first_order(sa.and_(orders.c.venue == venue,
                                         orders.c.venue_client_order_id == venue_client_order_id))

    def list_orders(self, *, status: Sequence[OrderStatus] | None = None, venue: str | None = None,
                    symbol: str | None = None, algo_id: str | None = None, since: datetime | None = None,
                    cursor: str | None = None, limit: int = 100) -> tuple[list[Order], str | None]:
        """A page of orders, newest first, and the cursor of the next page (None on the last one)."""
        _check_page(since, limit)
        query = sa.select(orders)
        if status is not None:
            query = query.where(orders.c.status.in_([OrderStatus(s).value for s in status]))
        for column, value in ((orders.c.venue, venue), (orders.c.symbol, symbol), (orders.c.algo_id, algo_id)):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(orders.c.created_at >= since)
        found = self._orders(_page(query, orders.c.created_at, orders.c.id, cursor, limit))
        page = found[:limit]
        more = len(found) > limit
        return page, encode_cursor(page[-1].created_at, page[-1].id) if more else None

    def open_orders(self, venue: str | None = None) -> list[Order]:
        """Orders not yet in a terminal status, oldest first."""
        query = sa.select(orders).where(OPEN_PREDICATE)
        if venue is not None:
            query = query.where(orders.c.venue == venue)
        return self._orders(query.order_by(orders.c.created_at, orders.c.id))

    def orders_to_reconcile(self) -> list[Order]:
        """Orders whose venue state must be checked: flagged, or waiting on a venue answer. Oldest first."""
        query = sa.select(orders).where(sa.or_(orders.c.needs_reconcile.is_(True),
                                               orders.c.status.in_(_NEEDS_CHECK)))
        return self._orders(query.order_by(orders.c.created_at, orders.c.id))

    # -- fills ----------------------------------------------------------------------------------

    def _fills(self, query: sa.Select) -> list[Fill]:
        with self._read() as connection:
            return [row_to_fill(row) for row in connection.execute(query)]

    def fills_for_order(self, order_id: str) -> list[Fill]:
        """The order's fills, oldest first."""
        query = sa.select(fills).where(fills.c.order_id == order_id).order_by(fills.c.time, fills.c.fill_id)
        return self._fills(query)

    def list_fills(self, *, venue: str | None = None, symbol: str | None = None, order_id: str | None = None,
                   algo_id: str | None = None, since: datetime | None = None, cursor: str | None = None,
                   limit: int = 100) -> tuple[list[Fill], str | None]:
        """A page of fills, newest first, and the cursor of the next page (None on the last one)."""
        _check_page(since, limit)
        query = sa.select(fills)
        if algo_id is not None:
            query = query.join_from(fills, orders, orders.c.id == fills.c.order_id).where(orders.c.algo_id == algo_id)
        for column, value in ((fills.c.venue, venue), (fills.c.symbol, symbol), (fills.c.order_id, order_id)):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(fills.c.time >= since)
        found = self._fills(_page(query, fills.c.time, fills.c.fill_id, cursor, limit))
        page = found[:limit]
        more = len(found) > limit
        return page, encode_cursor(page[-1].time, page[-1].fill_id) if more else None

    # -- outbox ---------------------------------------------------------------------------------

    def unpublished_events(self, limit: int = 500) -> list[tuple[int, str]]:
        """(seq, payload) of events not yet marked published, oldest first."""
        _check_limit(limit)
        query = (sa.select(order_events.c.seq, order_events.c.payload)
                 .where(UNPUBLISHED_PREDICATE).order_by(order_events.c.seq).limit(limit))
        with self._read() as connection:
            return [(seq, payload) for seq, payload in connection.execute(query)]

    def mark_published(self, seqs: Sequence[int]) -> None:
        seqs = list(seqs)
        if not seqs:
            return
        now = datetime.now(timezone.utc)
        with self.engine.begin() as connection:
            for start in range(0, len(seqs), _MARK_BATCH):
                batch = seqs[start:start + _MARK_BATCH]
                connection.execute(order_events.update()
                                   .where(order_events.c.seq.in_(batch), order_events.c.published_at.is_(None))
                                   .values(published_at=now))

    # -- lifecycle ------------------------------------------------------------------------------

    def ping(self) -> None:
        """Raise sqlalchemy.exc.SQLAlchemyError when the database cannot be reached."""
        with self._read() as connection:
            connection.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
