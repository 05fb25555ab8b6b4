"""Commands: what clients and operators ask the engine to do.

A command carries no sequence number and no time: the sequencer stamps both on the journal
record, and the engine reads them from there. Commands are encoded as tagged MessagePack
arrays in the journal, so the field order of a command is part of the journal format:
add new fields at the end, with a default.
"""

import msgspec

from assetport.domain.assets import AssetKind
from assetport.domain.custody import CustodyPolicy, WithdrawalRules
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.attestations import Attestation
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.terms import RwaTerms, SubscriptionTerms, TransferKind
from assetport.domain.markets import FeeAsset, Market, MarketStatus
from assetport.domain.nft.collections import Collection
from assetport.domain.nft.drops import DropTerms
from assetport.domain.nft.items import ItemSpec
from assetport.domain.nft.trading import AuctionTerms, ListingTerms, OfferTerms
from assetport.domain.order_lists import ListKind
from assetport.domain.orders import (
    CancelRestriction,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)


class Command(msgspec.Struct, frozen=True, gc=False, array_like=True, tag_field="c"):
    """Base of every command."""


class ListAsset(Command, tag="list_asset", frozen=True):
    """List an asset (`domain/assets.py`). The kind, issuer and metadata came later; a
    listing journaled without them decodes as a coin or token with neither."""

    code: str
    precision: int
    kind: AssetKind = AssetKind.COIN
    issuer: int | None = None
    metadata: dict[str, str] = msgspec.field(default_factory=dict)


class ListMarket(Command, tag="list_market", frozen=True):
    market: Market


class SetMarketStatus(Command, tag="set_market_status", frozen=True):
    symbol: str
    status: MarketStatus


class SetMarketFees(Command, tag="set_market_fees", frozen=True):
    symbol: str
    maker_fee_bps: int
    taker_fee_bps: int


class SetAccountFees(Command, tag="set_account_fees", frozen=True):
    """Per-account fee override for every market; negative values remove the override."""

    account: int
    maker_fee_bps: int
    taker_fee_bps: int


class Deposit(Command, tag="deposit", frozen=True):
    account: int
    asset: str
    amount: int
    ref: str


class Withdraw(Command, tag="withdraw", frozen=True):
    account: int
    asset: str
    amount: int
    ref: str


class PlaceOrder(Command, tag="place", frozen=True):
    """A new order. `quantity` or (for MARKET only) `quote_quantity` sizes it.

    `time_in_force` None means GTC for limit types; `stp_mode` None means the market's
    default; an empty `client_order_id` means none was given.
    """

    account: int
    symbol: str
    side: Side
    type: OrderType
    quantity: int = 0
    price: int = 0
    time_in_force: TimeInForce | None = None
    quote_quantity: int = 0
    stop_price: int = 0
    iceberg_qty: int = 0
    client_order_id: str = ""
    stp_mode: SelfTradePrevention | None = None


class CancelOrder(Command, tag="cancel", frozen=True):
    """Cancel by `order_id` (non-zero) or else by `client_order_id`, optionally only when
    the order is in the state a restriction names (Binance's cancelRestrictions).

    `cancel_client_order_id` is the cancel request's own id (Binance's `newClientOrderId` on
    a cancel): the reply's `clientOrderId` and the `c` of the user's `executionReport`. The
    engine ignores it; it is journaled so that every view of the cancel names the same id.

    With `ids_must_match` (as the gateway sends every cancel), an order id and a client order
    id given together must name the same order, as on Binance; cancels journaled before that
    rule (False) were decided by the order id alone, and replay so.
    """

    account: int
    symbol: str
    order_id: int = 0
    client_order_id: str = ""
    restriction: CancelRestriction | None = None
    cancel_client_order_id: str = ""
    ids_must_match: bool = False


class CancelAllOrders(Command, tag="cancel_all", frozen=True):
    account: int
    symbol: str


class CancelReplace(Command, tag="cancel_replace", frozen=True):
    """Cancel one order and place another. With `allow_failure` False (STOP_ON_FAILURE) a
    failed cancel stops the new order; with True (ALLOW_FAILURE) it is placed anyway."""

    cancel: CancelOrder
    place: PlaceOrder
    allow_failure: bool = False


