"""Small balances converted (`DustConverted`): one row per asset of each conversion, for
`GET /sapi/v1/asset/dribblet`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from assetport.store.schema import Units

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dust_conversions",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("target", sa.String(12), nullable=False),
        sa.Column("fee", Units, nullable=False),
        sa.Column("transferred", Units, nullable=False),
    )
    op.create_index("ix_dust_conversions_account", "dust_conversions", ["account", "seq"])


def downgrade() -> None:
    op.drop_index("ix_dust_conversions_account", "dust_conversions")
    op.drop_table("dust_conversions")
