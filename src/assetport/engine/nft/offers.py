"""Offers to buy: on one item, on any item of a collection, or on any item with a trait. The
whole value is held in the buyer's ledger balance from the moment it is made; a holder
accepts it (in part, for ERC-1155 units) and is paid from that hold."""

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.commands import AcceptNftOffer, CancelNftOffer, MakeNftOffer
from assetport.domain.events import NftOfferEnded, NftOfferMade
from assetport.domain.nft.trading import NftEndReason, NftSaleKind, offer_problem
from assetport.domain.results import RejectReason
from assetport.engine.context import Context
from assetport.engine.ledger import Ledger
from assetport.engine.nft.settlement import Settlement
from assetport.engine.nft.state import OFFER, Item, NftState, Offer, take_units


def make_offer(state: NftState, ctx: Context, ledger: Ledger, cmd: MakeNftOffer) -> None:
    t = cmd.terms
    collection = state.collections.get(t.collection)
    if collection is None:
        return ctx.reject(RejectReason.UNKNOWN_COLLECTION, account=cmd.account)
    if t.token_id is not None and state.item(t.collection, t.token_id) is None:
        return ctx.reject(RejectReason.UNKNOWN_NFT_ITEM, account=cmd.account)
    if cmd.account < FIRST_TRADING_ACCOUNT or offer_problem(t, ctx.time) is not None:
        return ctx.reject(RejectReason.INVALID_NFT_TERMS, account=cmd.account)
    if not state.may_open(cmd.account):
        return ctx.reject(RejectReason.TOO_MANY_NFT_ORDERS, account=cmd.account)
    held = t.price * t.quantity
    currency = collection.currency
    if ledger.free(cmd.account, currency) < held:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    ledger.hold(ledger.balance(cmd.account, currency), held)
    offer_id = state.next_offer_id
    state.next_offer_id = offer_id + 1
    state.offers[offer_id] = Offer(offer_id, cmd.account, t, currency, t.quantity)
    state.opened(cmd.account)
    state.due_at(t.expires_us, OFFER, offer_id)
    ctx.events.append(NftOfferMade(ctx.seq, ctx.time, offer_id, cmd.account, t, currency, held))
    return None


def cancel_offer(state: NftState, ctx: Context, ledger: Ledger, cmd: CancelNftOffer) -> None:
    offer = state.offers.get(cmd.offer_id)
    if offer is None or offer.account != cmd.account:
        return ctx.reject(RejectReason.UNKNOWN_NFT_OFFER, account=cmd.account)
    end_offer(state, ctx, ledger, offer, NftEndReason.CANCELED)
    return None


def end_offer(state: NftState, ctx: Context, ledger: Ledger, offer: Offer,
              reason: NftEndReason) -> None:  # fmt: skip
    """The offer ends: what it still holds goes back to the buyer."""
    released = offer.held
    del state.offers[offer.offer_id]
    state.closed(offer.account)
    if released:
        ledger.release(ledger.balance(offer.account, offer.currency), released)
    ctx.events.append(
        NftOfferEnded(ctx.seq, ctx.time, offer.offer_id, offer.account, offer.currency, released,
                      reason)
    )  # fmt: skip


def fits(offer: Offer, item: Item) -> bool:
    """Whether the item is one the offer asks for: its item, or any of its collection, or any
    with its trait."""
    t = offer.terms
    if item.collection != t.collection:
        return False
    if t.token_id is not None:
        return item.spec.token_id == t.token_id
    return t.trait is None or t.trait in item.spec.attributes


def accept_offer(state: NftState, ctx: Context, settlement: Settlement,
                 cmd: AcceptNftOffer) -> None:  # fmt: skip
    offer = state.offers.get(cmd.offer_id)
    if offer is None or (offer.terms.expires_us and ctx.time >= offer.terms.expires_us):
        return ctx.reject(RejectReason.UNKNOWN_NFT_OFFER, account=cmd.account)
    if cmd.account == offer.account:
        return ctx.reject(RejectReason.NFT_SELF_TRADE, account=cmd.account)
    item = state.item(offer.terms.collection, cmd.token_id)
    if item is None or not fits(offer, item):
        return ctx.reject(RejectReason.ITEM_NOT_IN_OFFER, account=cmd.account)
    if not 0 < cmd.quantity <= offer.remaining:
        return ctx.reject(RejectReason.INVALID_NFT_TERMS, account=cmd.account)
    if not take_units(item, cmd.account, cmd.quantity):
        return ctx.reject(RejectReason.NFT_NOT_HELD, account=cmd.account)
    settlement.sale(NftSaleKind.OFFER, offer.offer_id, item, cmd.quantity, offer.terms.price,
                    offer.currency, cmd.account, offer.account, True)  # fmt: skip
    offer.remaining -= cmd.quantity
    if not offer.remaining:
        end_offer(state, ctx, settlement.ledger, offer, NftEndReason.SOLD)
    return None