class AmendOrder(Command, tag="amend", frozen=True):
    """Reduce an open (or an order list's pending) order's quantity, keeping its place in
    the queue. `ids_must_match` as for `CancelOrder`. `new_client_order_id` is the order's
    client order id from now on, as Binance gives an amended order; "" keeps the one it has
    (an amend journaled before the field existed kept it)."""

    account: int
    symbol: str
    new_quantity: int
    order_id: int = 0
    client_order_id: str = ""
    ids_must_match: bool = False
    new_client_order_id: str = ""


class PlaceOrderList(Command, tag="place_list", frozen=True):
    """An OCO, OTO or OTOCO (domain/order_lists.py). `orders` are its legs as orders of the
    same account and symbol: an OCO's above then below order; an OTO's working then pending
    order; an OTOCO's working, pending above and pending below orders."""

    account: int
    symbol: str
    kind: ListKind
    orders: tuple[PlaceOrder, ...]
    list_client_order_id: str = ""


class CancelOrderList(Command, tag="cancel_list", frozen=True):
    """Cancel an open order list by its id, or by its list client order id when the id is 0."""

    account: int
    symbol: str
    order_list_id: int = 0
    list_client_order_id: str = ""


class SetMarketSelfTradePrevention(Command, tag="set_market_stp", frozen=True):
    """An operator's self-trade prevention policy for a market: the mode of orders that
    name none, and whether orders may use NONE (trade with themselves)."""

    symbol: str
    default_stp: SelfTradePrevention
    allow_stp_none: bool


class SetMarketFeeAsset(Command, tag="set_market_fee_asset", frozen=True):
    """An operator's choice of the asset a market's buyers pay their fee in
    (`domain/markets.FeeAsset`). Orders placed before keep the rule they were placed under."""

    symbol: str
    fee_asset: FeeAsset


class ConvertDust(Command, tag="convert_dust", frozen=True):
    """Sell the account's small balances of `assets` to the venue for `target` at the last
    price of their markets (`domain/dust.py`): all of them, or none."""

    account: int
    assets: tuple[str, ...]
    target: str


# ---------------------------------------------------------------- custody (domain/custody.py)


class CreditDeposit(Command, tag="credit_deposit", frozen=True):
    """Credit a deposit the chain confirmed. Applied once per (network, tx_hash, log_index):
    the watcher may send it again after a crash and nothing changes."""

    account: int
    asset: str
    amount: int
    network: str
    tx_hash: str
    log_index: int
    address: str


class SetWithdrawalRules(Command, tag="set_withdrawal_rules", frozen=True):
    rules: WithdrawalRules


class SetCustodyPolicy(Command, tag="set_custody_policy", frozen=True):
    policy: CustodyPolicy


class AddWithdrawalAddress(Command, tag="add_withdrawal_address", frozen=True):
    """Put an address in the account's address book: usable after the policy's cooldown.
    `address` is the chain's canonical form (checked and normalised before the command)."""

    account: int
    network: str
    address: str
    label: str


class RemoveWithdrawalAddress(Command, tag="remove_withdrawal_address", frozen=True):
    account: int
    network: str
    address: str


class SetWithdrawalRiskHold(Command, tag="set_withdrawal_risk_hold", frozen=True):
    """Compliance's flag: every withdrawal of a held account waits for approval."""

    account: int
    held: bool
    reason: str


class RequestWithdrawal(Command, tag="request_withdrawal", frozen=True):
    """`withdrawal_id` is unique, made by the gateway; `client_ref` is Binance's
    `withdrawOrderId`, the client's own name for it."""

    account: int
    asset: str
    network: str
    address: str
    amount: int
    withdrawal_id: str
    client_ref: str = ""


class ApproveWithdrawal(Command, tag="approve_withdrawal", frozen=True):
    withdrawal_id: str
    operator: str


class RejectWithdrawal(Command, tag="reject_withdrawal", frozen=True):
    withdrawal_id: str
    operator: str
    reason: str


class CancelWithdrawal(Command, tag="cancel_withdrawal", frozen=True):
    account: int
    withdrawal_id: str


