"""Folding a batch of applied commands into the rows the read model writes (no I/O here).

`ProjectionState` is what the fold must remember between batches: market pairs, the open
orders, every balance, the latest candle of each series and the last aggregate trade of
each symbol. The projector loads it from the database when it starts, so rows are always
written whole (no SQL arithmetic on amounts, see `schema`), and reloads it after a failed
write, since the fold has already moved it on.

Custody's withdrawals change after they are requested (approved, signed, completed or
ended), often in the batch that requested them: a batch folds each one's changes, in event
order, into its new row or into one update of the row an earlier batch wrote. An address
book entry is written as it stands at the end of the batch (added, or removed).
Issuance's redemptions are folded the same way: requested, then completed or ended.
The NFT marketplace's events are rows of their own (sales with each royalty share, and an
activity row per thing that happened to a collection or an item); an offer's end and a bid
name only their offer or auction, so the fold remembers what each open one is about.

A batch's candles are built per second first and folded into the sixteen intervals once
per second and symbol: the per-trade cost stays one candle update.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final, NamedTuple, assert_never

import msgspec

from assetport.domain.candles import Candle
from assetport.domain.commands import Command
from assetport.domain.custody import WithdrawalStatus
from assetport.domain.events import (
    AccountFeesChanged,
    AccountIdentitySet,
    AnyEvent,
    AssetListed,
    AttestorRegistered,
    CommandRejected,
    CreditsRetired,
    CustodyPolicySet,
    DepositCredited,
    Deposited,
    DistributionPaid,
    DustConverted,
    Event,
    HolderRulesSet,
    HoldingFrozen,
    HoldingUnfrozen,
    MarketFeeAssetChanged,
    MarketFeesChanged,
    MarketListed,
    MarketSelfTradePreventionChanged,
    MarketStatusChanged,
    MatchPrevented,
    NftAuctionEnded,
    NftAuctionStarted,
    NftBidPlaced,
    NftBoxOpened,
    NftCollectionCreated,
    NftCollectionVerified,
    NftContractSet,
    NftDeposited,
    NftDropCreated,
    NftDropEnded,
    NftDropEntered,
    NftDropRefunded,
    NftFeeSet,
    NftListed,
    NftListingEnded,
    NftMinted,
    NftOfferEnded,
    NftOfferMade,
    NftSold,
    NftTransferred,
    NftWithdrawalFailed,
    NftWithdrawalRequested,
    NftWithdrawn,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderListPlaced,
    OrderListStatus,
    OrderTriggered,
    RedemptionCompleted,
    RedemptionEnded,
    RedemptionRequested,
    ReserveAttested,
    RwaBurned,
    RwaMinted,
    RwaTermsSet,
    RwaTransferred,
    Subscribed,
    SubscriptionTermsSet,
    TradeExecuted,
    WithdrawalAddressAdded,
    WithdrawalAddressRemoved,
    WithdrawalApproved,
    WithdrawalCompleted,
    WithdrawalEnded,
    WithdrawalRequested,
    WithdrawalRiskHoldSet,
    WithdrawalRulesSet,
    WithdrawalSigned,
    Withdrawn,
)
from assetport.domain.intervals import INTERVALS, SECOND, bounds
from assetport.domain.issuance.redemptions import RedemptionStatus
from assetport.domain.order_lists import ListOrderStatus, ListStatusType, contingency_of
from assetport.domain.orders import OrderStatus
from assetport.domain.postings import FREE, HELD, Posting, PostingRules

# (seq, time in µs, the decoded command, the events the engine returned for it)
Applied = tuple[int, int, Command, Sequence[Event]]
Row = tuple[object, ...]

NEW: Final = OrderStatus.NEW.value
PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED.value
OPEN_STATUSES: Final = (NEW, PARTIALLY_FILLED)
_FREE: Final = str(FREE.value)
_HELD: Final = str(HELD.value)


class OrderState:
    """One order's row, as the orders table holds it."""

    __slots__ = (
        "account",
        "client_order_id",
        "cumulative_quote_qty",
        "executed_qty",
        "iceberg_qty",
        "order_id",
        "order_list_id",
        "orig_qty",
        "orig_quote_qty",
        "price",
        "seq",
        "side",
        "status",
        "stop_price",
        "stp_mode",
        "symbol",
        "time_in_force",
        "time_us",
        "type",
        "update_time_us",
        "updated_seq",
        "working",
        "working_time_us",
    )

    order_id: int
    account: int
    symbol: str
    client_order_id: str
    side: str
    type: str
    time_in_force: str
    stp_mode: str
    price: int
    orig_qty: int
    orig_quote_qty: int
    stop_price: int
    iceberg_qty: int
    status: str
    executed_qty: int
    cumulative_quote_qty: int
    working: bool
    time_us: int
    update_time_us: int
    working_time_us: int | None
    seq: int
    updated_seq: int
    order_list_id: int  # -1 for an order of no list

    # Column order of the orders table.
    COLUMNS: Final = (
        "order_id",
        "account",
        "symbol",
        "client_order_id",
        "side",
        "type",
        "time_in_force",
        "stp_mode",
        "price",
        "orig_qty",
        "orig_quote_qty",
        "stop_price",
        "iceberg_qty",
        "status",
        "executed_qty",
        "cumulative_quote_qty",
        "working",
        "time_us",
        "update_time_us",
        "working_time_us",
        "seq",
        "updated_seq",
        "order_list_id",
    )
    # What events change after an order is created, written by UPDATE (order_id last).
    CHANGING: Final = (
        "client_order_id",  # an amend gives the order a new one
        "status",
        "orig_qty",
        "executed_qty",
        "cumulative_quote_qty",
        "working",
        "update_time_us",
        "working_time_us",
        "updated_seq",
    )

    def __init__(self, *values: Any) -> None:
        """The columns' values in `COLUMNS` order."""
        (
            self.order_id,
            self.account,
            self.symbol,
            self.client_order_id,
            self.side,
            self.type,
            self.time_in_force,
            self.stp_mode,
            self.price,
            self.orig_qty,
            self.orig_quote_qty,
            self.stop_price,
            self.iceberg_qty,
            self.status,
            self.executed_qty,
            self.cumulative_quote_qty,
            self.working,
            self.time_us,
            self.update_time_us,
            self.working_time_us,
            self.seq,
            self.updated_seq,
            self.order_list_id,
        ) = values

    @classmethod
    def accepted(cls, event: OrderAccepted, order_list_id: int = -1) -> "OrderState":
        # Enum members go in as they are: they are str, and `.value` costs a call.
        order = event.order
        time = event.time
        return cls(
            event.order_id,
            event.account,
            event.symbol,
            order.client_order_id,
            event.side,
            order.type,
            event.time_in_force,
            event.stp_mode,
            order.price,
            order.quantity,
            order.quote_quantity,
            order.stop_price,
            order.iceberg_qty,
            NEW,
            0,
            0,
            event.working,
            time,
            time,
            time if event.working else None,
            event.seq,
            event.seq,
            order_list_id,
        )

    def row(self) -> Row:
        return _order_row(self)


