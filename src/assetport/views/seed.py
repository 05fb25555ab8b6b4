"""What a gateway's views start from: the engine's read API as of one sequence number.

The in-process gateway reads it from its engine at start; a gateway over the command port
asks the engine process for it (`runtime/wire.py`'s `Read`). Plain values (msgspec
structs), so both are the same bytes on the wire and the same objects in memory.
"""

import msgspec

from assetport.domain.assets import Asset
from assetport.domain.commands import PlaceOrder
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.terms import RwaTerms, SubscriptionTerms
from assetport.domain.markets import MarketTerms
from assetport.domain.nft.collections import Collection
from assetport.domain.nft.drops import DropTerms
from assetport.domain.nft.items import ItemSpec
from assetport.domain.nft.trading import AuctionTerms, ListingTerms, OfferTerms
from assetport.domain.order_lists import ListKind
from assetport.domain.orders import OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce

Levels = list[tuple[int, int]]  # (price, visible quantity), best first


class OpenOrder(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """An order the engine holds (resting, or waiting for its stop price), as it is now.
    Times in microseconds; amounts in integer units."""

    order_id: int
    account: int
    symbol: str
    client_order_id: str
    side: Side
    type: OrderType
    time_in_force: TimeInForce
    price: int
    quantity: int
    quote_quantity: int
    stop_price: int
    iceberg_qty: int
    stp_mode: SelfTradePrevention
    created: int
    working: bool
    status: OrderStatus
    executed: int
    executed_quote: int
    updated: int


class OpenOrderList(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """An order list the engine holds (domain/order_lists.py): its legs' ids in the order
    they were given, and the legs still waiting for the working order (order id, order)."""

    order_list_id: int
    account: int
    symbol: str
    kind: ListKind
    list_client_order_id: str
    order_ids: tuple[int, ...]
    created: int
    pending: list[tuple[int, PlaceOrder]]
    client_order_ids: tuple[str, ...] = ()


class Book(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A market's visible price levels."""

    bids: Levels
    asks: Levels


class ReserveState(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A token's reserve as its latest attestation states it: `units` attested, `used` of
    them since (bars delivered, credits retired), by `attestor`, counted at `as_of_us`,
    recorded by command `attested_seq`."""

    asset: str
    units: int
    used: int
    attestor: str
    as_of_us: int
    attested_seq: int


class RwaSeed(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """Issuance as the engine has it (`views/issuance.py`): each token's terms, its
    subscription terms, its reserve and its supply; then permissioned holding (which came
    later, so at the end with defaults: a peer without it still decodes one): each
    permissioned token's holder rules, what compliance verified of each account, and
    every frozen holding as (account, asset, units)."""

    terms: list[RwaTerms] = []
    subscriptions: list[SubscriptionTerms] = []
    reserves: list[ReserveState] = []
    supplies: dict[str, int] = {}
    holder_rules: list[HolderRules] = []
    identities: list[tuple[int, AccountIdentity]] = []
    frozen: list[tuple[int, str, int]] = []


class NftSeed(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """The NFT marketplace as the engine has it (`Engine.nft_state()`, `views/nft.py`), field
    for field: the platform's fee, the next listing, offer, auction and sale ids, the
    collections, every item as (collection, spec, [(account, free units)]), and the open
    listings (id, account, terms, currency, units left), offers (the same), auctions (id,
    account, terms, currency, end, highest bidder, its bid per unit) and primary sales
    (drops: id, account, terms, currency, units left per lot, entries as (account,
    tickets or boxes), taken per account), and the next drop id. Units in a listing, an
    auction or a drop are there, not with their seller's free units."""

    fee_bps: int = 100
    counters: tuple[int, int, int, int] = (1, 1, 1, 1)
    collections: list[Collection] = []
    items: list[tuple[str, ItemSpec, list[tuple[int, int]]]] = []
    listings: list[tuple[int, int, ListingTerms, str, int]] = []
    offers: list[tuple[int, int, OfferTerms, str, int]] = []
    auctions: list[tuple[int, int, AuctionTerms, str, int, int, int]] = []
    drops: list[
        tuple[int, int, DropTerms, str, list[int], list[tuple[int, int]], list[tuple[int, int]]]
    ] = []
    next_drop_id: int = 1
    # On chain: (collection, network, contract address) and (collection, token id, units
    # out in holders' own wallets).
    contracts: list[tuple[str, str, str]] = []
    outside: list[tuple[str, int, int]] = []


class Seed(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """The engine's state as the views need it, after command `last_seq`.

    `balances` (account, asset, free, held) are only filled for a gateway that keeps its
    own balances view (one over the command port); the in-process gateway reads them from
    the engine when asked. `rwa` came later: at the end, with a default, so a peer that
    sends or reads a Seed without it still decodes one; `nft` after it, the same way, and
    `order_lists` (the open order lists) after that.
    """

    last_seq: int
    assets: list[Asset]
    markets: list[MarketTerms]
    fee_overrides: dict[int, tuple[int, int]]
    open_orders: list[OpenOrder]
    books: dict[str, Book]
    balances: list[tuple[int, str, int, int]] = []
    rwa: RwaSeed = msgspec.field(default_factory=RwaSeed)
    nft: NftSeed = msgspec.field(default_factory=NftSeed)
    order_lists: list[OpenOrderList] = []