class RecordWithdrawalSigned(Command, tag="record_withdrawal_signed", frozen=True):
    """The transaction that pays the withdrawal is signed: journaled before it is broadcast."""

    withdrawal_id: str
    tx_hash: str
    nonce: int
    sender: str


class CompleteWithdrawal(Command, tag="complete_withdrawal", frozen=True):
    withdrawal_id: str
    tx_hash: str
    block_number: int


class FailWithdrawal(Command, tag="fail_withdrawal", frozen=True):
    withdrawal_id: str
    reason: str


# ------------------------------------------------------ issuance (domain/issuance/)


class RegisterAttestor(Command, tag="register_attestor", frozen=True):
    """An attestor's Ed25519 key (raw 32 bytes in hex) that may sign the reserve of the
    tokens of the issuer whose treasury is `issuer`; a key id registered again is replaced."""

    issuer: int
    key_id: str
    public_key: str
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class SetRwaTerms(Command, tag="set_rwa_terms", frozen=True):
    """What a listed real-world-asset token is a claim on (its issuer's own token only)."""

    terms: RwaTerms
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class RecordAttestation(Command, tag="record_attestation", frozen=True):
    """A signed reserve statement; it supersedes the asset's last one."""

    attestation: Attestation
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class MintRwa(Command, tag="mint_rwa", frozen=True):
    """New tokens to the issuer's treasury, at most the attested reserve's headroom. `ref`
    makes it idempotent, as a transfer's is."""

    asset: str
    amount: int
    ref: str
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class BurnRwa(Command, tag="burn_rwa", frozen=True):
    """Tokens out of the issuer's treasury and out of the supply."""

    asset: str
    amount: int
    ref: str
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class Distribute(Command, tag="distribute", frozen=True):
    """Pay `amount` of `pay_asset` from the issuer's treasury to the holders of `asset` now,
    pro rata (domain/issuance/distributions.py); the rounding's remainder stays with it."""

    asset: str
    pay_asset: str
    amount: int
    ref: str
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class SetSubscriptionTerms(Command, tag="set_subscription_terms", frozen=True):
    """The issuer's price and fee for new tokens, and whether subscriptions are open."""

    terms: SubscriptionTerms
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class Subscribe(Command, tag="subscribe", frozen=True):
    """`account` buys `amount` newly minted units of `asset` from its issuer at the
    subscription terms; `ref` is the subscriber's own id for it (a retry changes nothing)."""

    account: int
    asset: str
    amount: int
    ref: str


class RequestRedemption(Command, tag="request_redemption", frozen=True):
    """`account` asks the issuer to redeem `amount` units: `physical` asks for whole lots
    (bars) where the terms deliver them, the rest in cash. `ref` as a subscription's."""

    account: int
    asset: str
    amount: int
    physical: bool
    ref: str


class ConfirmRedemption(Command, tag="confirm_redemption", frozen=True):
    """The issuer completes a pending redemption: `bars` are the serials of the latest
    attestation's lots it delivers, the rest of the tokens (less the fee) is paid in
    `pay_asset` at `cash_price` quote units per whole token; the tokens are burned."""

    issuer: int
    redemption_id: int
    bars: tuple[str, ...]
    pay_asset: str
    cash_price: int
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class RejectRedemption(Command, tag="reject_redemption", frozen=True):
    issuer: int
    redemption_id: int
    reason: str
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class CancelRedemption(Command, tag="cancel_redemption", frozen=True):
    account: int
    redemption_id: int


class RetireCredits(Command, tag="retire_credits", frozen=True):
    """Carbon credits retired on behalf of `beneficiary`: the tokens are burned and the
    registry serials they stood for are named on a retirement certificate."""

    account: int
    asset: str
    amount: int
    beneficiary: str
    purpose: str
    ref: str


class TransferRwa(Command, tag="transfer_rwa", frozen=True):
    """Tokens moved on the issuer's word rather than by a trade: an allocation from its
    treasury, a forced transfer (with the order's reason and reference) or a recovery of a
    whole holding to the same person's new account (amount 0: all of it)."""

    issuer: int
    asset: str
    source: int
    target: int
    amount: int
    kind: TransferKind
    reason: str
    ref: str
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


