"""How the price of one sale is split: the platform's fee, each royalty receiver's share, and
what is left for the seller. One rule for every sale (listing, offer, auction, drop), shown to
buyer and seller before they confirm and written into the sale's event.

The rounding rule, in integer units of the collection's currency, creates and loses nothing:

- the fee is ⌊price × fee_bps / 10,000⌋;
- the royalty is ⌊price × royalty_bps / 10,000⌋ in all, shared by the receivers in proportion
  to their basis points, each ⌊royalty × bps / royalty_bps⌋, and what that flooring leaves
  (fewer units than there are receivers) goes to the first receiver;
- the seller receives the rest: price − fee − royalty.

So the parts always add up to the price, the fee and royalty never exceed their rates, and
every receiver gets its exact share of the royalty. A primary sale (a drop, or any sale by
the collection's creator) pays no royalty: the creator is paid as the seller.
"""

from typing import NamedTuple

from assetport.domain.nft.collections import Collection, RoyaltyShare

BPS = 10_000


class Split(NamedTuple):
    fee: int
    # (account, units) per receiver, in the collection's order
    royalties: tuple[tuple[int, int], ...]
    seller: int  # what the seller receives

    @property
    def royalty(self) -> int:
        return sum(units for _, units in self.royalties)


def split_sale(price: int, fee_bps: int, royalty: tuple[RoyaltyShare, ...]) -> Split:
    """The split of a sale of `price` units (see the module's rule)."""
    fee = price * fee_bps // BPS
    royalty_bps = sum(share.bps for share in royalty)
    if not royalty_bps:
        return Split(fee, (), price - fee)
    total = price * royalty_bps // BPS
    shares = [total * share.bps // royalty_bps for share in royalty]
    shares[0] += total - sum(shares)
    paid = tuple((share.account, units) for share, units in zip(royalty, shares, strict=True))
    return Split(fee, paid, price - fee - total)


def sale_split(total: int, fee_bps: int, collection: Collection, seller: int | None,
               primary: bool = False) -> Split:  # fmt: skip
    """The split of a sale of the collection's units by `seller` (None: not known yet, e.g.
    whoever accepts an offer, taken as a resale): a primary sale, a drop or any sale by the
    collection's creator, pays no royalty; every other sale pays the collection's."""
    if primary or seller == collection.creator:
        return split_sale(total, fee_bps, ())
    return split_sale(total, fee_bps, collection.royalty)
