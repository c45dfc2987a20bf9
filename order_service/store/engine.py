"""Engines for the order store: SQLite (embedded default) tuned for several writer processes, or PostgreSQL."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option naming the BEGIN a SQLite transaction starts with; see READ_ONLY.
SQLITE_BEGIN_OPTION = "order_store_sqlite_begin"
READ_ONLY = {SQLITE_BEGIN_OPTION: "DEFERRED"}


def make_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **engine_kwargs) -> sa.Engine:
    """An Engine for `url`. Extra keyword arguments go to sqlalchemy.create_engine."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, busy_timeout_ms, engine_kwargs)
    engine_kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **engine_kwargs)


def _sqlite_engine(url: sa.URL, busy_timeout_ms: int, engine_kwargs: dict) -> sa.Engine:
    in_memory = url.database in (None, "", ":memory:")
    connect_args = engine_kwargs.pop("connect_args", {})
    # The pool hands a connection to one thread at a time, so sqlite3's own thread check only gets in the way.
    connect_args.setdefault("check_same_thread", False)
    if in_memory:
        # One shared connection, or every pooled connection would open its own empty database.
        engine_kwargs.setdefault("poolclass", StaticPool)
    engine = sa.create_engine(url, connect_args=connect_args, **engine_kwargs)

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # SQLAlchemy, not sqlite3, decides when a transaction begins (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # The busy timeout comes first so that switching to WAL waits for other processes too.
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            if not in_memory:
                # WAL lets readers run while a writer commits; the mode persists in the file.
                mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    log.warning("SQLite kept journal mode %s; readers will wait for writers", mode)
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # A deferred transaction that later writes fails at once with "database is locked" when
        # another process wrote meanwhile; taking the write lock up front makes writers queue on
        # the busy timeout instead. Read-only work opts into DEFERRED so it never waits for writers.
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
