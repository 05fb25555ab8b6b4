"""Assets: a code, the number of decimal places of its smallest unit, and what kind of
asset it is (fiat money, a coin or token, a token backed by a real-world asset, an NFT
collection), with its issuer and a few words about it where it has them.

The kind, issuer and metadata came later: an asset listed before them has none in the
journal or a snapshot, decodes with the defaults (a coin or token, no issuer, no metadata)
and, since default values are left out of the encoding, encodes to the same bytes as it did.
"""

import re
from enum import StrEnum

import msgspec

from assetport.domain.accounts import ISSUER_TREASURIES

ASSET_CODE = re.compile(r"[A-Z0-9]{2,12}")  # whole: `$` would let a final newline in
MAX_PRECISION = 18
# Metadata is for people (a name, a link to the reserve report), bounded like any input.
MAX_METADATA_ENTRIES = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 1024


class AssetKind(StrEnum):
    FIAT = "fiat"  # money issued by a state: KRW, USD
    COIN = "coin"  # a coin or token of a chain, or a stablecoin: BTC, ETH, USDT
    RWA_TOKEN = "rwa_token"  # a token backed by a real-world asset its issuer holds: KGLD
    NFT_COLLECTION = "nft_collection"  # a collection of non-fungible tokens


class Asset(msgspec.Struct, frozen=True, gc=False, omit_defaults=True):
    """An asset the platform holds, e.g. KRW (0 decimals), BTC (8) or a gold token KGLD (4).

    `issuer` is the issuer's treasury account (`domain/accounts.py`) for an asset issued on
    the platform, None otherwise.
    """

    code: str
    precision: int
    kind: AssetKind = AssetKind.COIN
    issuer: int | None = None
    metadata: dict[str, str] = msgspec.field(default_factory=dict)

    @property
    def unit(self) -> int:
        """How many smallest units make one whole unit of the asset."""
        unit: int = 10**self.precision
        return unit


def asset_problem(asset: Asset) -> str | None:
    """Why an asset definition is not acceptable, or None when it is."""
    if not ASSET_CODE.fullmatch(asset.code):
        return "asset code must be 2 to 12 upper-case letters or digits"
    if not 0 <= asset.precision <= MAX_PRECISION:
        return f"asset precision must be between 0 and {MAX_PRECISION}"
    if asset.issuer is not None and asset.issuer not in ISSUER_TREASURIES:
        return "an issuer must be an issuer treasury account"
    if len(asset.metadata) > MAX_METADATA_ENTRIES or any(
        len(key) > MAX_METADATA_KEY or len(value) > MAX_METADATA_VALUE
        for key, value in asset.metadata.items()
    ):
        return (
            f"metadata holds at most {MAX_METADATA_ENTRIES} entries, keys of at most "
            f"{MAX_METADATA_KEY} and values of at most {MAX_METADATA_VALUE} characters"
        )
    return None
