"""Orders say which order list (OCO, OTO, OTOCO) they are a leg of, -1 for none, so that
`GET /api/v3/order`, `allOrders` and `myTrades` read from SQL after a restart show the
`orderListId` of a list that has ended; every order recorded before is read as -1.
Amendments say the client order id the amend gave the order ("" before: it kept its own).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(
            sa.Column("order_list_id", sa.BigInteger, nullable=False, server_default="-1")
        )
    with op.batch_alter_table("order_amendments") as batch:
        batch.add_column(
            sa.Column("new_client_order_id", sa.String(64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("order_amendments") as batch:
        batch.drop_column("new_client_order_id")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("order_list_id")
