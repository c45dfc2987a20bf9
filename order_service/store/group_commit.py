"""Group commit for SQLite: the write transactions of concurrent threads share one durable commit."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from order_service.store.write_turn import WriteTurn

# A group commits at the latest after this many members, so that a steady stream of writers
# cannot keep the first ones waiting for their commit.
MAX_GROUP = 32
_SAVEPOINT = "SAVEPOINT group_member"
_ROLLBACK_TO = "ROLLBACK TO SAVEPOINT group_member"
_RELEASE = "RELEASE SAVEPOINT group_member"


class _Group:
    def __init__(self) -> None:
        self.done = False
        self.error: BaseException | None = None


class GroupCommit:
    """Runs write transactions one after another inside one SQLite transaction, committed once.

    SQLite commits durably (synchronous=FULL) by syncing its log to disk, which takes longer than
    the statements of a typical write. A thread that finishes its transaction while others wait
    for their turn hands the still-open database transaction to the next one instead of
    committing; the last one commits for all. Each member runs in a SAVEPOINT, so one that fails
    is rolled back alone, and none returns before the commit that makes its writes durable. A
    failed commit fails every member of the group.
    """

    def __init__(self, engine: sa.Engine, turn: WriteTurn) -> None:
        self._engine = engine
        self._turn = turn
        self._cond = threading.Condition()
        self._busy = False            # a member is running on the shared connection
        self._waiting = 0             # members queued for the connection
        self._connection: sa.Connection | None = None
        self._transaction: sa.RootTransaction | None = None
        self._group = _Group()
        self._members = 0
        self._running_in: threading.local = threading.local()

    @contextmanager
    def member(self) -> Iterator[sa.Connection]:
        """The shared connection inside a savepoint of the group's open transaction."""
        if getattr(self._running_in, "active", False):
            raise RuntimeError("a write transaction cannot be opened inside another one")
        with self._cond:
            self._waiting += 1
            while self._busy:
                self._cond.wait()
            self._waiting -= 1
            self._busy = True
        self._running_in.active = True
        failure: BaseException | None = None
        group = self._group
        try:
            connection = self._open()
            # Plain SQL rather than begin_nested(): the savepoint never outlives this block, and
            # SQLAlchemy would compile its statements anew for every member.
            connection.exec_driver_sql(_SAVEPOINT)
            try:
                yield connection
            except BaseException:
                connection.exec_driver_sql(_ROLLBACK_TO)
                connection.exec_driver_sql(_RELEASE)
                raise
            connection.exec_driver_sql(_RELEASE)
        except BaseException as error:
            failure = error
        finally:
            self._running_in.active = False
        self._finish(group)
        if failure is not None:
            raise failure
        if group.error is not None:
            raise group.error

    def _open(self) -> sa.Connection:
        if self._connection is None:
            self._turn.acquire()
            try:
                connection = self._engine.connect()
                try:
                    self._transaction = connection.begin()
                except BaseException:
                    connection.close()
                    raise
            except BaseException:
                self._turn.release()
                raise
            self._connection = connection
            self._members = 0
        self._members += 1
        return self._connection

    def _finish(self, group: _Group) -> None:
        """Hand the open transaction to a waiting member, or commit it and wake the group."""
        with self._cond:
            if self._connection is not None and self._waiting and self._members < MAX_GROUP:
                self._busy = False
                self._cond.notify_all()
                while not group.done:
                    self._cond.wait()
                return
        self._commit(group)

    def _commit(self, group: _Group) -> None:
        connection, transaction = self._connection, self._transaction
        self._connection = self._transaction = None
        try:
            if connection is not None:
                try:
                    transaction.commit()
                except BaseException as error:
                    group.error = error
                finally:
                    try:
                        connection.close()
                    finally:
                        self._turn.release()
        finally:
            # Whatever happened above, the members waiting for this commit must wake.
            with self._cond:
                group.done = True
                self._group = _Group()
                self._busy = False
                self._cond.notify_all()
