"""Amendments of orders (`OrderAmended`): one row each, for `GET /api/v3/order/amendments`
and the WebSocket API's `order.amendments`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from assetport.store.schema import Units

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_amendments",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("order_id", sa.BigInteger, primary_key=True),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("client_order_id", sa.String(64), nullable=False),
        sa.Column("orig_qty", Units, nullable=False),
        sa.Column("new_qty", Units, nullable=False),
        sa.Column("time_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_order_amendments_order", "order_amendments", ["account", "order_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_order_amendments_order", "order_amendments")
    op.drop_table("order_amendments")