_order_row: Final = attrgetter(*OrderState.COLUMNS)

# Column order of the withdrawals table.
WITHDRAWAL_COLUMNS: Final = (
    "withdrawal_id",
    "account",
    "asset",
    "network",
    "address",
    "amount",
    "fee",
    "client_ref",
    "status",
    "approvals",
    "tx_hash",
    "nonce",
    "requested_seq",
    "requested_us",
    "updated_us",
    "completed_us",
    "reason",
)


# Column order of the rwa_redemptions table.
REDEMPTION_COLUMNS: Final = (
    "redemption_id",
    "account",
    "asset",
    "issuer",
    "amount",
    "fee",
    "physical",
    "ref",
    "status",
    "requested_seq",
    "requested_us",
    "updated_us",
    "burned",
    "bars",
    "cash_units",
    "pay_asset",
    "cash_price",
    "cash",
    "reason",
    "agent",
)


class CandleState(Candle):
    """A candle of one series of the read model (a symbol and an interval), as its row."""

    __slots__ = ("interval", "symbol")

    COLUMNS: Final = (
        "symbol",
        "interval",
        "open_time_ms",
        "close_time_ms",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "quote_volume",
        "trades",
        "taker_buy_volume",
        "taker_buy_quote",
        "first_trade_id",
        "last_trade_id",
    )

    def __init__(self, symbol: str, interval: str, open_ms: int, close_ms: int) -> None:
        super().__init__(open_ms, close_ms, 0)
        self.symbol = symbol
        self.interval = interval

    @classmethod
    def from_row(cls, values: Sequence[Any]) -> "CandleState":
        """The candle a row of `schema.candles` holds (columns in `COLUMNS` order)."""
        (symbol, interval, open_ms, close_ms, opened, high, low, close, volume, quote_volume,
         trades, taker_buy_volume, taker_buy_quote, first_id, last_id) = values  # fmt: skip
        candle = cls(symbol, interval, open_ms, close_ms)
        candle.open, candle.high, candle.low, candle.close = opened, high, low, close
        candle.volume, candle.quote_volume, candle.count = volume, quote_volume, trades
        candle.taker_buy_volume, candle.taker_buy_quote = taker_buy_volume, taker_buy_quote
        candle.first_id, candle.last_id = first_id, last_id
        return candle

    def row(self) -> Row:
        return (
            self.symbol,
            self.interval,
            self.open_time,
            self.close_time,
            self.open,
            self.high,
            self.low,
            self.close,
            self.volume,
            self.quote_volume,
            self.count,
            self.taker_buy_volume,
            self.taker_buy_quote,
            self.first_id,
            self.last_id,
        )


@dataclass
class LastAgg:
    """The latest aggregate trade of a symbol: a next fill joins it if it is the same
    taker order at the same price in the same command."""

    agg_id: int
    seq: int
    taker_order_id: int
    price: int


@dataclass
class ProjectionState:
    last_seq: int = 0
    last_time_us: int = 0
    rules: PostingRules = field(default_factory=PostingRules)
    open_orders: dict[int, OrderState] = field(default_factory=dict)
    # The legs of open order lists not yet accepted (a list's `OrderListPlaced` comes first;
    # a pending OTO leg's `OrderAccepted` comes when its working order fills): order id ->
    # list id, for the orders table's `order_list_id`.
    list_legs: dict[int, int] = field(default_factory=dict)
    # The executing lists' orders as their row's `orders` holds them ([order id, client order
    # id] each), by list id: an amend that renames one of them rewrites it.
    list_orders: dict[int, list[list[Any]]] = field(default_factory=dict)
    balances: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # [free, held]
    candles: dict[tuple[str, str], CandleState] = field(default_factory=dict)
    aggs: dict[str, LastAgg] = field(default_factory=dict)
    # The NFT marketplace's open offers and auctions: what their later events do not name.
    nft_offers: dict[int, "OpenNftOffer"] = field(default_factory=dict)
    nft_auctions: dict[int, "OpenNftAuction"] = field(default_factory=dict)
    nft_drops: dict[int, "OpenNftDrop"] = field(default_factory=dict)


class OpenNftOffer(NamedTuple):
    collection: str
    token_id: int | None
    price: int
    trait: str  # the activity's trait column: "" or a JSON [type, value]


class OpenNftAuction(NamedTuple):
    collection: str
    token_id: int
    quantity: int


class OpenNftDrop(NamedTuple):
    collection: str
    price: int  # per unit, ticket or box


