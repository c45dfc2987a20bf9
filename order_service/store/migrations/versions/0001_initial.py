"""Orders, fills and the order event outbox.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the storage types, so later changes to the application's types cannot alter
# what this revision creates. Amounts: exact NUMERIC on PostgreSQL, fixed-point text elsewhere.
AMOUNT = sa.Text().with_variant(postgresql.NUMERIC(), "postgresql")
TIME = sa.DateTime(timezone=True)
OPEN = sa.text("status IN ('PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL')")
UNPUBLISHED = sa.text("published_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("client_order_id", sa.String(128), nullable=False),
        sa.Column("venue_client_order_id", sa.String(128), nullable=False),
        sa.Column("venue", sa.String(32), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("time_in_force", sa.String(8), nullable=True),
        sa.Column("quantity", AMOUNT, nullable=False),
        sa.Column("price", AMOUNT, nullable=True),
        sa.Column("stop_price", AMOUNT, nullable=True),
        sa.Column("post_only", sa.Boolean(), nullable=False),
        sa.Column("reduce_only", sa.Boolean(), nullable=False),
        sa.Column("account", sa.String(64), nullable=True),
        sa.Column("broker", sa.String(64), nullable=True),
        sa.Column("algo_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("filled_quantity", AMOUNT, nullable=False),
        sa.Column("average_price", AMOUNT, nullable=True),
        sa.Column("venue_order_id", sa.String(128), nullable=True),
        sa.Column("reject_code", sa.String(64), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("needs_reconcile", sa.Boolean(), nullable=False),
        sa.Column("amending", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("request_fingerprint", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("client_order_id", name="uq_orders_client_order_id"),
        sa.UniqueConstraint("venue", "venue_client_order_id", name="uq_orders_venue_venue_client_order_id"),
    )
    op.create_index("ix_orders_created_at_id", "orders", ["created_at", "id"])
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_index("ix_orders_venue_symbol", "orders", ["venue", "symbol"])
    op.create_index("ix_orders_symbol", "orders", ["symbol"])
    op.create_index("ix_orders_algo_id", "orders", ["algo_id"])
    op.create_index("ix_orders_open", "orders", ["venue"], sqlite_where=OPEN, postgresql_where=OPEN)

    op.create_table(
        "fills",
        sa.Column("fill_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("venue", sa.String(32), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("venue_trade_id", sa.String(128), nullable=False),
        sa.Column("quantity", AMOUNT, nullable=False),
        sa.Column("price", AMOUNT, nullable=False),
        sa.Column("fee", AMOUNT, nullable=False),
        sa.Column("fee_asset", sa.String(32), nullable=False),
        sa.Column("liquidity", sa.String(8), nullable=True),
        sa.Column("time", TIME, nullable=False),
        sa.PrimaryKeyConstraint("fill_id", name="pk_fills"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_fills_order_id_orders"),
        sa.UniqueConstraint("venue", "symbol", "venue_trade_id", name="uq_fills_venue_symbol_venue_trade_id"),
    )
    op.create_index("ix_fills_order_id_time", "fills", ["order_id", "time"])
    op.create_index("ix_fills_time_fill_id", "fills", ["time", "fill_id"])

    op.create_table(
        "order_events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("published_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_order_events"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_order_events_unpublished", "order_events", ["seq"],
                    sqlite_where=UNPUBLISHED, postgresql_where=UNPUBLISHED)
    op.create_index("ix_order_events_order_id", "order_events", ["order_id"])


def downgrade() -> None:
    op.drop_table("order_events")
    op.drop_table("fills")
    op.drop_table("orders")
