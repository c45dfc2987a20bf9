"""The order store: orders, their fills and the outbox of order events."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

from order_service.store.cursor import decode_cursor, encode_cursor
from order_service.store.engine import READ_ONLY, make_engine
from order_service.store.group_commit import GroupCommit
from order_service.store.mapping import row_to_fill, row_to_order
from order_service.store.migrate import upgrade
from order_service.store.tables import OPEN_PREDICATE, UNPUBLISHED_PREDICATE, fills, order_events, orders
from order_service.store.unit_of_work import UnitOfWork
from order_service.store.write_turn import WriteTurn
from shared.domain import Fill, Order, OrderStatus

_MARK_BATCH = 500
_NEEDS_CHECK = (OrderStatus.PENDING_NEW.value, OrderStatus.PENDING_CANCEL.value)

# Statements built once: SQLAlchemy then finds their compiled form in its cache by structure, and
# only the parameters change from call to call.
_ORDER_BY_ID = sa.select(orders).where(orders.c.id == sa.bindparam("order_id"))
_ORDER_BY_CLIENT_ID = sa.select(orders).where(orders.c.client_order_id == sa.bindparam("client_order_id"))
_ORDER_BY_VENUE_CLIENT_ID = sa.select(orders).where(
    orders.c.venue == sa.bindparam("venue"), orders.c.venue_client_order_id == sa.bindparam("venue_client_order_id"))
_OLDEST_FIRST = (orders.c.created_at, orders.c.id)
_TO_RECONCILE = sa.select(orders).where(
    sa.or_(orders.c.needs_reconcile.is_(True), orders.c.status.in_(_NEEDS_CHECK))).order_by(*_OLDEST_FIRST)
_TO_RECONCILE_SETTLED = sa.select(orders).where(
    sa.or_(orders.c.needs_reconcile.is_(True),
           sa.and_(orders.c.status.in_(_NEEDS_CHECK),
                   orders.c.updated_at < sa.bindparam("before", type_=orders.c.updated_at.type))),
).order_by(*_OLDEST_FIRST)
_OPEN_STATES = sa.select(orders.c.id, orders.c.venue_client_order_id, orders.c.status, orders.c.filled_quantity,
                         orders.c.needs_reconcile, orders.c.updated_at, orders.c.version).where(OPEN_PREDICATE)
_UNPUBLISHED = (sa.select(order_events.c.seq, order_events.c.payload).where(UNPUBLISHED_PREDICATE)
                .order_by(order_events.c.seq).limit(sa.bindparam("limit")))
_MARK_PUBLISHED = (order_events.update()
                   .where(order_events.c.seq.in_(sa.bindparam("seqs", expanding=True)),
                          order_events.c.published_at.is_(None))
                   .values(published_at=sa.bindparam("now", type_=order_events.c.published_at.type)))


class OpenOrderState(NamedTuple):
    """What reconciliation compares with the venue's list of open orders, without loading whole orders."""

    id: str
    venue_client_order_id: str
    status: OrderStatus
    filled_quantity: Decimal
    needs_reconcile: bool
    updated_at: datetime
    version: int


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
        # SQLite has one writer at a time: writers queue for their turn instead of polling its busy
        # handler, and the threads of a process share commits. PostgreSQL locks rows and runs
        # writers side by side.
        self._write_turn = _write_turn(engine) if engine.dialect.name == "sqlite" else None
        self._group = GroupCommit(engine, self._write_turn) if self._write_turn is not None else None

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
        with self._write() as connection:
            yield UnitOfWork(connection)

    def _write(self) -> AbstractContextManager[sa.Connection]:
        return self.engine.begin() if self._group is None else self._group.member()

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._reader.connect() as connection:
            yield connection

    def _orders(self, query: sa.Select, parameters: dict | None = None) -> list[Order]:
        with self._read() as connection:
            return [row_to_order(row) for row in connection.execute(query, parameters)]

    def _first_order(self, query: sa.Select, parameters: dict) -> Order | None:
        with self._read() as connection:
            row = connection.execute(query, parameters).first()
        return None if row is None else row_to_order(row)

    # -- orders ---------------------------------------------------------------------------------

    def get(self, order_id: str) -> Order | None:
        return self._first_order(_ORDER_BY_ID, {"order_id": order_id})

    def get_by_client_order_id(self, client_order_id: str) -> Order | None:
        return self._first_order(_ORDER_BY_CLIENT_ID, {"client_order_id": client_order_id})

    def get_by_venue_client_order_id(self, venue: str, venue_client_order_id: str) -> Order | None:
        return self._first_order(_ORDER_BY_VENUE_CLIENT_ID,
                                 {"venue": venue, "venue_client_order_id": venue_client_order_id})

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
        return self._orders(query.order_by(*_OLDEST_FIRST))

    def open_order_states(self, venue: str) -> list[OpenOrderState]:
        """The reconciliation-relevant columns of the venue's orders not yet in a terminal status."""
        with self._read() as connection:
            rows = connection.execute(_OPEN_STATES.where(orders.c.venue == venue))
            return [OpenOrderState(r.id, r.venue_client_order_id, OrderStatus(r.status), r.filled_quantity,
                                   r.needs_reconcile, r.updated_at, r.version) for r in rows]

    def orders_to_reconcile(self, unchanged_since: datetime | None = None) -> list[Order]:
        """Orders whose venue state must be checked, oldest first: flagged, or waiting on a venue answer.

        With `unchanged_since`, an order waiting on a venue answer counts only once it has waited
        since before that time: younger ones are still in the hands of the request that sent them.
        """
        if unchanged_since is None:
            return self._orders(_TO_RECONCILE)
        if unchanged_since.tzinfo is None or unchanged_since.utcoffset() is None:
            raise ValueError("unchanged_since must be a timezone-aware datetime")
        return self._orders(_TO_RECONCILE_SETTLED, {"before": unchanged_since})

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

    def fills_with_accounts(self, *, venue: str | None = None, symbol: str | None = None,
                            account: str | None = None, algo_id: str | None = None) -> list[tuple[Fill, str | None]]:
        """Every fill matching the filters with its order's account, oldest first: what positions add up."""
        query = (sa.select(fills, orders.c.account).join_from(fills, orders, orders.c.id == fills.c.order_id)
                 .order_by(fills.c.time, fills.c.fill_id))
        for column, value in ((fills.c.venue, venue), (fills.c.symbol, symbol), (orders.c.account, account),
                              (orders.c.algo_id, algo_id)):
            if value is not None:
                query = query.where(column == value)
        with self._read() as connection:
            return [(row_to_fill(row), row.account) for row in connection.execute(query)]

    # -- outbox ---------------------------------------------------------------------------------

    def unpublished_events(self, limit: int = 500) -> list[tuple[int, str]]:
        """(seq, payload) of events not yet marked published, oldest first."""
        _check_limit(limit)
        with self._read() as connection:
            return [(seq, payload) for seq, payload in connection.execute(_UNPUBLISHED, {"limit": limit})]

    def mark_published(self, seqs: Sequence[int]) -> None:
        seqs = list(seqs)
        if not seqs:
            return
        now = datetime.now(timezone.utc)
        with self._write() as connection:
            for start in range(0, len(seqs), _MARK_BATCH):
                connection.execute(_MARK_PUBLISHED, {"seqs": seqs[start:start + _MARK_BATCH], "now": now})

    # -- lifecycle ------------------------------------------------------------------------------

    def ping(self) -> None:
        """Raise sqlalchemy.exc.SQLAlchemyError when the database cannot be reached."""
        with self._read() as connection:
            connection.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_turn is not None:
            self._write_turn.close()


def _write_turn(engine: sa.Engine) -> WriteTurn:
    """Turns for the writers of this SQLite database; across processes only for a database file."""
    database = engine.url.database
    in_memory = database in (None, "", ":memory:") or database.startswith("file::memory:")
    return WriteTurn(None if in_memory else Path(f"{database}.writers.lock"))