# The kinds of `schema.nft_activity` rows.
NFT_ACTIVITY: Final = (
    "collection_created",
    "verified",
    "unverified",
    "minted",
    "transferred",
    "listed",
    "listing_ended",
    "offer_made",
    "offer_ended",
    "auction_started",
    "bid",
    "auction_ended",
    "sold",
    "drop_created",
    "drop_entered",
    "box_opened",
    "drop_refunded",
    "drop_ended",
)


@dataclass
class Rows:
    """Everything one batch writes, as plain tuples in table column order. Nothing here is
    shared with the fold's state (which moves on with the next batch), so writing needs
    no state, and a batch's rows could be written while the next one is folded."""

    first_seq: int = 0
    last_seq: int = 0
    last_time_us: int = 0
    events: int = 0
    assets: list[Row] = field(default_factory=list)
    markets: list[Row] = field(default_factory=list)
    market_changes: list[dict[str, object]] = field(default_factory=list)
    new_orders: list[Row] = field(default_factory=list)
    changed_orders: list[Row] = field(default_factory=list)  # created by an earlier batch
    trades: list[Row] = field(default_factory=list)
    amendments: list[Row] = field(default_factory=list)
    # Order lists placed in this batch, and the status of lists (of any batch) that moved.
    order_lists: list[Row] = field(default_factory=list)
    order_list_changes: list[dict[str, object]] = field(default_factory=list)
    postings: list[Row] = field(default_factory=list)
    transfers: list[Row] = field(default_factory=list)
    dust_conversions: list[Row] = field(default_factory=list)
    chain_deposits: list[Row] = field(default_factory=list)
    new_withdrawals: list[Row] = field(default_factory=list)
    # Withdrawals requested in an earlier batch: their id and the columns that changed.
    withdrawal_changes: list[dict[str, object]] = field(default_factory=list)
    addresses: list[Row] = field(default_factory=list)  # written whole (insert or replace)
    removed_addresses: list[Row] = field(default_factory=list)  # (account, network, address)
    balances: list[Row] = field(default_factory=list)
    candles: list[Row] = field(default_factory=list)
    # Issuance (schema's rwa_* tables).
    attestations: list[Row] = field(default_factory=list)
    attestation_lots: list[Row] = field(default_factory=list)
    supply_changes: list[Row] = field(default_factory=list)
    subscriptions: list[Row] = field(default_factory=list)
    new_redemptions: list[Row] = field(default_factory=list)
    # Redemptions requested in an earlier batch: their id and the columns that changed.
    redemption_changes: list[dict[str, object]] = field(default_factory=list)
    retirements: list[Row] = field(default_factory=list)
    distributions: list[Row] = field(default_factory=list)
    payouts: list[Row] = field(default_factory=list)
    rwa_transfers: list[Row] = field(default_factory=list)
    freezes: list[Row] = field(default_factory=list)
    # The NFT marketplace (schema's nft_* tables).
    nft_sales: list[Row] = field(default_factory=list)
    nft_royalties: list[Row] = field(default_factory=list)
    nft_activity: list[Row] = field(default_factory=list)
    # The command whose activity rows are being numbered, and the next line.
    nft_line_seq: int = 0
    nft_line: int = 0

    def count(self) -> int:
        """How many rows the batch writes."""
        return (
            len(self.postings)
            + len(self.trades)
            + len(self.amendments)
            + len(self.order_lists)
            + len(self.order_list_changes)
            + len(self.new_orders)
            + len(self.changed_orders)
            + len(self.balances)
            + len(self.candles)
            + len(self.transfers)
            + len(self.dust_conversions)
            + len(self.chain_deposits)
            + len(self.new_withdrawals)
            + len(self.withdrawal_changes)
            + len(self.addresses)
            + len(self.removed_addresses)
            + len(self.attestations)
            + len(self.attestation_lots)
            + len(self.supply_changes)
            + len(self.subscriptions)
            + len(self.new_redemptions)
            + len(self.redemption_changes)
            + len(self.retirements)
            + len(self.distributions)
            + len(self.payouts)
            + len(self.rwa_transfers)
            + len(self.freezes)
            + len(self.nft_sales)
            + len(self.nft_royalties)
            + len(self.nft_activity)
        )


@dataclass
class _Touched:
    """What a batch changed in the state, written whole once the batch is folded."""

    new_orders: dict[int, OrderState] = field(default_factory=dict)
    changed_orders: dict[int, OrderState] = field(default_factory=dict)
    balances: dict[tuple[int, str], int] = field(default_factory=dict)  # -> seq last posted
    candles: dict[tuple[str, str, int], CandleState] = field(default_factory=dict)
    seconds: dict[str, CandleState] = field(default_factory=dict)  # the open 1s candles
    # withdrawal id -> its columns, for those requested in this batch
    new_withdrawals: dict[str, dict[str, object]] = field(default_factory=dict)
    # withdrawal id -> the columns changed, for those requested earlier
    withdrawal_changes: dict[str, dict[str, object]] = field(default_factory=dict)
    # (account, network, address) -> its row, or None once removed
    addresses: dict[Row, Row | None] = field(default_factory=dict)
    # redemption id -> its columns, for those requested in this batch
    new_redemptions: dict[int, dict[str, object]] = field(default_factory=dict)
    # redemption id -> the columns changed, for those requested earlier
    redemption_changes: dict[int, dict[str, object]] = field(default_factory=dict)


class BatchGap(Exception):
    """A batch does not continue the projection: commands would be skipped."""


