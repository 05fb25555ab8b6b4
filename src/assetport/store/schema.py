"""The read model's tables (SQLAlchemy Core). Alembic migrations create and change them.

Amounts are integer units of any size: an asset may have 18 decimals, so 10 whole units
already exceed 64 bits. `Units` stores them exactly on both databases (NUMERIC(78, 0) on
PostgreSQL; on SQLite a column without affinity, holding an INTEGER when it fits in 64
bits and its decimal text otherwise). No SQL arithmetic is done on amounts: the projector
computes new values in Python and writes them whole.

Times are microseconds since the epoch (`*_us`), exactly as the sequencer stamped them;
candle times are milliseconds, as Binance names candles.
"""

from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Dialect,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1


class _NoAffinity(UserDefinedType[Any]):
    """A SQLite column declared BLOB: values are kept as given, INTEGER or TEXT."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "BLOB"


def sqlite_amount(value: int) -> int | str:
    """How SQLite stores an amount: an INTEGER when it fits, its decimal text otherwise."""
    return value if INT64_MIN <= value <= INT64_MAX else str(value)


class Units(TypeDecorator[int]):
    """An exact integer amount of any size."""

    impl = Numeric(78, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_NoAffinity())
        return dialect.type_descriptor(Numeric(78, 0))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return sqlite_amount(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


metadata = MetaData()

# One row per projector: the seq (and its time) of the last command whose rows are written.
# Updated in the same transaction as those rows, which is what makes resuming exact.
projector_state = Table(
    "projector_state",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_time_us", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("user_id", BigInteger, primary_key=True),  # the ledger account number
    Column("name", String(200), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

# Metadata only: secrets live with the gateway's key store (assetport.edge.keys).
api_keys = Table(
    "api_keys",
    metadata,
    Column("api_key", String(128), primary_key=True),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("key_type", String(20), nullable=False),
    Column("label", String(200), nullable=False),
    Column("permissions", String(200), nullable=False),  # comma-separated, e.g. "read,trade"
    Column("ip_allowlist", Text, nullable=False),  # comma-separated networks; "" = any
    Column("created_ms", BigInteger, nullable=False),
)

assets = Table(
    "assets",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("precision", Integer, nullable=False),
    Column("listed_seq", BigInteger, nullable=False),
)

markets = Table(
    "markets",
    metadata,
    Column("symbol", String(20), primary_key=True),
    Column("base", String(12), nullable=False),
    Column("quote", String(12), nullable=False),
    Column("tick_size", Units, nullable=False),
    Column("step_size", Units, nullable=False),
    Column("status", String(20), nullable=False),
    Column("maker_fee_bps", Integer, nullable=False),
    Column("taker_fee_bps", Integer, nullable=False),
    Column("listed_seq", BigInteger, nullable=False),
)

# Every accepted order with its latest state. Rejected orders never existed (as on Binance).
orders = Table(
    "orders",
    metadata,
    Column("order_id", BigInteger, primary_key=True),
    Column("account", BigInteger, nullable=False),
    Column("symbol", String(20), nullable=False),
    Column("client_order_id", String(64), nullable=False),
    Column("side", String(4), nullable=False),
    Column("type", String(20), nullable=False),
    Column("time_in_force", String(3), nullable=False),
    Column("stp_mode", String(20), nullable=False),
    Column("price", Units, nullable=False),
    Column("orig_qty", Units, nullable=False),
    Column("orig_quote_qty", Units, nullable=False),
    Column("stop_price", Units, nullable=False),
    Column("iceberg_qty", Units, nullable=False),
    Column("status", String(20), nullable=False),
    Column("executed_qty", Units, nullable=False),
    Column("cumulative_quote_qty", Units, nullable=False),
    Column("working", Boolean, nullable=False),
    Column("time_us", BigInteger, nullable=False),
    Column("update_time_us", BigInteger, nullable=False),
    Column("working_time_us", BigInteger, nullable=True),  # NULL until a stop triggers
    Column("seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
    # The order list the order is a leg of, -1 for none (migration 0009: older rows are -1).
    Column("order_list_id", BigInteger, nullable=False, server_default="-1"),
    Index("ix_orders_account_symbol", "account", "symbol", "order_id"),
)

# One row per amendment of an order (`OrderAmended`, PUT /api/v3/order/amend/keepPriority):
# `seq` is the amending command's, Binance's `executionId`; the quantity and the client order
# id before and after (`new_client_order_id` "" in rows written before migration 0009, when
# an amended order kept its id).
order_amendments = Table(
    "order_amendments",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("order_id", BigInteger, primary_key=True),
    Column("account", BigInteger, nullable=False),
    Column("symbol", String(20), nullable=False),
    Column("client_order_id", String(64), nullable=False),
    Column("orig_qty", Units, nullable=False),
    Column("new_qty", Units, nullable=False),
    Column("time_us", BigInteger, nullable=False),
    Column("new_client_order_id", String(64), nullable=False, server_default=""),
    Index("ix_order_amendments_order", "account", "order_id", "seq"),
)

# One row per order list (OCO, OTO, OTOCO: `OrderListPlaced`), its status kept up to date
# (`OrderListStatus`), for GET /api/v3/allOrderList. `orders` is its orders as JSON,
# [[order id, client order id], ...], in the order the client gave them.
order_lists = Table(
    "order_lists",
    metadata,
    Column("order_list_id", BigInteger, primary_key=True),
    Column("account", BigInteger, nullable=False),
    Column("symbol", String(20), nullable=False),
    Column("contingency_type", String(8), nullable=False),
    Column("list_client_order_id", String(64), nullable=False),
    Column("orders", String(400), nullable=False),
    Column("transaction_time_us", BigInteger, nullable=False),
    Column("list_status_type", String(16), nullable=False),
    Column("list_order_status", String(16), nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Index("ix_order_lists_account", "account", "order_list_id"),
)

# One row per trade, both sides. `agg_id` numbers Binance's aggregate trades per symbol
# (1, 2, ...): consecutive fills of one taker order at one price in one command share it.
trades = Table(
    "trades",
    metadata,
    Column("symbol", String(20), primary_key=True),
    Column("trade_id", BigInteger, primary_key=True),
    Column("agg_id", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("time_us", BigInteger, nullable=False),
    Column("price", Units, nullable=False),
    Column("quantity", Units, nullable=False),
    Column("quote_quantity", Units, nullable=False),
    Column("buyer_order_id", BigInteger, nullable=False),
    Column("seller_order_id", BigInteger, nullable=False),
    Column("buyer_account", BigInteger, nullable=False),
    Column("seller_account", BigInteger, nullable=False),
    Column("buyer_is_maker", Boolean, nullable=False),
    Column("buyer_fee", Units, nullable=False),  # in base, or in quote when the next says so
    Column("seller_fee", Units, nullable=False),  # in quote
    Column("buyer_fee_in_quote", Boolean, nullable=False, server_default=false()),
    Index("ix_trades_buyer", "buyer_account", "symbol", "trade_id"),
    Index("ix_trades_seller", "seller_account", "symbol", "trade_id"),
    Index("ix_trades_agg", "symbol", "agg_id"),
    Index("ix_trades_time", "symbol", "time_us"),
)

balances = Table(
    "balances",
    metadata,
    Column("account", BigInteger, primary_key=True),
    Column("asset", String(12), primary_key=True),
    Column("free", Units, nullable=False),
    Column("held", Units, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
    # A token's holder register reads the balances by asset (docs/issuance.md).
    Index("ix_balances_asset", "asset", "account"),
)

# The double-entry journal: each command's lines sum to zero per asset.
postings = Table(
    "postings",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("line", Integer, primary_key=True),  # position among the command's lines
    Column("account", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("bucket", String(4), nullable=False),  # "free" or "held"
    Column("amount", Units, nullable=False),
)

transfers = Table(
    "transfers",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("kind", String(10), nullable=False),  # "DEPOSIT" or "WITHDRAWAL"
    Column("account", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("amount", Units, nullable=False),
    Column("ref", String(200), nullable=False),
    Index("ix_transfers_account", "account", "kind", "seq"),
)

# Small balances converted (`DustConverted`): one row per asset, `line` its place in the
# conversion; `seq` is the conversion's id (Binance's tranId).
dust_conversions = Table(
    "dust_conversions",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("account", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("amount", Units, nullable=False),
    Column("target", String(12), nullable=False),
    Column("fee", Units, nullable=False),
    Column("transferred", Units, nullable=False),
    Index("ix_dust_conversions_account", "account", "seq"),
)

# Custody (`domain/custody.py`). A deposit credited from a chain: one per credit command
# (`seq`), and one per chain key (network, transaction hash, log index; -1 for a native
# coin's transfer, which has no log).
chain_deposits = Table(
    "chain_deposits",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("account", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("amount", Units, nullable=False),
    Column("network", String(32), nullable=False),
    Column("tx_hash", String(66), nullable=False),
    Column("log_index", BigInteger, nullable=False),
    Column("address", String(128), nullable=False),
    UniqueConstraint("network", "tx_hash", "log_index", name="uq_chain_deposits_chain_key"),
    Index("ix_chain_deposits_account", "account", "seq"),
)

# Every withdrawal with its latest state. `status` is a `WithdrawalStatus` value; `tx_hash`
# and `nonce` are "" and -1 until it is signed; `reason` says why it ended ("" otherwise).
withdrawals = Table(
    "withdrawals",
    metadata,
    Column("withdrawal_id", String(64), primary_key=True),
    Column("account", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("network", String(32), nullable=False),
    Column("address", String(128), nullable=False),
    Column("amount", Units, nullable=False),
    Column("fee", Units, nullable=False),
    Column("client_ref", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("approvals", Integer, nullable=False),
    Column("tx_hash", String(66), nullable=False),
    Column("nonce", BigInteger, nullable=False),
    Column("requested_seq", BigInteger, nullable=False),
    Column("requested_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("completed_us", BigInteger, nullable=True),  # NULL until the chain confirms it
    Column("reason", String(200), nullable=False),
    Index("ix_withdrawals_account", "account", "requested_seq"),
)

# Each account's withdrawal addresses as they stand; a removed one has no row.
withdrawal_addresses = Table(
    "withdrawal_addresses",
    metadata,
    Column("account", BigInteger, primary_key=True),
    Column("network", String(32), primary_key=True),
    Column("address", String(128), primary_key=True),
    Column("label", String(64), nullable=False),
    Column("usable_from_us", BigInteger, nullable=False),  # after the cooldown
)

candles = Table(
    "candles",
    metadata,
    Column("symbol", String(20), primary_key=True),
    Column("interval", String(3), primary_key=True),
    Column("open_time_ms", BigInteger, primary_key=True),
    Column("close_time_ms", BigInteger, nullable=False),
    Column("open", Units, nullable=False),
    Column("high", Units, nullable=False),
    Column("low", Units, nullable=False),
    Column("close", Units, nullable=False),
    Column("volume", Units, nullable=False),
    Column("quote_volume", Units, nullable=False),
    Column("trades", BigInteger, nullable=False),
    Column("taker_buy_volume", Units, nullable=False),
    Column("taker_buy_quote", Units, nullable=False),
    Column("first_trade_id", BigInteger, nullable=False),
    Column("last_trade_id", BigInteger, nullable=False),
)

# Issuance (`domain/issuance/`, docs/issuance.md). Each accepted reserve attestation, one
# row (`seq` is the command's), with the supply when it was recorded; its lots below.
rwa_attestations = Table(
    "rwa_attestations",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("attestor", Text, nullable=False),
    Column("as_of_us", BigInteger, nullable=False),
    Column("total_units", Units, nullable=False),
    Column("supply", Units, nullable=False),
    Column("lots", Integer, nullable=False),
    Column("signature", String(128), nullable=False),
    Index("ix_rwa_attestations_asset", "asset", "seq"),
)

# An attestation's lots in its order (`line`): bars, warehouse receipts, serial ranges.
rwa_attestation_lots = Table(
    "rwa_attestation_lots",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("serial", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("vault", Text, nullable=False),
    Column("units", Units, nullable=False),
    Column("gross", Units, nullable=False),
    Column("fineness", Integer, nullable=False),
)

# Every change of a token's supply that states the supply after it: `kind` is mint, burn,
# subscription, redemption or retirement; `amount` is signed (+ issued, - taken out).
rwa_supply_changes = Table(
    "rwa_supply_changes",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("asset", String(12), primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("account", BigInteger, nullable=False),
    Column("amount", Units, nullable=False),
    Column("supply", Units, nullable=False),
    # What left the reserve with it (bars delivered, credits retired): the reserve still
    # backing the supply is the last attestation's total less these since.
    Column("reserve_used", Units, nullable=False),
    Column("ref", String(200), nullable=False),
    Index("ix_rwa_supply_changes_asset", "asset", "seq"),
)

# Primary subscriptions: what the subscriber paid (`cost` + `fee` in `quote`) for `amount`.
rwa_subscriptions = Table(
    "rwa_subscriptions",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("account", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("issuer", BigInteger, nullable=False),
    Column("amount", Units, nullable=False),
    Column("quote", String(12), nullable=False),
    Column("cost", Units, nullable=False),
    Column("fee", Units, nullable=False),
    Column("ref", String(200), nullable=False),
    Index("ix_rwa_subscriptions_account", "account", "seq"),
)

# Every redemption with its latest state (`domain/issuance/redemptions.py`'s statuses):
# requested, then completed (bars as a JSON list of [serial, units], the cash paid) or
# ended (rejected or canceled, with the reason).
rwa_redemptions = Table(
    "rwa_redemptions",
    metadata,
    Column("redemption_id", BigInteger, primary_key=True),
    Column("account", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("issuer", BigInteger, nullable=False),
    Column("amount", Units, nullable=False),
    Column("fee", Units, nullable=False),
    Column("physical", Boolean, nullable=False),
    Column("ref", String(200), nullable=False),
    Column("status", String(12), nullable=False),
    Column("requested_seq", BigInteger, nullable=False),
    Column("requested_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("burned", Units, nullable=False),
    Column("bars", Text, nullable=False),
    Column("cash_units", Units, nullable=False),
    Column("pay_asset", String(12), nullable=False),
    Column("cash_price", Units, nullable=False),
    Column("cash", Units, nullable=False),
    Column("reason", Text, nullable=False),
    # The issuer's agent who confirmed or rejected it ("": the platform's operator).
    Column("agent", Text, nullable=False),
    Index("ix_rwa_redemptions_account", "account", "redemption_id"),
    Index("ix_rwa_redemptions_status", "status", "asset", "redemption_id"),
)

# Retirement certificates of carbon credits: public, looked up by id; `serials` is a JSON
# list of [registry serial range, units].
rwa_retirements = Table(
    "rwa_retirements",
    metadata,
    Column("certificate_id", BigInteger, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("time_us", BigInteger, nullable=False),
    Column("account", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("amount", Units, nullable=False),
    Column("beneficiary", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("serials", Text, nullable=False),
    Column("ref", String(200), nullable=False),
    Index("ix_rwa_retirements_account", "account", "certificate_id"),
)

# Distributions to holders, and each holder's payout.
rwa_distributions = Table(
    "rwa_distributions",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("pay_asset", String(12), nullable=False),
    Column("issuer", BigInteger, nullable=False),
    Column("amount", Units, nullable=False),
    Column("remainder", Units, nullable=False),
    Column("holders", Integer, nullable=False),
    Column("ref", String(200), nullable=False),
    Index("ix_rwa_distributions_asset", "asset", "seq"),
)

rwa_payouts = Table(
    "rwa_payouts",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("account", BigInteger, primary_key=True),
    Column("asset", String(12), nullable=False),
    Column("pay_asset", String(12), nullable=False),
    Column("amount", Units, nullable=False),
    Index("ix_rwa_payouts_account", "account", "seq"),
)

# Tokens moved on the issuer's word (`TransferKind`: allocation, forced, recovery).
rwa_transfers = Table(
    "rwa_transfers",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("issuer", BigInteger, nullable=False),
    Column("source", BigInteger, nullable=False),
    Column("target", BigInteger, nullable=False),
    Column("amount", Units, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("reason", Text, nullable=False),
    Column("ref", String(200), nullable=False),
    Column("agent", Text, nullable=False),  # the issuer's agent ("": the platform's operator)
    Index("ix_rwa_transfers_asset", "asset", "seq"),
    # A holder's own list of what issuers did to its holdings: as source and as target.
    Index("ix_rwa_transfers_source", "source", "seq"),
    Index("ix_rwa_transfers_target", "target", "seq"),
)

# A holding frozen or released by the issuer's agent (`kind` freeze or unfreeze, one per
# command): `amount` this time, `frozen` what stays frozen of the account's asset after it.
rwa_freezes = Table(
    "rwa_freezes",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("asset", String(12), nullable=False),
    Column("issuer", BigInteger, nullable=False),
    Column("account", BigInteger, nullable=False),
    Column("amount", Units, nullable=False),
    Column("frozen", Units, nullable=False),
    Column("reason", Text, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("agent", Text, nullable=False),  # the issuer's agent ("": the platform's operator)
    Index("ix_rwa_freezes_account", "account", "seq"),
)

# The NFT marketplace (`domain/nft/`, issue #18). Every sale, with its split: the buyer paid
# `total` (`quantity` units at `price` each, in `currency`); `fee` went to the platform,
# `royalty` to the receivers (their shares below), `seller_receives` to the seller. `kind`
# is what made it (listing, offer, auction) and `source_id` that listing's, offer's or
# auction's id. A wash sale (buyer and seller one person) counts in no statistic.
nft_sales = Table(
    "nft_sales",
    metadata,
    Column("sale_id", BigInteger, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("time_us", BigInteger, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("source_id", BigInteger, nullable=False),
    Column("collection", String(32), nullable=False),
    Column("token_id", BigInteger, nullable=False),
    Column("quantity", Units, nullable=False),
    Column("price", Units, nullable=False),
    Column("currency", String(12), nullable=False),
    Column("seller", BigInteger, nullable=False),
    Column("buyer", BigInteger, nullable=False),
    Column("total", Units, nullable=False),
    Column("from_held", Boolean, nullable=False),
    Column("fee", Units, nullable=False),
    Column("royalty", Units, nullable=False),
    Column("seller_receives", Units, nullable=False),
    Column("wash", Boolean, nullable=False),
    # An item's price history; a collection's sales (its volume over a window).
    Index("ix_nft_sales_item", "collection", "token_id", "sale_id"),
    Index("ix_nft_sales_collection_time", "collection", "time_us"),
    # An account's sales and purchases.
    Index("ix_nft_sales_seller", "seller", "sale_id"),
    Index("ix_nft_sales_buyer", "buyer", "sale_id"),
)

# Each royalty receiver's share of a sale, in the collection's order (`line`).
nft_royalties = Table(
    "nft_royalties",
    metadata,
    Column("sale_id", BigInteger, primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("account", BigInteger, nullable=False),
    Column("amount", Units, nullable=False),
    Index("ix_nft_royalties_account", "account", "sale_id"),
)

# What happened to collections and items, in log order (`line`: the row's place among its
# command's): an item's provenance and a collection's activity. `kind` is one of
# `projection.NFT_ACTIVITY`; `account` is who acted (the creator minting, the source of a
# transfer, the seller listing or selling, the buyer offering, the bidder) and
# `counterparty` the other side (the account minted to, the target, the buyer; for a bid
# the bid it beat; for an auction's end the bidder whose bid went back), `ref_id` the
# listing, offer, auction or sale, `price` per unit and `quantity` where there are such.
# An offer on a collection or a trait has no token id; a trait offer names its `trait`
# ("type" and "value" as a JSON pair).
nft_activity = Table(
    "nft_activity",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("time_us", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("collection", String(32), nullable=False),
    Column("token_id", BigInteger, nullable=True),
    Column("quantity", Units, nullable=False),
    Column("price", Units, nullable=False),  # 0: none
    Column("currency", String(12), nullable=False),
    Column("account", BigInteger, nullable=False),
    Column("counterparty", BigInteger, nullable=True),
    Column("ref_id", BigInteger, nullable=True),
    # Why it ended, or for the chain the network, address and transaction.
    Column("reason", Text, nullable=False),
    Column("trait", Text, nullable=False),
    Index("ix_nft_activity_item", "collection", "token_id", "seq", "line"),
    Index("ix_nft_activity_collection", "collection", "seq", "line"),
    Index("ix_nft_activity_account", "account", "seq"),
    # What the projector and the gateway's view look up at start: open offers and
    # auctions, when listings were made.
    Index("ix_nft_activity_ref", "kind", "ref_id"),
)
