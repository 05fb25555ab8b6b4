"""The NFT marketplace's history (issue #18): every sale with its split (the fee, each
royalty receiver's share, what the seller received) and whether it was a wash trade, and
the activity of collections and items (mints, transfers, listings, offers, auctions and
bids, their ends, sales): an item's provenance and price history, a collection's activity,
an account's sales and purchases.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-19
"""

import sqlalchemy as sa
from alembic import op

from assetport.store.schema import Units

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("nft_sales", "nft_royalties", "nft_activity")


def upgrade() -> None:
    op.create_table(
        "nft_sales",
        sa.Column("sale_id", sa.BigInteger, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("source_id", sa.BigInteger, nullable=False),
        sa.Column("collection", sa.String(32), nullable=False),
        sa.Column("token_id", sa.BigInteger, nullable=False),
        sa.Column("quantity", Units, nullable=False),
        sa.Column("price", Units, nullable=False),
        sa.Column("currency", sa.String(12), nullable=False),
        sa.Column("seller", sa.BigInteger, nullable=False),
        sa.Column("buyer", sa.BigInteger, nullable=False),
        sa.Column("total", Units, nullable=False),
        sa.Column("from_held", sa.Boolean, nullable=False),
        sa.Column("fee", Units, nullable=False),
        sa.Column("royalty", Units, nullable=False),
        sa.Column("seller_receives", Units, nullable=False),
        sa.Column("wash", sa.Boolean, nullable=False),
    )
    op.create_index("ix_nft_sales_item", "nft_sales", ["collection", "token_id", "sale_id"])
    op.create_index("ix_nft_sales_collection_time", "nft_sales", ["collection", "time_us"])
    op.create_index("ix_nft_sales_seller", "nft_sales", ["seller", "sale_id"])
    op.create_index("ix_nft_sales_buyer", "nft_sales", ["buyer", "sale_id"])
    op.create_table(
        "nft_royalties",
        sa.Column("sale_id", sa.BigInteger, primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("amount", Units, nullable=False),
    )
    op.create_index("ix_nft_royalties_account", "nft_royalties", ["account", "sale_id"])
    op.create_table(
        "nft_activity",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("collection", sa.String(32), nullable=False),
        sa.Column("token_id", sa.BigInteger, nullable=True),
        sa.Column("quantity", Units, nullable=False),
        sa.Column("price", Units, nullable=False),
        sa.Column("currency", sa.String(12), nullable=False),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("counterparty", sa.BigInteger, nullable=True),
        sa.Column("ref_id", sa.BigInteger, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("trait", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_nft_activity_item", "nft_activity", ["collection", "token_id", "seq", "line"]
    )
    op.create_index("ix_nft_activity_collection", "nft_activity", ["collection", "seq", "line"])
    op.create_index("ix_nft_activity_account", "nft_activity", ["account", "seq"])
    op.create_index("ix_nft_activity_ref", "nft_activity", ["kind", "ref_id"])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)  # its indexes go with it
