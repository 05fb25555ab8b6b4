"""Order lists (OCO, OTO, OTOCO: `OrderListPlaced`, `OrderListStatus`): one row each, for
`GET /api/v3/allOrderList` and the WebSocket API's `allOrderLists` after a restart.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_lists",
        sa.Column("order_list_id", sa.BigInteger, primary_key=True),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("contingency_type", sa.String(8), nullable=False),
        sa.Column("list_client_order_id", sa.String(64), nullable=False),
        sa.Column("orders", sa.String(400), nullable=False),
        sa.Column("transaction_time_us", sa.BigInteger, nullable=False),
        sa.Column("list_status_type", sa.String(16), nullable=False),
        sa.Column("list_order_status", sa.String(16), nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_order_lists_account", "order_lists", ["account", "order_list_id"])


def downgrade() -> None:
    op.drop_index("ix_order_lists_account", "order_lists")
    op.drop_table("order_lists")
