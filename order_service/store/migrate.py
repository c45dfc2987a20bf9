"""Bring an order store database to the latest schema with Alembic, configured in code."""
from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from order_service.store.engine import make_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
# Any constant works; it only has to be the same in every process migrating this database.
_PG_MIGRATION_LOCK = 0x0DE5_5107


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic Config for the bundled migrations, bound to `connection` when given."""
    config = Config()
    # Config values go through configparser interpolation, where "%" is special.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(target: str | sa.Engine, revision: str = "head") -> None:
    """Migrate the database at `target` (a URL or an Engine) to `revision`; a no-op when already there.

    The whole upgrade runs in one transaction. On SQLite it begins IMMEDIATE, and on PostgreSQL it
    holds an advisory lock, so processes starting together migrate one after the other and the
    later ones find the schema already current.
    """
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
            command.upgrade(alembic_config(connection), revision)
        log.info("order store schema at %s", revision)
    finally:
        if engine is not target:
            engine.dispose()


def current_revision(target: sa.Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with target.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