def fold(state: ProjectionState, items: Iterable[Applied]) -> Rows:
    """The rows for `items` (those at or below `state.last_seq` are skipped: already
    written). Moves `state` on; a caller whose write then fails must reload it."""
    rows = Rows(first_seq=state.last_seq + 1)
    touched = _Touched()
    lines: list[Posting] = []
    post = state.rules.post
    for seq, time, _command, events in items:
        if seq <= state.last_seq:
            continue
        if seq != state.last_seq + 1:
            raise BatchGap(f"command {seq} after {state.last_seq}: the batch skips commands")
        state.last_seq = seq
        state.last_time_us = time
        for event in events:
            post(event, lines)
            _apply(state, rows, touched, event)
        if lines:
            _post(state, rows, touched, lines)
            lines.clear()
        rows.events += len(events)
    for second in touched.seconds.values():
        _fold_second(state, touched, second)
    rows.last_seq = state.last_seq
    rows.last_time_us = state.last_time_us
    rows.new_orders = [_order_row(order) for order in touched.new_orders.values()]
    rows.changed_orders = [_order_row(order) for order in touched.changed_orders.values()]
    balances = state.balances
    rows.balances = [
        (account, asset, *balances[(account, asset)], seq)
        for (account, asset), seq in sorted(touched.balances.items())
    ]
    rows.candles = [candle.row() for candle in touched.candles.values()]
    rows.new_withdrawals = [
        tuple(columns[name] for name in WITHDRAWAL_COLUMNS)
        for columns in touched.new_withdrawals.values()
    ]
    rows.withdrawal_changes = [
        {"withdrawal_id": withdrawal_id, **changed}
        for withdrawal_id, changed in touched.withdrawal_changes.items()
    ]
    for key, address in touched.addresses.items():
        if address is None:
            rows.removed_addresses.append(key)
        else:
            rows.addresses.append(address)
    rows.new_redemptions = [
        tuple(columns[name] for name in REDEMPTION_COLUMNS)
        for columns in touched.new_redemptions.values()
    ]
    rows.redemption_changes = [
        {"redemption_id": redemption_id, **changed}
        for redemption_id, changed in touched.redemption_changes.items()
    ]
    return rows


def _post(state: ProjectionState, rows: Rows, touched: _Touched, lines: list[Posting]) -> None:
    balances = state.balances
    posted = touched.balances
    append = rows.postings.append
    for index, (seq, account, asset, bucket, amount) in enumerate(lines):
        key = (account, asset)
        record = balances.get(key)
        if record is None:
            record = balances[key] = [0, 0]
        # The bucket as a plain str: a row of atomic values leaves the garbage collector's
        # tracking, so a batch's rows do not make it rescan the heap.
        if bucket is FREE:
            record[0] += amount
            append((seq, index, account, asset, _FREE, amount))
        else:
            record[1] += amount
            append((seq, index, account, asset, _HELD, amount))
        posted[key] = seq


