"""Assets: a code and the number of decimal places of its smallest unit."""

import re

import msgspec

ASSET_CODE = re.compile(r"[A-Z0-9]{2,12}")  # whole: `$` would let a final newline in
MAX_PRECISION = 18


class Asset(msgspec.Struct, frozen=True, gc=False):
    """An asset the platform holds, e.g. KRW (0 decimals), BTC (8) or a gold token KGLD (4)."""

    code: str
    precision: int

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
    return None
