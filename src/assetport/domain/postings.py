"""Ledger postings derived from events alone: the double-entry record of every balance change.

A posting line is (seq, account, asset, bucket, signed amount). The lines of one event form a
balanced group: per asset they sum to zero, because money only moves between buckets (free,
held) of the same or of two accounts. Deposits and withdrawals post against the external
account, fees go to the fee account (see `assetport.domain.accounts`).

This is the production derivation that read models and audits rely on. It reads only the
amounts the events state (see the docstrings in `assetport.domain.events`), never the
engine, so that a property test can hold it to the engine's own ledger: if an event left out
an amount that moved, balances rebuilt from postings would drift from the engine's.

Lines of zero amount are left out: they change nothing and would only fill tables.
"""

from enum import StrEnum
from typing import NamedTuple

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FEE_ACCOUNT
from assetport.domain.events import (
    AccountFeesChanged,
    AccountIdentitySet,
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

# Every kind of event is one or the other; a test holds the two to `events.AnyEvent`, so a
# new kind of event cannot be left out of the postings by accident.
MOVES_MONEY: tuple[type[Event], ...] = (
    TradeExecuted,
    OrderAccepted,
    OrderFilled,
    OrderCanceled,
    OrderExpired,
    OrderAmended,
    OrderTriggered,
    Deposited,
    Withdrawn,
    DustConverted,
    DepositCredited,
    WithdrawalRequested,
    WithdrawalCompleted,
    WithdrawalEnded,
    RwaMinted,
    RwaBurned,
    DistributionPaid,
    Subscribed,
    RedemptionRequested,
    RedemptionCompleted,
    RedemptionEnded,
    CreditsRetired,
    RwaTransferred,
    HoldingFrozen,
    HoldingUnfrozen,
    NftSold,
    NftOfferMade,
    NftOfferEnded,
    NftBidPlaced,
    NftAuctionEnded,
    NftDropEntered,
    NftDropRefunded,
)
MOVES_NO_MONEY: tuple[type[Event], ...] = (
    AssetListed,
    MarketListed,  # no money, but the rules learn the market's assets from it
    MarketStatusChanged,
    MarketFeesChanged,
    MarketFeeAssetChanged,
    MarketSelfTradePreventionChanged,
    AccountFeesChanged,
    CommandRejected,
    MatchPrevented,
    OrderListPlaced,  # its legs' OrderAccepted hold the money
    OrderListStatus,
    WithdrawalRulesSet,
    CustodyPolicySet,
    WithdrawalAddressAdded,
    WithdrawalAddressRemoved,
    WithdrawalRiskHoldSet,
    WithdrawalApproved,
    WithdrawalSigned,
    AttestorRegistered,
    RwaTermsSet,
    ReserveAttested,
    SubscriptionTermsSet,
    AccountIdentitySet,
    HolderRulesSet,
    # NFT items are not money (the NFT product holds them); their sales and holds are above
    NftCollectionCreated,
    NftCollectionVerified,
    NftFeeSet,
    NftMinted,
    NftTransferred,
    NftListed,
    NftListingEnded,
    NftAuctionStarted,
    NftDropCreated,
    NftBoxOpened,
    NftDropEnded,
    NftContractSet,
    NftWithdrawalRequested,
    NftWithdrawn,
    NftWithdrawalFailed,
    NftDeposited,
)


class Bucket(StrEnum):
    FREE = "free"
    HELD = "held"


FREE = Bucket.FREE
HELD = Bucket.HELD


class Posting(NamedTuple):
    seq: int
    account: int
    asset: str
    bucket: Bucket
    amount: int


class PostingRules:
    """Turns events into postings. A trade names only its symbol, so the rules remember each
    market's (base, quote) from `MarketListed` events, or from `pairs` given at start (a
    projector resuming mid-log passes what it stored)."""

    def __init__(self, pairs: dict[str, tuple[str, str]] | None = None) -> None:
        self.pairs: dict[str, tuple[str, str]] = dict(pairs or {})

    def postings(self, event: Event) -> list[Posting]:
        """The balanced lines of one event (empty for events that move no money)."""
        lines: list[Posting] = []
        self.post(event, lines)
        return lines

    def post(self, event: Event, lines: list[Posting]) -> None:
        """Append the event's lines to `lines` (no list per event on the projector's path)."""
        # Most frequent first.
        if isinstance(event, TradeExecuted):
            _trade(event, self.pairs[event.symbol], lines)
        elif isinstance(event, OrderAccepted):
            _hold(event.seq, event.account, event.held_asset, event.held, lines)
        elif isinstance(event, OrderFilled | OrderCanceled | OrderExpired | OrderAmended):
            _hold(event.seq, event.account, event.asset, -event.released, lines)
        elif isinstance(event, OrderTriggered):
            _hold(event.seq, event.account, event.held_asset, event.held_added, lines)
        elif isinstance(event, Deposited):
            _transfer(event.seq, event.account, event.asset, event.amount, lines)
        elif isinstance(event, Withdrawn):
            _transfer(event.seq, event.account, event.asset, -event.amount, lines)
        elif isinstance(event, DustConverted):
            _dust(event, lines)
        elif isinstance(event, DepositCredited):
            _transfer(event.seq, event.account, event.asset, event.amount, lines)
        elif isinstance(event, WithdrawalRequested):
            _hold(event.seq, event.account, event.asset, event.amount + event.fee, lines)
        elif isinstance(event, WithdrawalEnded):
            _hold(event.seq, event.account, event.asset, -event.released, lines)
        elif isinstance(event, WithdrawalCompleted):
            _withdrawal_paid(event, lines)
        elif isinstance(event, RwaMinted):
            _transfer(event.seq, event.issuer, event.asset, event.amount, lines)
        elif isinstance(event, RwaBurned):
            _transfer(event.seq, event.issuer, event.asset, -event.amount, lines)
        elif isinstance(event, DistributionPaid):
            _distribution(event, lines)
        elif isinstance(event, Subscribed):
            _subscription(event, lines)
        elif isinstance(event, RedemptionRequested):
            _hold(event.seq, event.account, event.asset, event.amount, lines)
        elif isinstance(event, RedemptionEnded):
            _hold(event.seq, event.account, event.asset, -event.amount, lines)
        elif isinstance(event, RedemptionCompleted):
            _redemption(event, lines)
        elif isinstance(event, CreditsRetired):
            _transfer(event.seq, event.account, event.asset, -event.amount, lines)
        elif isinstance(event, HoldingFrozen):
            _hold(event.seq, event.account, event.asset, event.amount, lines)
        elif isinstance(event, HoldingUnfrozen):
            _hold(event.seq, event.account, event.asset, -event.amount, lines)
        elif isinstance(event, RwaTransferred):
            lines.append(Posting(event.seq, event.source, event.asset, FREE, -event.amount))
            lines.append(Posting(event.seq, event.target, event.asset, FREE, event.amount))
        elif isinstance(event, NftSold):
            _nft_sale(event, lines)
        elif isinstance(event, NftOfferMade):
            _hold(event.seq, event.account, event.currency, event.held, lines)
        elif isinstance(event, NftOfferEnded):
            _hold(event.seq, event.account, event.currency, -event.released, lines)
        elif isinstance(event, NftBidPlaced):
            _hold(event.seq, event.outbid, event.currency, -event.outbid_released, lines)
            _hold(event.seq, event.account, event.currency, event.held, lines)
        elif isinstance(event, NftDropEntered):
            _hold(event.seq, event.account, event.currency, event.held, lines)
        elif isinstance(event, NftDropRefunded):
            _hold(event.seq, event.account, event.currency, -event.released, lines)
        elif isinstance(event, NftAuctionEnded):
            _hold(event.seq, event.bidder, event.currency, -event.released, lines)
        elif isinstance(event, MarketListed):
            market = event.market
            self.pairs[market.symbol] = (market.base, market.quote)


def _hold(seq: int, account: int, asset: str, amount: int, lines: list[Posting]) -> None:
    """Free -> held within one account (held -> free when `amount` is negative)."""
    if amount:
        lines.append(Posting(seq, account, asset, FREE, -amount))
        lines.append(Posting(seq, account, asset, HELD, amount))


def _transfer(seq: int, account: int, asset: str, amount: int, lines: list[Posting]) -> None:
    """External -> account free (account -> external when `amount` is negative)."""
    if amount:
        lines.append(Posting(seq, account, asset, FREE, amount))
        lines.append(Posting(seq, EXTERNAL_ACCOUNT, asset, FREE, -amount))


def _distribution(event: DistributionPaid, lines: list[Posting]) -> None:
    """The issuer's treasury pays each holder; the remainder never left it."""
    paid = event.amount - event.remainder
    if paid:
        lines.append(Posting(event.seq, event.issuer, event.pay_asset, FREE, -paid))
        lines.extend(
            Posting(event.seq, account, event.pay_asset, FREE, units)
            for account, units in event.payouts
        )


def _subscription(event: Subscribed, lines: list[Posting]) -> None:
    """New tokens to the subscriber; its payment and the fee to the issuer's treasury."""
    _transfer(event.seq, event.account, event.asset, event.amount, lines)
    paid = event.cost + event.fee
    lines.append(Posting(event.seq, event.account, event.quote, FREE, -paid))
    lines.append(Posting(event.seq, event.issuer, event.quote, FREE, paid))


def _redemption(event: RedemptionCompleted, lines: list[Posting]) -> None:
    """The held tokens leave the holder: the fee to the issuer's treasury, the rest burned;
    the cash from the treasury to the holder."""
    seq, asset = event.seq, event.asset
    lines.append(Posting(seq, event.account, asset, HELD, -event.amount))
    if event.fee:
        lines.append(Posting(seq, event.issuer, asset, FREE, event.fee))
    lines.append(Posting(seq, EXTERNAL_ACCOUNT, asset, FREE, event.amount - event.fee))
    if event.cash:
        lines.append(Posting(seq, event.issuer, event.pay_asset, FREE, -event.cash))
        lines.append(Posting(seq, event.account, event.pay_asset, FREE, event.cash))


def _nft_sale(event: NftSold, lines: list[Posting]) -> None:
    """The buyer pays (from free, or from its offer's or bid's hold); the seller, each royalty
    receiver and the fee account are paid in the same currency."""
    seq, currency = event.seq, event.currency
    bucket = HELD if event.from_held else FREE
    lines.append(Posting(seq, event.buyer, currency, bucket, -event.total))
    if event.seller_receives:
        lines.append(Posting(seq, event.seller, currency, FREE, event.seller_receives))
    lines.extend(
        Posting(seq, account, currency, FREE, units) for account, units in event.royalties if units
    )
    if event.fee:
        lines.append(Posting(seq, FEE_ACCOUNT, currency, FREE, event.fee))


def _withdrawal_paid(event: WithdrawalCompleted, lines: list[Posting]) -> None:
    """The held amount and fee leave the account: the amount to the external world, the
    fee to the fee account."""
    seq, asset = event.seq, event.asset
    lines.append(Posting(seq, event.account, asset, HELD, -(event.amount + event.fee)))
    lines.append(Posting(seq, EXTERNAL_ACCOUNT, asset, FREE, event.amount))
    if event.fee:
        lines.append(Posting(seq, FEE_ACCOUNT, asset, FREE, event.fee))


def _dust(event: DustConverted, lines: list[Posting]) -> None:
    """Each small balance to the fee account, which pays its value less the fee."""
    seq, account = event.seq, event.account
    for c in event.conversions:
        lines.append(Posting(seq, account, c.asset, FREE, -c.amount))
        lines.append(Posting(seq, FEE_ACCOUNT, c.asset, FREE, c.amount))
        if c.transferred:
            lines.append(Posting(seq, FEE_ACCOUNT, event.target, FREE, -c.transferred))
            lines.append(Posting(seq, account, event.target, FREE, c.transferred))


def _trade(event: TradeExecuted, pair: tuple[str, str], lines: list[Posting]) -> None:
    base, quote = pair
    seq = event.seq
    buyer, seller = event.buyer_account, event.seller_account
    released = event.buyer_released
    # Fees are charged in the asset each side receives, or both in quote.
    quote_fee = event.buyer_fee if event.buyer_fee_in_quote else 0
    base_fee = event.buyer_fee - quote_fee
    candidates = (
        # The buyer's hold pays the price (and a fee in quote) and gives back any price
        # improvement.
        (buyer, quote, HELD, -(event.quote_quantity + released + quote_fee)),
        (buyer, quote, FREE, released),
        (buyer, base, FREE, event.quantity - base_fee),
        # The seller's hold gives the base; the quote comes in net of the fee.
        (seller, base, HELD, -event.quantity),
        (seller, quote, FREE, event.quote_quantity - event.seller_fee),
        (FEE_ACCOUNT, base, FREE, base_fee),
        (FEE_ACCOUNT, quote, FREE, event.seller_fee + quote_fee),
    )
    for account, asset, bucket, amount in candidates:
        if amount:
            lines.append(Posting(seq, account, asset, bucket, amount))