def _apply(state: ProjectionState, rows: Rows, touched: _Touched, event: Event) -> None:
    """One event into the rows. Every kind of event is named here: mypy (`assert_never`)
    refuses a kind added to `AnyEvent` that this projection does not say what to do with."""
    known: AnyEvent = event  # type: ignore[assignment]  # the engine makes only these
    match known:
        case TradeExecuted():
            _trade(state, rows, touched, known)
        case OrderAccepted():
            order = OrderState.accepted(known, state.list_legs.pop(known.order_id, -1))
            touched.new_orders[order.order_id] = order
            if order.status in OPEN_STATUSES:
                state.open_orders[order.order_id] = order
        case OrderFilled():
            _end(state, touched, known, OrderStatus.FILLED.value)
        case OrderCanceled():
            _end(state, touched, known, OrderStatus.CANCELED.value)
        case OrderExpired():
            status = OrderStatus.EXPIRED_IN_MATCH if known.in_match else OrderStatus.EXPIRED
            _end(state, touched, known, status.value)
        case OrderAmended():
            _amended(state, rows, touched, known)
        case OrderTriggered():
            order = _touch(state, touched, known.order_id, known)
            order.working = True
            order.working_time_us = known.time
        case Deposited() | Withdrawn():
            kind = "DEPOSIT" if isinstance(known, Deposited) else "WITHDRAWAL"
            rows.transfers.append(
                (known.seq, known.time, kind, known.account, known.asset, known.amount, known.ref)
            )
        case AssetListed():
            rows.assets.append((known.code, known.precision, known.seq))
        case MarketListed():
            m = known.market
            rows.markets.append(
                (
                    m.symbol,
                    m.base,
                    m.quote,
                    m.tick_size,
                    m.step_size,
                    m.status.value,
                    m.maker_fee_bps,
                    m.taker_fee_bps,
                    known.seq,
                )
            )
        case MarketStatusChanged():
            rows.market_changes.append({"symbol": known.symbol, "status": known.status.value})
        case MarketFeesChanged():
            rows.market_changes.append(
                {
                    "symbol": known.symbol,
                    "maker_fee_bps": known.maker_fee_bps,
                    "taker_fee_bps": known.taker_fee_bps,
                }
            )
        case DepositCredited():
            rows.chain_deposits.append(
                (known.seq, known.time, known.account, known.asset, known.amount,
                 known.network, known.tx_hash, known.log_index, known.address)
            )  # fmt: skip
        case WithdrawalRequested():
            touched.new_withdrawals[known.withdrawal_id] = _requested(known)
        case WithdrawalApproved():
            _withdrawal_changed(
                touched, known, status=known.status.value, approvals=known.approvals
            )
        case WithdrawalSigned():
            _withdrawal_changed(
                touched,
                known,
                status=WithdrawalStatus.PROCESSING.value,
                tx_hash=known.tx_hash,
                nonce=known.nonce,
            )
        case WithdrawalCompleted():
            _withdrawal_changed(
                touched,
                known,
                status=WithdrawalStatus.COMPLETED.value,
                tx_hash=known.tx_hash,
                completed_us=known.time,
            )
        case WithdrawalEnded():
            _withdrawal_changed(touched, known, status=known.status.value, reason=known.reason)
        case WithdrawalAddressAdded():
            key = (known.account, known.network, known.address)
            touched.addresses[key] = (*key, known.label, known.usable_from)
        case WithdrawalAddressRemoved():
            touched.addresses[(known.account, known.network, known.address)] = None
        case (
            MarketSelfTradePreventionChanged()
            | MarketFeeAssetChanged()
            | AccountFeesChanged()
            | CommandRejected()
            | MatchPrevented()
            | WithdrawalRulesSet()
            | CustodyPolicySet()
            | WithdrawalRiskHoldSet()
            # An issuer's settings: the gateway's issuance view has them as they stand.
            | AttestorRegistered()
            | RwaTermsSet()
            | SubscriptionTermsSet()
            # Permissioned holding: who may hold (the issuance view has it as it stands).
            | AccountIdentitySet()
            | HolderRulesSet()
        ):
            pass  # no table holds these: the journal has them
        case (
            ReserveAttested()
            | RwaMinted()
            | RwaBurned()
            | Subscribed()
            | RedemptionRequested()
            | RedemptionCompleted()
            | RedemptionEnded()
            | CreditsRetired()
            | DistributionPaid()
            | RwaTransferred()
            | HoldingFrozen()
            | HoldingUnfrozen()
        ):
            _issuance(rows, touched, known)
        case NftFeeSet():
            pass  # the platform's fee: the gateway's NFT view has it as it stands
        case (
            NftCollectionCreated()
            | NftCollectionVerified()
            | NftMinted()
            | NftTransferred()
            | NftListed()
            | NftListingEnded()
            | NftOfferMade()
            | NftOfferEnded()
            | NftAuctionStarted()
            | NftBidPlaced()
            | NftAuctionEnded()
            | NftSold()
            | NftDropCreated()
            | NftDropEntered()
            | NftBoxOpened()
            | NftDropRefunded()
            | NftDropEnded()
            | NftContractSet()
            | NftWithdrawalRequested()
            | NftWithdrawn()
            | NftWithdrawalFailed()
            | NftDeposited()
        ):
            _nft(state, rows, known)
        case OrderListPlaced():
            for order_id in known.order_ids:
                state.list_legs[order_id] = known.order_list_id
            orders = [
                [order_id, leg.client_order_id]
                for order_id, leg in zip(known.order_ids, known.command.orders, strict=True)
            ]
            state.list_orders[known.order_list_id] = orders
            rows.order_lists.append(
                (known.order_list_id, known.account, known.symbol,
                 contingency_of(known.kind).value, known.list_client_order_id,
                 json.dumps(orders, separators=(",", ":")), known.time,
                 ListStatusType.EXEC_STARTED.value, ListOrderStatus.EXECUTING.value,
                 known.time)
            )  # fmt: skip
        case OrderListStatus():
            if known.list_order_status is ListOrderStatus.ALL_DONE:
                state.list_orders.pop(known.order_list_id, None)
            if known.list_order_status is ListOrderStatus.ALL_DONE and state.list_legs:
                # A pending leg of an ended list is never accepted.
                ended = known.order_list_id
                legs = state.list_legs
                for order_id in [leg for leg, list_id in legs.items() if list_id == ended]:
                    del legs[order_id]
            rows.order_list_changes.append(
                {
                    "order_list_id": known.order_list_id,
                    "list_status_type": known.list_status_type.value,
                    "list_order_status": known.list_order_status.value,
                    "updated_us": known.time,
                }
            )
        case DustConverted():
            rows.dust_conversions.extend(
                (known.seq, line, known.time, known.account, c.asset, c.amount,
                 known.target, c.fee, c.transferred)
                for line, c in enumerate(known.conversions)
            )  # fmt: skip
        case _:
            assert_never(known)


IssuanceEvent = (
    ReserveAttested
    | RwaMinted
    | RwaBurned
    | Subscribed
    | RedemptionRequested
    | RedemptionCompleted
    | RedemptionEnded
    | CreditsRetired
    | DistributionPaid
    | RwaTransferred
    | HoldingFrozen
    | HoldingUnfrozen
)


