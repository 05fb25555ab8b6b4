"""The first read model: users, API keys, listings, orders, trades, balances, postings,
transfers and candles.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

import sqlalchemy as sa
from alembic import op

from assetport.store.schema import Units

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projector_state",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("last_time_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("api_key", sa.String(128), primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("key_type", sa.String(20), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("permissions", sa.String(200), nullable=False),
        sa.Column("ip_allowlist", sa.Text, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_api_keys_user_id", "api_keys", ["user_id"])
    op.create_table(
        "assets",
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("precision", sa.Integer, nullable=False),
        sa.Column("listed_seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "markets",
        sa.Column("symbol", sa.String(20), primary_key=True),
        sa.Column("base", sa.String(12), nullable=False),
        sa.Column("quote", sa.String(12), nullable=False),
        sa.Column("tick_size", Units, nullable=False),
        sa.Column("step_size", Units, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("maker_fee_bps", sa.Integer, nullable=False),
        sa.Column("taker_fee_bps", sa.Integer, nullable=False),
        sa.Column("listed_seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "orders",
        sa.Column("order_id", sa.BigInteger, primary_key=True),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("symbol", sa.String(20), nullable=False),
        sa.Column("client_order_id", sa.String(64), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("time_in_force", sa.String(3), nullable=False),
        sa.Column("stp_mode", sa.String(20), nullable=False),
        sa.Column("price", Units, nullable=False),
        sa.Column("orig_qty", Units, nullable=False),
        sa.Column("orig_quote_qty", Units, nullable=False),
        sa.Column("stop_price", Units, nullable=False),
        sa.Column("iceberg_qty", Units, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("executed_qty", Units, nullable=False),
        sa.Column("cumulative_quote_qty", Units, nullable=False),
        sa.Column("working", sa.Boolean, nullable=False),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("update_time_us", sa.BigInteger, nullable=False),
        sa.Column("working_time_us", sa.BigInteger, nullable=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("updated_seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_orders_account_symbol", "orders", ["account", "symbol", "order_id"])
    op.create_table(
        "trades",
        sa.Column("symbol", sa.String(20), primary_key=True),
        sa.Column("trade_id", sa.BigInteger, primary_key=True),
        sa.Column("agg_id", sa.BigInteger, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("price", Units, nullable=False),
        sa.Column("quantity", Units, nullable=False),
        sa.Column("quote_quantity", Units, nullable=False),
        sa.Column("buyer_order_id", sa.BigInteger, nullable=False),
        sa.Column("seller_order_id", sa.BigInteger, nullable=False),
        sa.Column("buyer_account", sa.BigInteger, nullable=False),
        sa.Column("seller_account", sa.BigInteger, nullable=False),
        sa.Column("buyer_is_maker", sa.Boolean, nullable=False),
        sa.Column("buyer_fee", Units, nullable=False),
        sa.Column("seller_fee", Units, nullable=False),
    )
    op.create_index("ix_trades_buyer", "trades", ["buyer_account", "symbol", "trade_id"])
    op.create_index("ix_trades_seller", "trades", ["seller_account", "symbol", "trade_id"])
    op.create_index("ix_trades_agg", "trades", ["symbol", "agg_id"])
    op.create_index("ix_trades_time", "trades", ["symbol", "time_us"])
    op.create_table(
        "balances",
        sa.Column("account", sa.BigInteger, primary_key=True),
        sa.Column("asset", sa.String(12), primary_key=True),
        sa.Column("free", Units, nullable=False),
        sa.Column("held", Units, nullable=False),
        sa.Column("updated_seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "postings",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("bucket", sa.String(4), nullable=False),
        sa.Column("amount", Units, nullable=False),
    )
    op.create_table(
        "transfers",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("account", sa.BigInteger, nullable=False),
        sa.Column("asset", sa.String(12), nullable=False),
        sa.Column("amount", Units, nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
    )
    op.create_index("ix_transfers_account", "transfers", ["account", "kind", "seq"])
    op.create_table(
        "candles",
        sa.Column("symbol", sa.String(20), primary_key=True),
        sa.Column("interval", sa.String(3), primary_key=True),
        sa.Column("open_time_ms", sa.BigInteger, primary_key=True),
        sa.Column("close_time_ms", sa.BigInteger, nullable=False),
        sa.Column("open", Units, nullable=False),
        sa.Column("high", Units, nullable=False),
        sa.Column("low", Units, nullable=False),
        sa.Column("close", Units, nullable=False),
        sa.Column("volume", Units, nullable=False),
        sa.Column("quote_volume", Units, nullable=False),
        sa.Column("trades", sa.BigInteger, nullable=False),
        sa.Column("taker_buy_volume", Units, nullable=False),
        sa.Column("taker_buy_quote", Units, nullable=False),
        sa.Column("first_trade_id", sa.BigInteger, nullable=False),
        sa.Column("last_trade_id", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "candles",
        "transfers",
        "postings",
        "balances",
        "trades",
        "orders",
        "markets",
        "assets",
        "api_keys",
        "users",
        "projector_state",
    ):
        op.drop_table(table)
