"""A collection: what a creator (an entertainment label, a game studio) publishes its items in,
with the royalty every resale pays it.

Two kinds, as on chain: ERC-721 items are unique (supply one each), ERC-1155 items are game
items with a supply that trade in quantities. A collection prices its items in one asset of
the ledger (its currency, e.g. KRW): listings, offers, bids and drops of it are all in that
asset, so its floor and volume are one number each.

The royalty is EIP-2981's: a share of the sale price in basis points, at most 10 %, here split
between up to ten receivers whose shares sum to the whole royalty.
"""

import re
from enum import StrEnum
from typing import Final

import msgspec

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT

COLLECTION_CODE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,30}[a-z0-9])")  # whole, URL-safe
SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
# Words the site's pages use beside collection codes (/nft/studio, /nft/mine, /nft/drops/1).
RESERVED_CODES: Final = frozenset({"studio", "mine", "drops"})
MAX_ROYALTY_BPS: Final = 1000  # 10 %
MAX_ROYALTY_RECEIVERS: Final = 10
MAX_NAME_CHARS: Final = 100
MAX_DESCRIPTION_CHARS: Final = 2000


class Standard(StrEnum):
    ERC721 = "erc721"  # unique items: supply one each
    ERC1155 = "erc1155"  # semi-fungible items, each with a supply


class RoyaltyShare(msgspec.Struct, frozen=True, array_like=True):
    """One receiver's part of the royalty, in basis points of the sale price."""

    account: int
    bps: int


class Collection(msgspec.Struct, frozen=True, array_like=True):
    code: str  # the collection's id in paths: lowercase letters, digits and dashes
    creator: int  # the account that mints and receives the primary sales
    name: str
    description: str
    cover: str  # the SHA-256 of the cover image (edge/nft_media.py), or ""
    standard: Standard
    currency: str  # the listed asset every price of the collection is in
    royalty: tuple[RoyaltyShare, ...]  # empty: no royalty
    verified: bool = False  # set by operators only

    @property
    def royalty_bps(self) -> int:
        return sum(share.bps for share in self.royalty)


def collection_problem(c: Collection) -> str | None:
    """Why a collection cannot be created as given (its currency aside), or None."""
    if not COLLECTION_CODE.fullmatch(c.code):
        return "a collection code is 3 to 32 lowercase letters, digits or inner dashes"
    if c.code in RESERVED_CODES:
        return f"the codes {', '.join(sorted(RESERVED_CODES))} name pages of the site"
    if c.creator < FIRST_TRADING_ACCOUNT:
        return "the creator must be an account that may hold funds"
    if not c.name.strip() or len(c.name) > MAX_NAME_CHARS:
        return f"a collection's name is 1 to {MAX_NAME_CHARS} characters"
    if len(c.description) > MAX_DESCRIPTION_CHARS:
        return f"a description is at most {MAX_DESCRIPTION_CHARS} characters"
    if c.cover and not SHA256_HEX.fullmatch(c.cover):
        return "the cover is named by the SHA-256 of its bytes (64 lowercase hex digits)"
    return royalty_problem(c.royalty)


def royalty_problem(royalty: tuple[RoyaltyShare, ...]) -> str | None:
    """Why a royalty split is not acceptable, or None: at most ten receivers, each a different
    account with a share above zero, 10 % at most in all."""
    if len(royalty) > MAX_ROYALTY_RECEIVERS:
        return f"a royalty is split between at most {MAX_ROYALTY_RECEIVERS} receivers"
    if len({share.account for share in royalty}) != len(royalty):
        return "each royalty receiver is named once"
    if any(share.bps <= 0 or share.account < FIRST_TRADING_ACCOUNT for share in royalty):
        return "each royalty receiver is an account with a share above zero"
    if sum(share.bps for share in royalty) > MAX_ROYALTY_BPS:
        return "royalties are at most 10 % (1000 basis points) in all"
    return None
