"""Settles one sale: the buyer's money split between seller, royalty receivers and the fee
account in one ledger posting (`domain/nft/split.py` says how), and the units to the buyer.

Every sale comes through here, whatever made it (a listing bought, an offer accepted, an
auction won), so a royalty cannot be skipped: it is part of the posting that pays the seller.
"""

from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.events import NftSold
from assetport.domain.nft.split import sale_split
from assetport.domain.nft.trading import NftSaleKind
from assetport.engine.context import Context
from assetport.engine.holder_gate import HolderGate
from assetport.engine.ledger import Ledger, Posting
from assetport.engine.nft.state import Item, NftState, give_units


class Settlement:
    """What every sale needs at hand: the ledger to pay through (with a posting to fill), and
    the gate that knows which accounts one person owns."""

    def __init__(self, state: NftState, ctx: Context, ledger: Ledger, gate: HolderGate) -> None:
        self.state = state
        self.ctx = ctx
        self.ledger = ledger
        self.gate = gate
        self.posting = Posting()

    def sale(self, kind: NftSaleKind, source_id: int, item: Item, quantity: int, price: int,
             currency: str, seller: int, buyer: int, from_held: bool,
             primary: bool = False) -> bool:  # fmt: skip
        """Pay for `quantity` units at `price` each and deliver them to the buyer (the units
        were taken from the seller, or from the listing or auction, by the caller). Paid from
        the buyer's free balance, or from what its offer or bid held (`from_held`), which
        always covers it. A primary sale (a drop, or any sale by the collection's creator)
        pays no royalty. False, changing nothing, when the buyer's free balance is short."""
        state, ctx, ledger, posting = self.state, self.ctx, self.ledger, self.posting
        total = price * quantity
        if not from_held and ledger.free(buyer, currency) < total:
            return False  # looked up without making records: a refusal leaves no trace
        collection = state.collections[item.collection]
        split = sale_split(total, state.fee_bps, collection, seller, primary)
        payer = ledger.balance(buyer, currency)
        if from_held:
            posting.add(payer, 0, -total)
        else:
            posting.add(payer, -total, 0)
        posting.add(ledger.balance(seller, currency), split.seller, 0)
        for account, units in split.royalties:
            if units:
                posting.add(ledger.balance(account, currency), units, 0)
        if split.fee:
            posting.add(ledger.balance(FEE_ACCOUNT, currency), split.fee, 0)
        ledger.must_move(posting)
        give_units(item, buyer, quantity)
        sale_id = state.next_sale_id
        state.next_sale_id = sale_id + 1
        ctx.events.append(
            NftSold(ctx.seq, ctx.time, sale_id, kind, source_id, item.collection,
                    item.spec.token_id, quantity, price, currency, seller, buyer, total,
                    from_held, split.fee, split.royalties, split.seller,
                    self.gate.same_owner(buyer, seller))
        )  # fmt: skip
        return True
