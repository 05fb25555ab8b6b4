"""The NFT marketplace product: collections and their items, primary sales (fixed-price drops,
subscription draws, mystery boxes), fixed-price listings, offers (on an item, a collection or
a trait) and auctions (English and Dutch), every sale settled with its fee and royalties in
one posting through the one ledger."""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from assetport.domain.commands import (
    AcceptNftOffer,
    BidNft,
    BuyDrop,
    BuyNft,
    CancelNftAuction,
    CancelNftListing,
    CancelNftOffer,
    Command,
    CompleteNftWithdrawal,
    CreateCollection,
    CreateDrop,
    CreditNftDeposit,
    FailNftWithdrawal,
    ListNft,
    MakeNftOffer,
    MintNfts,
    RevealDropSeed,
    SetCollectionVerified,
    SetNftContract,
    SetNftFee,
    SettleNfts,
    StartNftAuction,
    TransferNft,
    WithdrawNft,
)
from assetport.domain.holds import Hold, HoldPurpose
from assetport.domain.nft.collections import Collection
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.holder_gate import HolderGate
from assetport.engine.ledger import Ledger
from assetport.engine.nft.auctions import bid, cancel_auction, start_auction
from assetport.engine.nft.chain import complete, credit_deposit, fail, set_contract, withdraw
from assetport.engine.nft.collections import (
    create_collection,
    mint,
    set_fee,
    set_verified,
    transfer,
)
from assetport.engine.nft.drops import buy_drop, create_drop, reveal
from assetport.engine.nft.due import settle_due
from assetport.engine.nft.listings import buy, cancel_listing, list_item
from assetport.engine.nft.offers import accept_offer, cancel_offer, make_offer
from assetport.engine.nft.section import NftSection, restore_into, section_of
from assetport.engine.nft.settlement import Settlement
from assetport.engine.nft.state import NftState


class NftProduct:
    name = "nft"

    def __init__(self, ctx: Context, ledger: Ledger, assets: Assets, gate: HolderGate) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.assets = assets
        self.state = NftState()
        self.settlement = Settlement(self.state, ctx, ledger, gate)

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        s, ctx, ledger, settlement = self.state, self.ctx, self.ledger, self.settlement
        return {
            CreateCollection: partial(create_collection, s, ctx, self.assets),
            SetCollectionVerified: partial(set_verified, s, ctx),
            SetNftFee: partial(set_fee, s, ctx),
            MintNfts: partial(mint, s, ctx),
            TransferNft: partial(transfer, s, ctx),
            ListNft: partial(list_item, s, ctx),
            CancelNftListing: partial(cancel_listing, s, ctx),
            BuyNft: partial(buy, s, ctx, settlement),
            MakeNftOffer: partial(make_offer, s, ctx, ledger),
            CancelNftOffer: partial(cancel_offer, s, ctx, ledger),
            AcceptNftOffer: partial(accept_offer, s, ctx, settlement),
            StartNftAuction: partial(start_auction, s, ctx),
            BidNft: partial(bid, s, ctx, settlement),
            CancelNftAuction: partial(cancel_auction, s, ctx, ledger),
            SettleNfts: partial(settle_due, s, ctx, settlement),
            CreateDrop: partial(create_drop, s, ctx),
            BuyDrop: partial(buy_drop, s, ctx, settlement),
            RevealDropSeed: partial(reveal, s, ctx, settlement),
            SetNftContract: partial(set_contract, s, ctx),
            WithdrawNft: partial(withdraw, s, ctx),
            CompleteNftWithdrawal: partial(complete, s, ctx),
            FailNftWithdrawal: partial(fail, s, ctx),
            CreditNftDeposit: partial(credit_deposit, s, ctx),
        }

    # ------------------------------------------------------------ the read API

    def collections(self) -> list[Collection]:
        return [self.state.collections[code] for code in sorted(self.state.collections)]

    def fee_bps(self) -> int:
        return self.state.fee_bps

    def next_deadline(self) -> int:
        """The sequencer time at which something next falls due (0: nothing waits)."""
        return self.state.deadlines[0][0] if self.state.deadlines else 0

    # ------------------------------------------------------------ the snapshot

    def section(self) -> NftSection | None:
        return section_of(self.state)

    def section_type(self) -> type:
        return NftSection

    def restore(self, section: Any) -> None:
        if section is not None:
            restore_into(self.state, section)

    def holds(self) -> list[Hold]:
        s = self.state
        offers = [
            Hold(o.account, o.currency, HoldPurpose.NFT_OFFER, o.held) for o in s.offers.values()
        ]
        bids = [
            Hold(a.bidder, a.currency, HoldPurpose.NFT_BID, a.held)
            for a in s.auctions.values()
            if a.bidder
        ]
        drops = [
            Hold(account, d.currency, HoldPurpose.NFT_DROP, count * d.terms.price)
            for d in s.drops.values()
            for account, count in d.entries
        ]
        return offers + bids + drops