def _issuance(rows: Rows, touched: _Touched, event: IssuanceEvent) -> None:
    """One issuance event into its rows (its balances move through the postings)."""
    seq, time = event.seq, event.time
    match event:
        case ReserveAttested():
            _attested(rows, event)
        case RwaMinted():
            rows.supply_changes.append(
                (seq, event.asset, time, "mint", event.issuer, event.amount, event.supply, 0,
                 event.ref)
            )  # fmt: skip
        case RwaBurned():
            rows.supply_changes.append(
                (seq, event.asset, time, "burn", event.issuer, -event.amount, event.supply, 0,
                 event.ref)
            )  # fmt: skip
        case Subscribed():
            rows.subscriptions.append(
                (seq, time, event.account, event.asset, event.issuer, event.amount,
                 event.quote, event.cost, event.fee, event.ref)
            )  # fmt: skip
            rows.supply_changes.append(
                (seq, event.asset, time, "subscription", event.account, event.amount,
                 event.supply, 0, event.ref)
            )  # fmt: skip
        case RedemptionRequested():
            touched.new_redemptions[event.redemption_id] = _redemption_requested(event)
        case RedemptionCompleted():
            _redemption_changed(
                touched,
                event,
                status=RedemptionStatus.COMPLETED.value,
                burned=event.burned,
                bars=_pairs_json(event.bars),
                cash_units=event.cash_units,
                pay_asset=event.pay_asset,
                cash_price=event.cash_price,
                cash=event.cash,
                agent=event.agent,
            )
            rows.supply_changes.append(
                (seq, event.asset, time, "redemption", event.account, -event.burned,
                 event.supply, _units(event.bars), str(event.redemption_id))
            )  # fmt: skip
        case RedemptionEnded():
            _redemption_changed(
                touched, event, status=event.status.value, reason=event.reason, agent=event.agent
            )
        case CreditsRetired():
            rows.retirements.append(
                (event.certificate_id, seq, time, event.account, event.asset, event.amount,
                 event.beneficiary, event.purpose, _pairs_json(event.serials), event.ref)
            )  # fmt: skip
            rows.supply_changes.append(
                (seq, event.asset, time, "retirement", event.account, -event.amount,
                 event.supply, _units(event.serials), event.ref)
            )  # fmt: skip
        case DistributionPaid():
            rows.distributions.append(
                (seq, time, event.asset, event.pay_asset, event.issuer, event.amount,
                 event.remainder, len(event.payouts), event.ref)
            )  # fmt: skip
            rows.payouts.extend(
                (seq, account, event.asset, event.pay_asset, units)
                for account, units in event.payouts
            )
        case RwaTransferred():
            rows.rwa_transfers.append(
                (seq, time, event.asset, event.issuer, event.source, event.target,
                 event.amount, event.kind.value, event.reason, event.ref, event.agent)
            )  # fmt: skip
        case HoldingFrozen() | HoldingUnfrozen():
            # The balances move through the postings (free to held, and back); this row is
            # what the holder is shown of it, with the agent and its reason.
            kind = "freeze" if isinstance(event, HoldingFrozen) else "unfreeze"
            rows.freezes.append(
                (seq, time, event.asset, event.issuer, event.account, event.amount,
                 event.frozen, event.reason, kind, event.agent)
            )  # fmt: skip
        case _:
            assert_never(event)


NftEvent = (
    NftCollectionCreated
    | NftCollectionVerified
    | NftMinted
    | NftTransferred
    | NftListed
    | NftListingEnded
    | NftOfferMade
    | NftOfferEnded
    | NftAuctionStarted
    | NftBidPlaced
    | NftAuctionEnded
    | NftSold
    | NftDropCreated
    | NftDropEntered
    | NftBoxOpened
    | NftDropRefunded
    | NftDropEnded
    | NftContractSet
    | NftWithdrawalRequested
    | NftWithdrawn
    | NftWithdrawalFailed
    | NftDeposited
)


