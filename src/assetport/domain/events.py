"""Events: immutable, past-tense facts the engine produces while applying a command.

Every event carries the sequence number and time of the command that caused it. Events
carry the exact amounts that moved, so that every consumer (replies, user streams, read
models, the ledger postings in `assetport.domain.postings`) derives its view from events
alone, without asking the engine.
"""

from collections.abc import Iterable

import msgspec

from assetport.domain.assets import AssetKind
from assetport.domain.commands import PlaceOrder, PlaceOrderList
from assetport.domain.custody import CustodyPolicy, WithdrawalRules, WithdrawalStatus
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.attestations import Attestation
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.redemptions import RedemptionStatus
from assetport.domain.issuance.terms import RwaTerms, SubscriptionTerms, TransferKind
from assetport.domain.markets import FeeAsset, Market, MarketStatus
from assetport.domain.nft.collections import Collection
from assetport.domain.nft.drops import DropTerms
from assetport.domain.nft.items import ItemSpec
from assetport.domain.nft.trading import (
    AuctionTerms,
    ListingTerms,
    NftEndReason,
    NftSaleKind,
    OfferTerms,
)
from assetport.domain.order_lists import ListKind, ListOrderStatus, ListStatusType
from assetport.domain.orders import SelfTradePrevention, Side, TimeInForce
from assetport.domain.results import RejectReason


class Event(msgspec.Struct, frozen=True, gc=False, array_like=True, tag_field="e"):
    seq: int
    time: int


class AssetListed(Event, tag="asset_listed", frozen=True):
    code: str
    precision: int
    kind: AssetKind = AssetKind.COIN
    issuer: int | None = None
    metadata: dict[str, str] = msgspec.field(default_factory=dict)


class MarketListed(Event, tag="market_listed", frozen=True):
    market: Market


class MarketStatusChanged(Event, tag="market_status", frozen=True):
    symbol: str
    status: MarketStatus


class MarketFeesChanged(Event, tag="market_fees", frozen=True):
    symbol: str
    maker_fee_bps: int
    taker_fee_bps: int


class MarketSelfTradePreventionChanged(Event, tag="market_stp", frozen=True):
    symbol: str
    default_stp: SelfTradePrevention
    allow_stp_none: bool


class MarketFeeAssetChanged(Event, tag="market_fee_asset", frozen=True):
    symbol: str
    fee_asset: FeeAsset


