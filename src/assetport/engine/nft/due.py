"""What falls due with time: auctions that ended, listings and offers that expired. Settled by
`SettleNfts` at the sequencer's time, so a replay settles the same things at the same place in
the log. Deadlines at one instant settle auctions first, then listings, offers and drops, each
by id."""

import heapq

from assetport.domain.commands import SettleNfts
from assetport.domain.nft.trading import NftEndReason
from assetport.engine.context import Context
from assetport.engine.nft.auctions import end_auction
from assetport.engine.nft.drops import drop_due
from assetport.engine.nft.listings import end_listing
from assetport.engine.nft.offers import end_offer
from assetport.engine.nft.settlement import Settlement
from assetport.engine.nft.state import AUCTION, DROP, LISTING, NftState


def settle_due(state: NftState, ctx: Context, settlement: Settlement, cmd: SettleNfts) -> None:
    deadlines = state.deadlines
    while deadlines and deadlines[0][0] <= ctx.time:
        when, kind, ident = heapq.heappop(deadlines)
        if kind == AUCTION:
            auction = state.auctions.get(ident)
            if auction is not None and auction.ends_us == when:
                end_auction(state, ctx, settlement, auction)
        elif kind == DROP:
            drop = state.drops.get(ident)
            if drop is not None:
                drop_due(state, ctx, settlement, drop)
        elif kind == LISTING:
            listing = state.listings.get(ident)
            if listing is not None:
                end_listing(state, ctx, listing, NftEndReason.EXPIRED)
        else:
            offer = state.offers.get(ident)
            if offer is not None:
                end_offer(state, ctx, settlement.ledger, offer, NftEndReason.EXPIRED)