def _nft(state: ProjectionState, rows: Rows, event: NftEvent) -> None:
    """One NFT event into its rows: a sale with its royalty shares, and the activity (its
    money moves through the postings; who holds an item is the engine's, and the view's)."""
    seq, time = event.seq, event.time
    if rows.nft_line_seq != seq:
        rows.nft_line_seq, rows.nft_line = seq, 0

    def activity(kind: str, collection: str, token_id: int | None, quantity: int,
                 price: int, currency: str, account: int, counterparty: int | None,
                 ref_id: int | None, reason: str = "", trait: str = "") -> None:  # fmt: skip
        rows.nft_activity.append(
            (seq, rows.nft_line, time, kind, collection, token_id, quantity, price, currency,
             account, counterparty, ref_id, reason, trait)
        )  # fmt: skip
        rows.nft_line += 1

    match event:
        case NftCollectionCreated():
            c = event.collection
            activity("collection_created", c.code, None, 0, 0, c.currency, c.creator, None,
                     None)  # fmt: skip
        case NftCollectionVerified():
            kind = "verified" if event.verified else "unverified"
            activity(kind, event.collection, None, 0, 0, "", 0, None, None)
        case NftMinted():
            for spec in event.items:
                activity("minted", event.collection, spec.token_id, spec.supply, 0, "",
                         event.account, event.to, None)  # fmt: skip
        case NftTransferred():
            activity("transferred", event.collection, event.token_id, event.quantity, 0, "",
                     event.source, event.target, None)  # fmt: skip
        case NftListed():
            t = event.terms
            activity("listed", t.collection, t.token_id, t.quantity, t.price, event.currency,
                     event.account, None, event.listing_id)  # fmt: skip
        case NftListingEnded():
            activity("listing_ended", event.collection, event.token_id, event.returned, 0,
                     "", event.account, None, event.listing_id, event.reason.value)  # fmt: skip
        case NftOfferMade():
            o = event.terms
            trait = "" if o.trait is None else _trait_json(o.trait.trait_type, o.trait.value)
            state.nft_offers[event.offer_id] = OpenNftOffer(o.collection, o.token_id, o.price,
                                                            trait)  # fmt: skip
            activity("offer_made", o.collection, o.token_id, o.quantity, o.price,
                     event.currency, event.account, None, event.offer_id, "", trait)  # fmt: skip
        case NftOfferEnded():
            offer = state.nft_offers.pop(event.offer_id, OpenNftOffer("", None, 0, ""))
            left = event.released // offer.price if offer.price else 0
            activity("offer_ended", offer.collection, offer.token_id, left, offer.price,
                     event.currency, event.account, None, event.offer_id, event.reason.value,
                     offer.trait)  # fmt: skip
        case NftAuctionStarted():
            a = event.terms
            state.nft_auctions[event.auction_id] = OpenNftAuction(a.collection, a.token_id,
                                                                  a.quantity)  # fmt: skip
            activity("auction_started", a.collection, a.token_id, a.quantity, a.start_price,
                     event.currency, event.account, None, event.auction_id,
                     a.kind.value)  # fmt: skip
        case NftBidPlaced():
            auction = state.nft_auctions.get(event.auction_id, OpenNftAuction("", 0, 0))
            activity("bid", auction.collection, auction.token_id, auction.quantity, event.price,
                     event.currency, event.account, event.outbid or None,
                     event.auction_id)  # fmt: skip
        case NftAuctionEnded():
            ended = state.nft_auctions.pop(event.auction_id, OpenNftAuction("", 0, 0))
            activity("auction_ended", event.collection, event.token_id, ended.quantity, 0,
                     event.currency, event.account, event.bidder or None, event.auction_id,
                     event.reason.value)  # fmt: skip
        case NftSold():
            royalty = sum(units for _, units in event.royalties)
            rows.nft_sales.append(
                (event.sale_id, seq, time, event.kind.value, event.source_id, event.collection,
                 event.token_id, event.quantity, event.price, event.currency, event.seller,
                 event.buyer, event.total, event.from_held, event.fee, royalty,
                 event.seller_receives, event.wash)
            )  # fmt: skip
            rows.nft_royalties.extend(
                (event.sale_id, line, account, units)
                for line, (account, units) in enumerate(event.royalties)
            )
            activity("sold", event.collection, event.token_id, event.quantity, event.price,
                     event.currency, event.seller, event.buyer, event.sale_id,
                     event.kind.value)  # fmt: skip
        case NftDropCreated():
            d = event.terms
            state.nft_drops[event.drop_id] = OpenNftDrop(d.collection, d.price)
            for token_id, units in d.lots:
                activity("drop_created", d.collection, token_id, units, d.price, event.currency,
                         event.account, None, event.drop_id, d.kind.value)  # fmt: skip
        case NftDropEntered():
            drop = state.nft_drops.get(event.drop_id, OpenNftDrop("", 0))
            activity("drop_entered", drop.collection, None, event.quantity, drop.price,
                     event.currency, event.account, None, event.drop_id)  # fmt: skip
        case NftBoxOpened():
            activity("box_opened", event.collection, event.token_id, 1, 0, "",
                     event.account, None, event.drop_id, str(event.serial))  # fmt: skip
        case NftDropRefunded():
            drop = state.nft_drops.get(event.drop_id, OpenNftDrop("", 0))
            count = event.released // drop.price if drop.price else 0
            activity("drop_refunded", drop.collection, None, count, drop.price, event.currency,
                     event.account, None, event.drop_id)  # fmt: skip
        case NftDropEnded():
            state.nft_drops.pop(event.drop_id, None)
            returned: tuple[tuple[int | None, int], ...] = event.returned or ((None, 0),)
            for lot, units in returned:
                activity("drop_ended", event.collection, lot, units, 0, "",
                         event.account, None, event.drop_id, event.reason.value)  # fmt: skip
        case NftContractSet():
            activity("contract_set", event.collection, None, 0, 0, "", 0, None, None,
                     f"{event.network} {event.address}")  # fmt: skip
        case NftWithdrawalRequested():
            activity("withdrawal_requested", event.collection, event.token_id, event.quantity,
                     0, "", event.account, None, event.withdrawal_id,
                     f"{event.network} {event.address}")  # fmt: skip
        case NftWithdrawn():
            activity("withdrawn", event.collection, event.token_id, event.quantity, 0, "",
                     event.account, None, event.withdrawal_id,
                     f"{event.network} {event.address} {event.tx_hash}")  # fmt: skip
        case NftWithdrawalFailed():
            activity("withdrawal_failed", event.collection, event.token_id, event.quantity, 0,
                     "", event.account, None, event.withdrawal_id, event.reason)  # fmt: skip
        case NftDeposited():
            activity("deposited", event.collection, event.token_id, event.quantity, 0, "",
                     event.account, None, None, f"{event.network} {event.tx_hash}")  # fmt: skip
        case _:
            assert_never(event)


def _trait_json(trait_type: str, value: str) -> str:
    return msgspec.json.encode((trait_type, value)).decode()


def _attested(rows: Rows, event: ReserveAttested) -> None:
    statement = event.attestation.statement
    rows.attestations.append(
        (event.seq, event.time, statement.asset, statement.attestor, statement.as_of_us,
         statement.total_units, event.supply, len(statement.lots), event.attestation.signature)
    )  # fmt: skip
    rows.attestation_lots.extend(
        (event.seq, line, lot.serial, lot.description, lot.vault, lot.units, lot.gross,
         lot.fineness)
        for line, lot in enumerate(statement.lots)
    )  # fmt: skip


def _units(pairs: tuple[tuple[str, int], ...]) -> int:
    return sum(units for _, units in pairs)


def _pairs_json(pairs: tuple[tuple[str, int], ...]) -> str:
    """(serial, units) pairs as the JSON text a column keeps: [["AB123", 9999000], ...]."""
    return msgspec.json.encode(pairs).decode()


def _redemption_requested(event: RedemptionRequested) -> dict[str, object]:
    """A new redemption's columns, by name (`REDEMPTION_COLUMNS`)."""
    return {
        "redemption_id": event.redemption_id,
        "account": event.account,
        "asset": event.asset,
        "issuer": event.issuer,
        "amount": event.amount,
        "fee": event.fee,
        "physical": event.physical,
        "ref": event.ref,
        "status": RedemptionStatus.PENDING.value,
        "requested_seq": event.seq,
        "requested_us": event.time,
        "updated_us": event.time,
        "burned": 0,
        "bars": "[]",
        "cash_units": 0,
        "pay_asset": "",
        "cash_price": 0,
        "cash": 0,
        "reason": "",
        "agent": "",
    }


def _redemption_changed(
    touched: _Touched, event: RedemptionCompleted | RedemptionEnded, **changed: object
) -> None:
    """A step of a redemption, folded as a withdrawal's is (`_step`)."""
    _step(touched.new_redemptions, touched.redemption_changes, event.redemption_id, event.time,
          changed)  # fmt: skip


