"""Auctions. English: bids rise, each held in the bidder's balance until it is beaten (then
given back) or wins; a bid near the end moves the end (anti-sniping); a bid at the buy-now
price buys at once. Dutch: the price falls with time and the first bid at or above the price
of the instant buys at that price. Ends are settled from the sequencer's time (`due.py`)."""

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.commands import BidNft, CancelNftAuction, StartNftAuction
from assetport.domain.events import NftAuctionEnded, NftAuctionStarted, NftBidPlaced
from assetport.domain.nft.trading import (
    AuctionKind,
    NftEndReason,
    NftSaleKind,
    auction_problem,
    dutch_price,
    next_minimum_bid,
)
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.context import Context
from assetport.engine.ledger import Ledger
from assetport.engine.nft.settlement import Settlement
from assetport.engine.nft.state import (
    AUCTION,
    Auction,
    NftState,
    give_units,
    set_aside_problem,
)


def start_auction(state: NftState, ctx: Context, cmd: StartNftAuction) -> None:
    t = cmd.terms
    problem = auction_problem(t, ctx.time)
    reason = set_aside_problem(state, cmd.account, t.collection, t.token_id, t.quantity, problem)
    if reason is not None:
        return ctx.reject(reason, account=cmd.account)
    currency = state.collections[t.collection].currency
    auction_id = state.next_auction_id
    state.next_auction_id = auction_id + 1
    state.auctions[auction_id] = Auction(auction_id, cmd.account, t, currency, t.ends_us)
    state.opened(cmd.account)
    state.due_at(t.ends_us, AUCTION, auction_id)
    ctx.events.append(NftAuctionStarted(ctx.seq, ctx.time, auction_id, cmd.account, t, currency))
    return None


def cancel_auction(state: NftState, ctx: Context, ledger: Ledger, cmd: CancelNftAuction) -> None:
    auction = state.auctions.get(cmd.auction_id)
    if auction is None or auction.account != cmd.account:
        return ctx.reject(RejectReason.UNKNOWN_NFT_AUCTION, account=cmd.account)
    if auction.bidder:
        return ctx.reject(RejectReason.AUCTION_HAS_BIDS, account=cmd.account)
    end_unsold(state, ctx, ledger, auction, NftEndReason.CANCELED)
    return None


def bid(state: NftState, ctx: Context, settlement: Settlement, cmd: BidNft) -> None:
    auction = state.auctions.get(cmd.auction_id)
    if auction is None:
        return ctx.reject(RejectReason.UNKNOWN_NFT_AUCTION, account=cmd.account)
    if cmd.account == auction.account:
        return ctx.reject(RejectReason.NFT_SELF_TRADE, account=cmd.account)
    t = auction.terms
    if not t.starts_us <= ctx.time < auction.ends_us:
        return ctx.reject(RejectReason.AUCTION_NOT_OPEN, account=cmd.account)
    if cmd.account < FIRST_TRADING_ACCOUNT or not 0 < cmd.price <= MAX_AMOUNT // t.quantity:
        return ctx.reject(RejectReason.INVALID_NFT_TERMS, account=cmd.account)
    if t.kind is AuctionKind.DUTCH:
        return _take_dutch(state, ctx, settlement, auction, cmd)
    if cmd.price < next_minimum_bid(t, auction.bid):
        return ctx.reject(RejectReason.BID_TOO_LOW, account=cmd.account)
    if t.buy_now_price and cmd.price >= t.buy_now_price:
        return _buy_now(state, ctx, settlement, auction, cmd)
    return _raise(state, ctx, settlement.ledger, auction, cmd)


def _raise(state: NftState, ctx: Context, ledger: Ledger, auction: Auction, cmd: BidNft) -> None:
    """The new highest bid: held from the bidder, the bid it beats given back."""
    t = auction.terms
    held = cmd.price * t.quantity
    # A bidder raising its own bid may count what it already holds in this auction.
    own = auction.held if auction.bidder == cmd.account else 0
    if ledger.free(cmd.account, auction.currency) + own < held:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    outbid, released = auction.bidder, auction.held
    if outbid:
        ledger.release(ledger.balance(outbid, auction.currency), released)
    ledger.hold(ledger.balance(cmd.account, auction.currency), held)
    auction.bidder, auction.bid = cmd.account, cmd.price
    # Anti-sniping: a bid in the last minutes gives the others time to answer.
    near_end = auction.ends_us - ctx.time <= t.extend_within_us
    if t.extend_within_us and near_end and ctx.time + t.extension_us > auction.ends_us:
        auction.ends_us = ctx.time + t.extension_us
        state.due_at(auction.ends_us, AUCTION, auction.auction_id)
    ctx.events.append(
        NftBidPlaced(ctx.seq, ctx.time, auction.auction_id, cmd.account, cmd.price,
                     auction.currency, held, outbid, released, auction.ends_us)
    )  # fmt: skip
    return None


