"""Holds: funds an account has set aside and cannot spend, each named by what it is for.

The ledger keeps one held bucket per account and asset (`engine/ledger.py`); the product
that made a hold knows its purpose and answers its holds by purpose, so that every held
unit can be explained (and the products' holds add up to the ledger's held buckets).
"""

from enum import StrEnum
from typing import NamedTuple


class HoldPurpose(StrEnum):
    ORDER = "order"  # a spot order resting in a book or waiting for its stop price
    NFT_BID = "nft_bid"  # the highest bid in an English NFT auction
    NFT_OFFER = "nft_offer"  # an offer to buy an NFT (an item, any of a collection or trait)
    NFT_DROP = "nft_drop"  # tickets in an NFT draw, or mystery boxes bought, until the reveal
    WITHDRAWAL = "withdrawal"  # a withdrawal waiting for the chain (later)
    REDEMPTION = "redemption"  # asset-backed tokens waiting for their issuer
    FROZEN = "frozen"  # a permissioned token's holding frozen by its issuer's agent


class Hold(NamedTuple):
    """What `account` holds of `asset` for `purpose`, in units."""

    account: int
    asset: str
    purpose: HoldPurpose
    amount: int
