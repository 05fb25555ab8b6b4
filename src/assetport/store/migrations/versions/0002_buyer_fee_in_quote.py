"""Trades say whether the buyer paid its fee in quote (a buy on a QUOTE-fee market) rather
than in base; every trade recorded before was in base.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trades") as batch:
        batch.add_column(
            sa.Column("buyer_fee_in_quote", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("trades") as batch:
        batch.drop_column("buyer_fee_in_quote")