def _buy_now(state: NftState, ctx: Context, settlement: Settlement, auction: Auction,
             cmd: BidNft) -> None:  # fmt: skip
    """A bid at the buy-now price ends the auction: it buys at that price, from free funds
    (the bid it beat, if any, is given back)."""
    t = auction.terms
    price = t.buy_now_price
    own = auction.held if auction.bidder == cmd.account else 0
    ledger = settlement.ledger
    if ledger.free(cmd.account, auction.currency) + own < price * t.quantity:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    outbid, released = auction.bidder, auction.held
    _release_bid(ledger, auction)
    _sold(state, ctx, settlement, auction, cmd.account, price, False, outbid, released)
    return None


def _take_dutch(state: NftState, ctx: Context, settlement: Settlement,
                auction: Auction, cmd: BidNft) -> None:  # fmt: skip
    price = dutch_price(auction.terms, ctx.time)
    if cmd.price < price:
        return ctx.reject(RejectReason.BID_TOO_LOW, account=cmd.account)
    if settlement.ledger.free(cmd.account, auction.currency) < price * auction.terms.quantity:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    _sold(state, ctx, settlement, auction, cmd.account, price, False, 0, 0)
    return None


def _release_bid(ledger: Ledger, auction: Auction) -> None:
    if auction.bidder:
        ledger.release(ledger.balance(auction.bidder, auction.currency), auction.held)
        auction.bidder, auction.bid = 0, 0


def _sold(state: NftState, ctx: Context, settlement: Settlement, auction: Auction,
          buyer: int, price: int, from_held: bool, outbid: int, released: int) -> None:  # fmt: skip
    """The auction ends with a sale to `buyer` at `price` per unit (the bid it beat, if any,
    was given back: `outbid` and `released` say so)."""
    t = auction.terms
    _close(state, auction)
    ctx.events.append(
        NftAuctionEnded(ctx.seq, ctx.time, auction.auction_id, auction.account, t.collection,
                        t.token_id, NftEndReason.SOLD, outbid, auction.currency, released)
    )  # fmt: skip
    item = state.items[(t.collection, t.token_id)]
    paid = settlement.sale(NftSaleKind.AUCTION, auction.auction_id, item, t.quantity, price,
                           auction.currency, auction.account, buyer, from_held)  # fmt: skip
    assert paid, "a sale's funds are checked before it ends the auction"


def _close(state: NftState, auction: Auction) -> None:
    del state.auctions[auction.auction_id]
    state.closed(auction.account)


def end_unsold(state: NftState, ctx: Context, ledger: Ledger, auction: Auction,
               reason: NftEndReason) -> None:  # fmt: skip
    """The auction ends without a sale: the units go back to the seller, the highest bid (a
    bid under the reserve) to its bidder."""
    t = auction.terms
    bidder, released = auction.bidder, auction.held
    _release_bid(ledger, auction)
    _close(state, auction)
    give_units(state.items[(t.collection, t.token_id)], auction.account, t.quantity)
    ctx.events.append(
        NftAuctionEnded(ctx.seq, ctx.time, auction.auction_id, auction.account, t.collection,
                        t.token_id, reason, bidder, auction.currency, released)
    )  # fmt: skip


def end_auction(state: NftState, ctx: Context, settlement: Settlement,
                auction: Auction) -> None:  # fmt: skip
    """Its time is up: the highest bid at or above the reserve buys, paid from its hold."""
    if not auction.bidder:
        return end_unsold(state, ctx, settlement.ledger, auction, NftEndReason.EXPIRED)
    if auction.bid < auction.terms.reserve_price:
        return end_unsold(state, ctx, settlement.ledger, auction, NftEndReason.RESERVE_NOT_MET)
    _sold(state, ctx, settlement, auction, auction.bidder, auction.bid, True, 0, 0)
    return None