def _requested(event: WithdrawalRequested) -> dict[str, object]:
    """A new withdrawal's columns, by name (`WITHDRAWAL_COLUMNS`)."""
    return {
        "withdrawal_id": event.withdrawal_id,
        "account": event.account,
        "asset": event.asset,
        "network": event.network,
        "address": event.address,
        "amount": event.amount,
        "fee": event.fee,
        "client_ref": event.client_ref,
        "status": event.status.value,
        "approvals": 0,
        "tx_hash": "",
        "nonce": -1,
        "requested_seq": event.seq,
        "requested_us": event.time,
        "updated_us": event.time,
        "completed_us": None,
        "reason": "",
    }


def _withdrawal_changed(
    touched: _Touched,
    event: WithdrawalApproved | WithdrawalSigned | WithdrawalCompleted | WithdrawalEnded,
    **changed: object,
) -> None:
    """A step of a withdrawal (`_step`)."""
    _step(touched.new_withdrawals, touched.withdrawal_changes, event.withdrawal_id, event.time,
          changed)  # fmt: skip


def _step(
    new: dict[Any, dict[str, object]],
    earlier: dict[Any, dict[str, object]],
    key: object,
    time: int,
    changed: dict[str, object],
) -> None:
    """A step of something with a lifecycle (a withdrawal, a redemption): into its new row
    when this batch began it, else into the update of the row an earlier batch wrote.
    Later steps overwrite earlier ones."""
    columns = new.get(key)
    if columns is None:
        columns = earlier.setdefault(key, {})
    columns.update(changed)
    columns["updated_us"] = time


def _amended(state: ProjectionState, rows: Rows, touched: _Touched, event: OrderAmended) -> None:
    """An amendment's row, and the open order's new quantity and client order id. An order
    list's pending order has no row yet: its `OrderAccepted` will carry what the amend set."""
    client_id = event.client_order_id
    if event.order_id in state.open_orders:
        order = _touch(state, touched, event.order_id, event)
        orig_client_id, orig_qty = order.client_order_id, order.orig_qty
        order.orig_qty = event.new_quantity
        if client_id:
            order.client_order_id = client_id
        list_id = order.order_list_id
    else:
        orig_client_id, orig_qty = event.orig_client_order_id, event.orig_quantity
        list_id = state.list_legs.get(event.order_id, -1)
    orders = state.list_orders.get(list_id)
    if client_id and client_id != orig_client_id and orders is not None:
        for entry in orders:
            if entry[0] == event.order_id:
                entry[1] = client_id
        rows.order_list_changes.append(
            {"order_list_id": list_id, "orders": json.dumps(orders, separators=(",", ":"))}
        )
    rows.amendments.append(
        (
            event.seq,
            event.order_id,
            event.account,
            event.symbol,
            orig_client_id,
            orig_qty,
            event.new_quantity,
            event.time,
            client_id or orig_client_id,
        )
    )


def _touch(state: ProjectionState, touched: _Touched, order_id: int, event: Event) -> OrderState:
    """The open order an event changes, marked for writing."""
    order = state.open_orders[order_id]
    order.update_time_us = event.time
    order.updated_seq = event.seq
    if order_id not in touched.new_orders:
        touched.changed_orders[order_id] = order
    return order


def _end(
    state: ProjectionState,
    touched: _Touched,
    event: OrderFilled | OrderCanceled | OrderExpired,
    status: str,
) -> None:
    if event.order_id not in state.open_orders:
        return  # a pending leg of an order list that never went on the book
    order = _touch(state, touched, event.order_id, event)
    order.status = status
    del state.open_orders[event.order_id]


def _trade(state: ProjectionState, rows: Rows, touched: _Touched, t: TradeExecuted) -> None:
    symbol = t.symbol
    taker = t.seller_order_id if t.buyer_is_maker else t.buyer_order_id
    last = state.aggs.get(symbol)
    if last is not None and last.seq == t.seq and last.taker_order_id == taker:
        if last.price != t.price:
            last.agg_id += 1
            last.price = t.price
    elif last is None:
        last = state.aggs[symbol] = LastAgg(1, t.seq, taker, t.price)
    else:
        last.agg_id += 1
        last.seq, last.taker_order_id, last.price = t.seq, taker, t.price
    rows.trades.append(
        (
            symbol,
            t.trade_id,
            last.agg_id,
            t.seq,
            t.time,
            t.price,
            t.quantity,
            t.quote_quantity,
            t.buyer_order_id,
            t.seller_order_id,
            t.buyer_account,
            t.seller_account,
            t.buyer_is_maker,
            t.buyer_fee,
            t.seller_fee,
            t.buyer_fee_in_quote,
        )
    )
    for order_id in (t.buyer_order_id, t.seller_order_id):
        order = _touch(state, touched, order_id, t)
        order.executed_qty += t.quantity
        order.cumulative_quote_qty += t.quote_quantity
        order.status = PARTIALLY_FILLED

    t_ms = t.time // 1000
    seconds = touched.seconds
    second = seconds.get(symbol)
    if second is None or t_ms > second.close_time:
        if second is not None:
            _fold_second(state, touched, second)
        start = t_ms - t_ms % SECOND
        second = seconds[symbol] = CandleState(symbol, "1s", start, start + SECOND - 1)
    # A time that went backwards (a clock step at the sequencer) counts in the open second:
    # candles only ever move forward.
    second.add(t, t_ms)


def _fold_second(state: ProjectionState, touched: _Touched, second: CandleState) -> None:
    symbol = second.symbol
    for interval in INTERVALS:
        key = (symbol, interval)
        candle = state.candles.get(key)
        if candle is None or second.open_time > candle.close_time:
            open_ms, close_ms = bounds(interval, second.open_time)
            candle = state.candles[key] = CandleState(symbol, interval, open_ms, close_ms)
        candle.merge(second)
        touched.candles[(symbol, interval, candle.open_time)] = candle