# ------------------------------------- permissioned holding (domain/issuance/holders.py)


class SetAccountIdentity(Command, tag="set_account_identity", frozen=True):
    """What compliance verified of the person behind `account` (KYC level, country)."""

    account: int
    identity: AccountIdentity


class SetHolderRules(Command, tag="set_holder_rules", frozen=True):
    """Who may hold the issuer's token; rules set again replace the last."""

    issuer: int
    rules: HolderRules
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class FreezeHolding(Command, tag="freeze_holding", frozen=True):
    """The issuer's agent freezes `amount` of an account's free holding (0: all of it)."""

    issuer: int
    account: int
    asset: str
    amount: int
    reason: str
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


class UnfreezeHolding(Command, tag="unfreeze_holding", frozen=True):
    """Releases `amount` of the frozen holding (0: all of it)."""

    issuer: int
    account: int
    asset: str
    amount: int
    reason: str
    agent: str = ""  # the issuer's agent who sent it (empty: the platform's operator)


# ------------------------------------------------------------ NFT marketplace (domain/nft/)


class CreateCollection(Command, tag="nft_create_collection", frozen=True):
    """A creator publishes a collection (`collection.creator` is the account asking)."""

    collection: Collection


class SetCollectionVerified(Command, tag="nft_set_verified", frozen=True):
    """Operators set or clear a collection's verified badge."""

    collection: str
    verified: bool


class SetNftFee(Command, tag="nft_set_fee", frozen=True):
    """The platform's fee on every NFT sale, in basis points (1 % until set)."""

    fee_bps: int


class MintNfts(Command, tag="nft_mint", frozen=True):
    """The collection's creator mints items (one, or a batch) to `to`."""

    account: int
    collection: str
    to: int
    items: tuple[ItemSpec, ...]


class TransferNft(Command, tag="nft_transfer", frozen=True):
    """A holder gives units of an item it holds free (not listed, not in an auction)."""

    account: int
    collection: str
    token_id: int
    quantity: int
    to: int


class ListNft(Command, tag="nft_list", frozen=True):
    """A fixed-price listing: the units are set aside until sold, canceled or expired."""

    account: int
    terms: ListingTerms


class CancelNftListing(Command, tag="nft_cancel_listing", frozen=True):
    account: int
    listing_id: int


class BuyNft(Command, tag="nft_buy", frozen=True):
    """Buys `quantity` units of a listing at its price; `price` is the price the buyer was
    shown and confirmed (a listing's price never changes: a mismatch is a client's mistake)."""

    account: int
    listing_id: int
    quantity: int
    price: int


class MakeNftOffer(Command, tag="nft_offer", frozen=True):
    """An offer to buy, its whole value held until it is filled, canceled or expires."""

    account: int
    terms: OfferTerms


class CancelNftOffer(Command, tag="nft_cancel_offer", frozen=True):
    account: int
    offer_id: int


class AcceptNftOffer(Command, tag="nft_accept_offer", frozen=True):
    """A holder sells `quantity` units of its item `token_id` to an offer (the offer's own item,
    or any that fits a collection or trait offer)."""

    account: int
    offer_id: int
    token_id: int
    quantity: int


class StartNftAuction(Command, tag="nft_start_auction", frozen=True):
    account: int
    terms: AuctionTerms


class BidNft(Command, tag="nft_bid", frozen=True):
    """A bid of `price` per unit: on an English auction held until outbid or the end; on a
    Dutch auction the most the bidder pays, buying at once at the price of the instant."""

    account: int
    auction_id: int
    price: int


class CancelNftAuction(Command, tag="nft_cancel_auction", frozen=True):
    """The seller ends an auction nobody has bid on yet."""

    account: int
    auction_id: int


class CreateDrop(Command, tag="nft_create_drop", frozen=True):
    """The creator puts units it holds up for a primary sale (`domain/nft/drops.py`)."""

    account: int
    terms: DropTerms


class BuyDrop(Command, tag="nft_buy_drop", frozen=True):
    """Takes `quantity` of a drop: units of a fixed-price drop (paid at once), tickets of a
    draw or boxes of a box sale (their price held until the reveal)."""

    account: int
    drop_id: int
    quantity: int


