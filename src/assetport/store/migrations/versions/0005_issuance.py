"""Issuance's history (docs/issuance.md): reserve attestations and their lots, supply
changes, subscriptions, redemptions with their latest state, retirement certificates,
distributions with each holder's payout, the issuer's transfers and its agents' freezes
and releases of holdings (with the agent who acted, as for a redemption's confirmation or
rejection), for the public and user endpoints under `/api/v1/assets`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from assetport.store.schema import Units

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = (
    "rwa_attestations",
    "rwa_attestation_lots",
    "rwa_supply_changes",
    "rwa_subscriptions",
    "rwa_redemptions",
    "rwa_retirements",
    "rwa_distributions",
    "rwa_payouts",
    "rwa_transfers",
    "rwa_freezes",
)


def upgrade() -> None:
    op.create_table(
        "rwa_attestations",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("attestor", sa.Text, nullable=False),
        sa.Column("as_of_us", sa.BigInteger, nullable=False),
        sa.Column("total_units", Units, nullable=False),
        sa.Column("supply", Units, nullable=False),
        sa.Column("lots", sa.Integer, nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    op.create_index("ix_rwa_attestations_asset", "rwa_attestations", ["asset", "seq"])
    op.create_table(
        "rwa_attestation_lots",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("serial", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("vault", sa.Text, nullable=False),
        sa.Column("units", Units, nullable=False),
        sa.Column("gross", Units, nullable=False),
        sa.Column("fineness", sa.Integer, nullable=False),
    )
    op.create_table(
        "rwa_supply_changes",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("asset", sa.String(12), primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("supply", Units, nullable=False),
        sa.Column("reserve_used", Units, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
    )
    op.create_index("ix_rwa_supply_changes_asset", "rwa_supply_changes", ["asset", "seq"])
    op.create_table(
        "rwa_subscriptions",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("issuer", sa.BigInteger, nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("quote", sa.String(12), nullable=False),
        sa.Column("cost", Units, nullable=False),
        sa.Column("fee", Units, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
    )
    op.create_index("ix_rwa_subscriptions_account", "rwa_subscriptions", ["account", "seq"])
    op.create_table(
        "rwa_redemptions",
        sa.Column("redemption_id", sa.BigInteger, primary_key=True),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("issuer", sa.BigInteger, nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("fee", Units, nullable=False),
        sa.Column("physical", sa.Boolean, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("requested_seq", sa.BigInteger, nullable=False),
        sa.Column("requested_us", sa.BigInteger, nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
        sa.Column("burned", Units, nullable=False),
        sa.Column("bars", sa.Text, nullable=False),
        sa.Column("cash_units", Units, nullable=False),
        sa.Column("pay_asset", sa.String(12), nullable=False),
        sa.Column("cash_price", Units, nullable=False),
        sa.Column("cash", Units, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("agent", sa.Text, nullable=False),
    )
    op.create_index("ix_rwa_redemptions_account", "rwa_redemptions", ["account", "redemption_id"])
    op.create_index(
        "ix_rwa_redemptions_status", "rwa_redemptions", ["status", "asset", "redemption_id"]
    )
    op.create_table(
        "rwa_retirements",
        sa.Column("certificate_id", sa.BigInteger, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("beneficiary", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("serials", sa.Text, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
    )
    op.create_index("ix_rwa_retirements_account", "rwa_retirements", ["account", "certificate_id"])
    op.create_table(
        "rwa_distributions",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("pay_asset", sa.String(12), nullable=False),
        sa.Column("issuer", sa.BigInteger, nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("remainder", Units, nullable=False),
        sa.Column("holders", sa.Integer, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
    )
    op.create_index("ix_rwa_distributions_asset", "rwa_distributions", ["asset", "seq"])
    op.create_table(
        "rwa_payouts",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("account", sa.BigInteger, primary_key=True),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("pay_asset", sa.String(12), nullable=False),
        sa.Column("amount", Units, nullable=False),
    )
    op.create_index("ix_rwa_payouts_account", "rwa_payouts", ["account", "seq"])
    op.create_table(
        "rwa_transfers",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("issuer", sa.BigInteger, nullable=False),
        sa.Column("source", sa.BigInteger, nullable=False),
        sa.Column("target", sa.BigInteger, nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("agent", sa.Text, nullable=False),
    )
    op.create_index("ix_rwa_transfers_asset", "rwa_transfers", ["asset", "seq"])
    op.create_index("ix_rwa_transfers_source", "rwa_transfers", ["source", "seq"])
    op.create_index("ix_rwa_transfers_target", "rwa_transfers", ["target", "seq"])
    op.create_table(
        "rwa_freezes",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("issuer", sa.BigInteger, nullable=False),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("frozen", Units, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("agent", sa.Text, nullable=False),
    )
    op.create_index("ix_rwa_freezes_account", "rwa_freezes", ["account", "seq"])
    # A token's holder register reads the balances by asset.
    op.create_index("ix_balances_asset", "balances", ["asset", "account"])


def downgrade() -> None:
    op.drop_index("ix_balances_asset", "balances")
    for name in reversed(TABLES):
        op.drop_table(name)  # its indexes go with it
