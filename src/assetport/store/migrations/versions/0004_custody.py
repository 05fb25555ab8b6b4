"""Custody: deposits credited from a chain, withdrawals with their latest state, and each
account's withdrawal addresses, for `GET /sapi/v1/capital/deposit/hisrec` and
`GET /sapi/v1/capital/withdraw/history`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from assetport.store.schema import Units

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_deposits",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("network", sa.String(32), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("log_index", sa.BigInteger, nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.UniqueConstraint("network", "tx_hash", "log_index", name="uq_chain_deposits_chain_key"),
    )
    op.create_index("ix_chain_deposits_account", "chain_deposits", ["account", "seq"])
    op.create_table(
        "withdrawals",
        sa.Column("withdrawal_id", sa.String(64), primary_key=True),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("network", sa.String(32), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("fee", Units, nullable=False),
        sa.Column("client_ref", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("approvals", sa.Integer, nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("nonce", sa.BigInteger, nullable=False),
        sa.Column("requested_seq", sa.BigInteger, nullable=False),
        sa.Column("requested_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.Column("completed_us", sa.BigInteger, nullable=True),
        sa.Column("reason", sa.String(200), nullable=False),
    )
    op.create_index("ix_withdrawals_account", "withdrawals", ["account", "requested_seq"])
    op.create_table(
        "withdrawal_addresses",
        sa.Column("account", sa.BigInteger, primary_key=True),
        sa.Column("network", sa.String(32), primary_key=True),
        sa.Column("address", sa.String(128), primary_key=True),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("usable_from_us", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("withdrawal_addresses")
    op.drop_index("ix_withdrawals_account", "withdrawals")
    op.drop_table("withdrawals")
    op.drop_index("ix_chain_deposits_account", "chain_deposits")
    op.drop_table("chain_deposits")