class RevealDropSeed(Command, tag="nft_reveal_seed", frozen=True):
    """The operator reveals a draw's or box sale's seed (64 hex digits) after its window: the
    draw is made or the boxes open, and the sale settles."""

    drop_id: int
    seed: str


class SetNftContract(Command, tag="nft_set_contract", frozen=True):
    """Custody deployed the collection's contract on a network (ERC-721 or ERC-1155 with
    EIP-2981, `chain/contracts/CollectionItems*.sol`): items leave and come back through it."""

    collection: str
    network: str
    address: str


class WithdrawNft(Command, tag="nft_withdraw", frozen=True):
    """A holder takes units of an item to its own wallet on a chain: set aside until custody
    has sent them (`CompleteNftWithdrawal`) or could not (`FailNftWithdrawal`). `ref` is the
    holder's own reference: the same again is a retry."""

    account: int
    collection: str
    token_id: int
    quantity: int
    network: str
    address: str
    ref: str


class CompleteNftWithdrawal(Command, tag="nft_withdrawal_done", frozen=True):
    withdrawal_id: int
    tx_hash: str


class FailNftWithdrawal(Command, tag="nft_withdrawal_failed", frozen=True):
    withdrawal_id: int
    reason: str


class CreditNftDeposit(Command, tag="nft_credit_deposit", frozen=True):
    """Units of an item that came back to one of the platform's addresses on chain, credited
    to the account the address is for. Applied once per (network, tx_hash, log_index) and
    item (one log of an ERC-1155 batch transfer moves several)."""

    account: int
    collection: str
    token_id: int
    quantity: int
    network: str
    tx_hash: str
    log_index: int


class SettleNfts(Command, tag="nft_settle", frozen=True):
    """Settles what is due at the command's time: auctions that ended, listings and offers
    that expired. The server sends it every second; the engine reads no clock of its own."""


AnyCommand = (
    ListAsset
    | ListMarket
    | SetMarketStatus
    | SetMarketFees
    | SetAccountFees
    | Deposit
    | Withdraw
    | PlaceOrder
    | CancelOrder
    | CancelAllOrders
    | CancelReplace
    | AmendOrder
    | PlaceOrderList
    | CancelOrderList
    | SetMarketSelfTradePrevention
    | SetMarketFeeAsset
    | ConvertDust
    | CreditDeposit
    | SetWithdrawalRules
    | SetCustodyPolicy
    | AddWithdrawalAddress
    | RemoveWithdrawalAddress
    | SetWithdrawalRiskHold
    | RequestWithdrawal
    | ApproveWithdrawal
    | RejectWithdrawal
    | CancelWithdrawal
    | RecordWithdrawalSigned
    | CompleteWithdrawal
    | FailWithdrawal
    | RegisterAttestor
    | SetRwaTerms
    | RecordAttestation
    | MintRwa
    | BurnRwa
    | Distribute
    | SetSubscriptionTerms
    | Subscribe
    | RequestRedemption
    | ConfirmRedemption
    | RejectRedemption
    | CancelRedemption
    | RetireCredits
    | TransferRwa
    | SetAccountIdentity
    | SetHolderRules
    | FreezeHolding
    | UnfreezeHolding
    | CreateCollection
    | SetCollectionVerified
    | SetNftFee
    | MintNfts
    | TransferNft
    | ListNft
    | CancelNftListing
    | BuyNft
    | MakeNftOffer
    | CancelNftOffer
    | AcceptNftOffer
    | StartNftAuction
    | BidNft
    | CancelNftAuction
    | SettleNfts
    | CreateDrop
    | BuyDrop
    | RevealDropSeed
    | SetNftContract
    | WithdrawNft
    | CompleteNftWithdrawal
    | FailNftWithdrawal
    | CreditNftDeposit
)

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(AnyCommand)


def encode_command(command: Command) -> bytes:
    return _encoder.encode(command)


def decode_command(data: bytes) -> AnyCommand:
    command: AnyCommand = _decoder.decode(data)
    return command