class DustConversion(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One small balance sold to the venue: `amount` of `asset` for `value` units of the
    target at the last price, of which `fee` stayed with the venue and `transferred` came to
    the account."""

    asset: str
    amount: int
    value: int
    fee: int
    transferred: int


class DustConverted(Event, tag="dust_converted", frozen=True):
    """The account's small balances went to the fee account (which buys them), and their
    value less the service fee came back in `target`. The conversion's id is `seq`."""

    account: int
    target: str
    conversions: tuple[DustConversion, ...]


class AccountFeesChanged(Event, tag="account_fees", frozen=True):
    """A per-account fee override; negative rates mean the override was removed."""

    account: int
    maker_fee_bps: int
    taker_fee_bps: int


class Deposited(Event, tag="deposited", frozen=True):
    account: int
    asset: str
    amount: int
    ref: str


class Withdrawn(Event, tag="withdrawn", frozen=True):
    account: int
    asset: str
    amount: int
    ref: str


class CommandRejected(Event, tag="rejected", frozen=True):
    """The command changed nothing. `order_id` names the order a cancel or amend was about."""

    reason: RejectReason
    account: int = 0
    symbol: str = ""
    client_order_id: str = ""
    order_id: int = 0


def refusal(events: Iterable[Event]) -> CommandRejected | None:
    """The refusal among a command's events: None when the command was applied."""
    for event in events:
        if isinstance(event, CommandRejected):
            return event
    return None


class OrderAccepted(Event, tag="accepted", frozen=True):
    """A new order passed every check; `held` units of `held_asset` moved from free to held
    (for a buy on a QUOTE-fee market, the fee it may pay included).

    `order` is the command as the client gave it (price, quantity, type, client order id...);
    the other fields are what the engine decided: the order id, the time in force and
    self-trade prevention mode in force (defaults filled in), the hold. `working` is False
    for a stop order waiting for its trigger.
    """

    order_id: int
    account: int
    symbol: str
    side: Side
    time_in_force: TimeInForce
    stp_mode: SelfTradePrevention
    held_asset: str
    held: int
    working: bool
    order: PlaceOrder


class OrderTriggered(Event, tag="triggered", frozen=True):
    """A stop order's stop price was reached by the last trade price; it now works.

    A stop-market buy tops up its hold to what the book now asks: `held_added` units of
    `held_asset` moved from free to held.
    """

    order_id: int
    account: int
    symbol: str
    last_price: int
    held_asset: str
    held_added: int


class TradeExecuted(Event, tag="trade", frozen=True):
    """One match between a taker and a resting maker.

    The buyer paid `quote_quantity` from held quote and got `quantity - buyer_fee` base; the
    seller gave `quantity` from held base and got `quote_quantity - seller_fee` quote; fees
    went to the fee account. `buyer_released` quote went back from the buyer's hold to free
    (price improvement on a limit buy that took liquidity below its limit).

    When `buyer_fee_in_quote` (a buy placed on a QUOTE-fee market), the buyer got the whole
    `quantity` and paid `buyer_fee` in quote from its hold, on top of `quote_quantity`.
    """

    symbol: str
    trade_id: int
    price: int
    quantity: int
    quote_quantity: int
    buyer_order_id: int
    seller_order_id: int
    buyer_account: int
    seller_account: int
    buyer_is_maker: bool
    buyer_fee: int
    seller_fee: int
    buyer_released: int
    buyer_fee_in_quote: bool = False


class MatchPrevented(Event, tag="prevented", frozen=True):
    """Self-trade prevention stopped a match between two orders of one account."""

    symbol: str
    prevented_match_id: int
    taker_order_id: int
    maker_order_id: int
    account: int
    price: int
    taker_prevented_qty: int
    maker_prevented_qty: int
    mode: SelfTradePrevention


class OrderCanceled(Event, tag="canceled", frozen=True):
    """The account canceled the order; `released` units of `asset` went back to free."""

    order_id: int
    account: int
    symbol: str
    asset: str
    released: int


class OrderExpired(Event, tag="expired", frozen=True):
    """The order ended by its own rules (IOC, FOK, MARKET out of liquidity or budget) or,
    with `in_match`, by self-trade prevention; `released` went back to free."""

    order_id: int
    account: int
    symbol: str
    asset: str
    released: int
    in_match: bool


class OrderFilled(Event, tag="filled", frozen=True):
    """The order's whole quantity traded; any leftover hold (`released`) went back to free."""

    order_id: int
    account: int
    symbol: str
    asset: str
    released: int


class OrderAmended(Event, tag="amended", frozen=True):
    """The order's quantity went down from `orig_quantity` to `new_quantity`, keeping its
    priority (or, for an order list's pending order, the order it will place). Its client
    order id went from `orig_client_order_id` to `client_order_id` (the same when it kept
    it; "" and 0 in an event made before amends changed ids)."""

    order_id: int
    account: int
    symbol: str
    new_quantity: int
    asset: str
    released: int
    client_order_id: str = ""
    orig_client_order_id: str = ""
    orig_quantity: int = 0


class OrderListPlaced(Event, tag="list_placed", frozen=True):
    """An order list passed every check: `order_ids` are its legs' ids, in the order of
    `command.orders`. It comes before its legs' `OrderAccepted`; a pending leg (of an OTO or
    OTOCO) has none until its working order is filled, and is PENDING_NEW until then."""

    order_list_id: int
    account: int
    symbol: str
    kind: ListKind
    list_client_order_id: str
    order_ids: tuple[int, ...]
    command: PlaceOrderList


class OrderListStatus(Event, tag="list_status", frozen=True):
    """An order list moved on: its pending orders were placed (UPDATED), or it ended
    (ALL_DONE), after its legs' own events of the same command."""

    order_list_id: int
    account: int
    symbol: str
    list_status_type: ListStatusType
    list_order_status: ListOrderStatus


# ---------------------------------------------------------------- custody (domain/custody.py)


class DepositCredited(Event, tag="deposit_credited", frozen=True):
    """External -> the account's free balance."""

    account: int
    asset: str
    amount: int
    network: str
    tx_hash: str
    log_index: int
    address: str


class WithdrawalRulesSet(Event, tag="withdrawal_rules", frozen=True):
    rules: WithdrawalRules


class CustodyPolicySet(Event, tag="custody_policy", frozen=True):
    policy: CustodyPolicy


class WithdrawalAddressAdded(Event, tag="withdrawal_address_added", frozen=True):
    account: int
    network: str
    address: str
    label: str
    usable_from: int  # µs, as every event's time: the command's time plus the cooldown


class WithdrawalAddressRemoved(Event, tag="withdrawal_address_removed", frozen=True):
    account: int
    network: str
    address: str


class WithdrawalRiskHoldSet(Event, tag="withdrawal_risk_hold", frozen=True):
    account: int
    held: bool
    reason: str


class WithdrawalRequested(Event, tag="withdrawal_requested", frozen=True):
    """`amount + fee` moved from the account's free balance to held."""

    account: int
    asset: str
    network: str
    address: str
    amount: int
    fee: int
    withdrawal_id: str
    client_ref: str
    status: WithdrawalStatus


class WithdrawalApproved(Event, tag="withdrawal_approved", frozen=True):
    """One operator's approval; `status` is APPROVED once enough operators approved."""

    withdrawal_id: str
    account: int
    operator: str
    approvals: int
    status: WithdrawalStatus


class WithdrawalSigned(Event, tag="withdrawal_signed", frozen=True):
    withdrawal_id: str
    account: int
    tx_hash: str
    nonce: int
    sender: str


class WithdrawalCompleted(Event, tag="withdrawal_completed", frozen=True):
    """The held `amount + fee` left: `amount` to the external world, `fee` to the fee
    account."""

    withdrawal_id: str
    account: int
    asset: str
    amount: int
    fee: int
    tx_hash: str
    block_number: int


class WithdrawalEnded(Event, tag="withdrawal_ended", frozen=True):
    """Cancelled, rejected or failed: the held `released` went back to free."""

    withdrawal_id: str
    account: int
    asset: str
    released: int
    status: WithdrawalStatus
    reason: str


# ------------------------------------------------------ issuance (domain/issuance/)


class AttestorRegistered(Event, tag="attestor_registered", frozen=True):
    issuer: int
    key_id: str
    public_key: str


class RwaTermsSet(Event, tag="rwa_terms", frozen=True):
    terms: RwaTerms


class ReserveAttested(Event, tag="reserve_attested", frozen=True):
    """The asset's reserve is now the attestation's total; `supply` is the ledger's supply
    then. A reserve below the supply (a shortfall) is recorded as the fact it is: no mint
    is possible until a new attestation covers the supply."""

    attestation: Attestation
    supply: int


class RwaMinted(Event, tag="rwa_minted", frozen=True):
    """External -> the issuer's treasury: the supply grows by `amount`."""

    asset: str
    issuer: int
    amount: int
    ref: str
    supply: int  # after
    reserve: int


class RwaBurned(Event, tag="rwa_burned", frozen=True):
    """The issuer's treasury -> external: the supply shrinks by `amount`."""

    asset: str
    issuer: int
    amount: int
    ref: str
    supply: int  # after


class DistributionPaid(Event, tag="distribution_paid", frozen=True):
    """The issuer's treasury -> each holder of `asset`, in `pay_asset`; `remainder` of the
    `amount` declared stayed with the issuer (payouts + remainder = amount)."""

    asset: str
    pay_asset: str
    issuer: int
    amount: int
    ref: str
    payouts: tuple[tuple[int, int], ...]  # (account, units), in account order
    remainder: int


class SubscriptionTermsSet(Event, tag="subscription_terms", frozen=True):
    terms: SubscriptionTerms


class Subscribed(Event, tag="subscribed", frozen=True):
    """One posting: external -> the subscriber `amount` of `asset` (the supply grows), the
    subscriber -> the issuer's treasury `cost + fee` of `quote`."""

    account: int
    asset: str
    issuer: int
    amount: int
    quote: str
    cost: int
    fee: int
    ref: str
    supply: int  # after


class RedemptionRequested(Event, tag="redemption_requested", frozen=True):
    """`amount` of the holder's `asset` is held for the redemption; `fee` of it will go
    to the issuer's treasury, the rest is burned when the issuer confirms."""

    redemption_id: int
    account: int
    asset: str
    issuer: int
    amount: int
    fee: int
    physical: bool
    ref: str


class RedemptionCompleted(Event, tag="redemption_completed", frozen=True):
    """One posting: the held `amount` leaves the holder, `fee` to the issuer's treasury,
    `burned` to external (the supply shrinks); `cash` of `pay_asset` from the treasury to
    the holder. `bars` (serial, units) left the reserve for delivery."""

    redemption_id: int
    account: int
    asset: str
    issuer: int
    amount: int
    fee: int
    burned: int
    bars: tuple[tuple[str, int], ...]
    cash_units: int  # the token units paid in cash
    pay_asset: str
    cash_price: int
    cash: int
    supply: int  # after
    agent: str = ""  # the issuer's agent who acted (empty: the operator, or the holder)


class RedemptionEnded(Event, tag="redemption_ended", frozen=True):
    """Rejected by the issuer or canceled by the holder: the held `amount` is released."""

    redemption_id: int
    account: int
    asset: str
    amount: int
    status: RedemptionStatus
    reason: str
    agent: str = ""  # the issuer's agent who acted (empty: the operator, or the holder)


class CreditsRetired(Event, tag="credits_retired", frozen=True):
    """A retirement certificate: `amount` burned from `account` (the supply shrinks), for
    `beneficiary`; `serials` (lot serial, units) are the registry credits it retired."""

    certificate_id: int
    account: int
    asset: str
    amount: int
    beneficiary: str
    purpose: str
    serials: tuple[tuple[str, int], ...]
    ref: str
    supply: int  # after


class RwaTransferred(Event, tag="rwa_transferred", frozen=True):
    asset: str
    issuer: int
    source: int
    target: int
    amount: int
    kind: TransferKind
    reason: str
    ref: str
    agent: str = ""  # the issuer's agent who acted (empty: the operator, or the holder)


class AccountIdentitySet(Event, tag="account_identity", frozen=True):
    account: int
    identity: AccountIdentity


class HolderRulesSet(Event, tag="holder_rules", frozen=True):
    issuer: int
    rules: HolderRules


class HoldingFrozen(Event, tag="holding_frozen", frozen=True):
    """`amount` of the account's free holding is now held, frozen; `frozen` in all."""

    account: int
    asset: str
    issuer: int
    amount: int
    frozen: int
    reason: str
    agent: str = ""  # the issuer's agent who acted (empty: the operator, or the holder)


class HoldingUnfrozen(Event, tag="holding_unfrozen", frozen=True):
    account: int
    asset: str
    issuer: int
    amount: int
    frozen: int  # what stays frozen
    reason: str
    agent: str = ""  # the issuer's agent who acted (empty: the operator, or the holder)


# ------------------------------------------------------------ NFT marketplace (domain/nft/)


class NftCollectionCreated(Event, tag="nft_collection_created", frozen=True):
    collection: Collection


class NftCollectionVerified(Event, tag="nft_collection_verified", frozen=True):
    collection: str
    verified: bool


class NftFeeSet(Event, tag="nft_fee_set", frozen=True):
    fee_bps: int


class NftMinted(Event, tag="nft_minted", frozen=True):
    """Items minted by the collection's creator (`account`) to `to`."""

    account: int
    collection: str
    to: int
    items: tuple[ItemSpec, ...]


class NftTransferred(Event, tag="nft_transferred", frozen=True):
    """Units of an item given by `source` to `target` (no money moves)."""

    collection: str
    token_id: int
    quantity: int
    source: int
    target: int


class NftListed(Event, tag="nft_listed", frozen=True):
    """A listing: its units set aside from the seller's holding."""

    listing_id: int
    account: int
    terms: ListingTerms
    currency: str


class NftListingEnded(Event, tag="nft_listing_ended", frozen=True):
    """A listing ends: `returned` units go back to the seller (none when it sold out)."""

    listing_id: int
    account: int
    collection: str
    token_id: int
    returned: int
    reason: NftEndReason


class NftOfferMade(Event, tag="nft_offer_made", frozen=True):
    """An offer: `held` (its whole value) set aside from the buyer's free `currency`."""

    offer_id: int
    account: int
    terms: OfferTerms
    currency: str
    held: int


class NftOfferEnded(Event, tag="nft_offer_ended", frozen=True):
    """An offer ends: `released` of what it held goes back to the buyer's free balance."""

    offer_id: int
    account: int
    currency: str
    released: int
    reason: NftEndReason


class NftAuctionStarted(Event, tag="nft_auction_started", frozen=True):
    """An auction: its units set aside from the seller's holding."""

    auction_id: int
    account: int
    terms: AuctionTerms
    currency: str


class NftBidPlaced(Event, tag="nft_bid_placed", frozen=True):
    """A bid on an English auction: `held` set aside from the bidder's free currency, and the
    bid it beat (`outbid`, 0 for none) given back its `outbid_released`. `ends_us` is the
    auction's end after this bid (later than before when the bid came near the end)."""

    auction_id: int
    account: int
    price: int
    currency: str
    held: int
    outbid: int
    outbid_released: int
    ends_us: int


class NftAuctionEnded(Event, tag="nft_auction_ended", frozen=True):
    """An auction ends. Sold: an `NftSold` follows, paid from the winning bid's hold or (a
    buy-now, a Dutch auction) from the buyer's free balance. Unsold: its units go back to the
    seller. Either way a bid given back (a bid under the reserve, a bid a buy-now beat) is
    `bidder`'s, and `released` of its hold returns to its free balance (0: none)."""

    auction_id: int
    account: int
    collection: str
    token_id: int
    reason: NftEndReason
    bidder: int
    currency: str
    released: int


class NftSold(Event, tag="nft_sold", frozen=True):
    """One sale, settled as one posting: the buyer pays `total` (from its free balance, or
    from what its offer or bid held), the platform's fee goes to the fee account, each royalty
    receiver gets its share, and the seller the rest (`domain/nft/split.py`)."""

    sale_id: int
    kind: NftSaleKind
    source_id: int  # the listing, offer or auction
    collection: str
    token_id: int
    quantity: int
    price: int  # per unit
    currency: str
    seller: int
    buyer: int
    total: int
    from_held: bool
    fee: int
    royalties: tuple[tuple[int, int], ...]
    seller_receives: int
    # Buyer and seller are accounts of one verified person: the sale counts in no volume or
    # floor (the wash-trading guard; compliance's surveillance sees it all the same).
    wash: bool = False


class NftDropCreated(Event, tag="nft_drop_created", frozen=True):
    """A primary sale: its lots set aside from the creator's holding."""

    drop_id: int
    account: int
    terms: DropTerms
    currency: str


class NftDropEntered(Event, tag="nft_drop_entered", frozen=True):
    """Tickets entered in a draw or boxes bought: their price, `held`, set aside from the
    account's free currency until the reveal. Boxes are numbered from 1 in purchase order:
    these from `first`. A draw's tickets are numbered from 0 in the order of the accounts'
    first entries (`draws.py`), so a later entry's have no number of their own: 0."""

    drop_id: int
    account: int
    quantity: int
    first: int
    currency: str
    held: int


class NftBoxOpened(Event, tag="nft_box_opened", frozen=True):
    """Box `serial` opened into one unit of the item; the `NftSold` after it settles it."""

    drop_id: int
    serial: int
    account: int
    collection: str
    token_id: int


class NftDropRefunded(Event, tag="nft_drop_refunded", frozen=True):
    """What an account held for a draw's or box sale's tickets or boxes, and does not pay
    for (tickets not drawn; everything when the sale was canceled), back to free."""

    drop_id: int
    account: int
    currency: str
    released: int


class NftDropEnded(Event, tag="nft_drop_ended", frozen=True):
    """A primary sale ends: `returned` units per token id go back to the creator; `seed`
    is the revealed seed of a draw or box sale (empty otherwise, or when never revealed)."""

    drop_id: int
    account: int
    collection: str
    reason: NftEndReason
    returned: tuple[tuple[int, int], ...]
    seed: str


class NftContractSet(Event, tag="nft_contract_set", frozen=True):
    collection: str
    network: str
    address: str


class NftWithdrawalRequested(Event, tag="nft_withdrawal_requested", frozen=True):
    """Units set aside from the holder until custody sends them to `address`."""

    withdrawal_id: int
    account: int
    collection: str
    token_id: int
    quantity: int
    network: str
    address: str
    ref: str


class NftWithdrawn(Event, tag="nft_withdrawn", frozen=True):
    """The units left custody: they are the holder's on chain now."""

    withdrawal_id: int
    account: int
    collection: str
    token_id: int
    quantity: int
    network: str
    address: str
    tx_hash: str


class NftWithdrawalFailed(Event, tag="nft_withdrawal_failed", frozen=True):
    """Custody could not send them: the units are the holder's again."""

    withdrawal_id: int
    account: int
    collection: str
    token_id: int
    quantity: int
    reason: str


class NftDeposited(Event, tag="nft_deposited", frozen=True):
    """Units that came back from the chain, credited to the account."""

    account: int
    collection: str
    token_id: int
    quantity: int
    network: str
    tx_hash: str
    log_index: int


AnyEvent = (
    AssetListed
    | MarketListed
    | MarketStatusChanged
    | MarketFeesChanged
    | MarketSelfTradePreventionChanged
    | MarketFeeAssetChanged
    | AccountFeesChanged
    | DustConverted
    | Deposited
    | Withdrawn
    | CommandRejected
    | OrderAccepted
    | OrderTriggered
    | TradeExecuted
    | MatchPrevented
    | OrderCanceled
    | OrderExpired
    | OrderFilled
    | OrderAmended
    | OrderListPlaced
    | OrderListStatus
    | DepositCredited
    | WithdrawalRulesSet
    | CustodyPolicySet
    | WithdrawalAddressAdded
    | WithdrawalAddressRemoved
    | WithdrawalRiskHoldSet
    | WithdrawalRequested
    | WithdrawalApproved
    | WithdrawalSigned
    | WithdrawalCompleted
    | WithdrawalEnded
    | AttestorRegistered
    | RwaTermsSet
    | ReserveAttested
    | RwaMinted
    | RwaBurned
    | DistributionPaid
    | SubscriptionTermsSet
    | Subscribed
    | RedemptionRequested
    | RedemptionCompleted
    | RedemptionEnded
    | CreditsRetired
    | RwaTransferred
    | AccountIdentitySet
    | HolderRulesSet
    | HoldingFrozen
    | HoldingUnfrozen
    | NftCollectionCreated
    | NftCollectionVerified
    | NftFeeSet
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

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(list[AnyEvent])


def encode_events(events: list[Event]) -> bytes:
    return _encoder.encode(events)


def decode_events(data: bytes) -> list[AnyEvent]:
    events: list[AnyEvent] = _decoder.decode(data)
    return events
