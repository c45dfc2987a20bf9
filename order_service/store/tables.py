"""The order store schema. migrations/ holds the same schema as hand-written Alembic revisions."""
from __future__ import annotations

import sqlalchemy as sa

from order_service.store.types import ExactDecimal, UtcDateTime
from shared.domain import OrderStatus

OPEN_STATUSES = tuple(s.value for s in OrderStatus if not s.is_terminal)
# Partial indexes need a literal predicate that both databases accept and match against queries.
OPEN_PREDICATE = sa.text("status IN (%s)" % ", ".join(f"'{s}'" for s in OPEN_STATUSES))
UNPUBLISHED_PREDICATE = sa.text("published_at IS NULL")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("client_order_id", sa.String(128), nullable=False),
    sa.Column("venue_client_order_id", sa.String(128), nullable=False),
    sa.Column("venue", sa.String(32), nullable=False),
    sa.Column("symbol", sa.String(64), nullable=False),
    sa.Column("side", sa.String(8), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("time_in_force", sa.String(8)),
    sa.Column("quantity", ExactDecimal(), nullable=False),
    sa.Column("price", ExactDecimal()),
    sa.Column("stop_price", ExactDecimal()),
    sa.Column("post_only", sa.Boolean(), nullable=False),
    sa.Column("reduce_only", sa.Boolean(), nullable=False),
    sa.Column("account", sa.String(64)),
    sa.Column("broker", sa.String(64)),
    sa.Column("algo_id", sa.String(64)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("filled_quantity", ExactDecimal(), nullable=False),
    sa.Column("average_price", ExactDecimal()),
    sa.Column("venue_order_id", sa.String(128)),
    sa.Column("reject_code", sa.String(64)),
    sa.Column("reject_reason", sa.Text()),
    sa.Column("needs_reconcile", sa.Boolean(), nullable=False),
    sa.Column("amending", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("request_fingerprint", sa.String(128), nullable=False),
    sa.UniqueConstraint("client_order_id"),
    sa.UniqueConstraint("venue", "venue_client_order_id"),  # also the lookup index for venue reports
    # Newest-first pagination walks (created_at, id); the filters below narrow it.
    sa.Index("ix_orders_created_at_id", "created_at", "id"),
    sa.Index("ix_orders_status", "status"),
    sa.Index("ix_orders_venue_symbol", "venue", "symbol"),
    sa.Index("ix_orders_symbol", "symbol"),
    sa.Index("ix_orders_algo_id", "algo_id"),
    sa.Index("ix_orders_open", "venue", sqlite_where=OPEN_PREDICATE, postgresql_where=OPEN_PREDICATE),
)

fills = sa.Table(
    "fills",
    metadata,
    sa.Column("fill_id", sa.String(64), primary_key=True),
    sa.Column("order_id", sa.String(64), sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("venue", sa.String(32), nullable=False),
    sa.Column("symbol", sa.String(64), nullable=False),
    sa.Column("side", sa.String(8), nullable=False),
    sa.Column("venue_trade_id", sa.String(128), nullable=False),
    sa.Column("quantity", ExactDecimal(), nullable=False),
    sa.Column("price", ExactDecimal(), nullable=False),
    sa.Column("fee", ExactDecimal(), nullable=False),
    sa.Column("fee_asset", sa.String(32), nullable=False),
    sa.Column("liquidity", sa.String(8)),
    sa.Column("time", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("venue", "symbol", "venue_trade_id"),
    sa.Index("ix_fills_order_id_time", "order_id", "time"),
    sa.Index("ix_fills_time_fill_id", "time", "fill_id"),
)

order_events = sa.Table(
    "order_events",
    metadata,
    # BIGINT on PostgreSQL; SQLite only auto-increments a column declared exactly INTEGER.
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("published_at", UtcDateTime()),
    sa.Index("ix_order_events_unpublished", "seq",
             sqlite_where=UNPUBLISHED_PREDICATE, postgresql_where=UNPUBLISHED_PREDICATE),
    sa.Index("ix_order_events_order_id", "order_id"),
    # AUTOINCREMENT stops SQLite from reusing the sequence number of a deleted last row.
    sqlite_autoincrement=True,
)
