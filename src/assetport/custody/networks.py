"""What Assetport knows of an asset on one chain: its contract (or none, for the chain's own
coin), its decimals there against the ledger's precision, the confirmations a deposit needs
and the smallest deposit credited.

The chain counts in its own smallest units (ETH in wei, 18 decimals); the ledger keeps
fewer (8 for ETH). `to_ledger_units` converts exactly: the part of a deposit the ledger
cannot hold is kept as recorded dust, never rounded up into a credit.
"""

from dataclasses import dataclass

MAX_DECIMALS = 77  # 10**77 < 2**256 <= 10**78: no uint256 amount has more digits


@dataclass(frozen=True, slots=True)
class ChainAsset:
    """`asset` (the ledger's name, e.g. "ETH") on one chain. `contract` is the ERC-20
    token's address, None for the native coin; `min_deposit` is in ledger units."""

    asset: str
    contract: str | None
    chain_decimals: int
    ledger_precision: int
    confirmations: int
    min_deposit: int

    def __post_init__(self) -> None:
        if not self.asset:
            raise ValueError("a chain asset needs the ledger's asset name")
        for name in ("chain_decimals", "ledger_precision"):
            value = getattr(self, name)
            if not 0 <= value <= MAX_DECIMALS:
                raise ValueError(f"{name} of {self.asset} must be 0 to {MAX_DECIMALS}")
        if self.confirmations < 1:
            raise ValueError(f"{self.asset} needs at least one confirmation (its own block)")
        if self.min_deposit < 0:
            raise ValueError(f"the minimum deposit of {self.asset} cannot be negative")

    @property
    def is_native(self) -> bool:
        return self.contract is None

    def to_ledger_units(self, raw: int) -> tuple[int, int]:
        return to_ledger_units(raw, self.chain_decimals, self.ledger_precision)


def to_ledger_units(raw: int, chain_decimals: int, ledger_precision: int) -> tuple[int, int]:
    """`raw` chain units as (ledger units credited, dust in chain units): the credit is
    rounded down, and credited * 10**(chain_decimals - ledger_precision) + dust == raw.
    A ledger finer than the chain scales up exactly, with no dust."""
    if raw < 0:
        raise ValueError("a transferred amount cannot be negative")
    if ledger_precision >= chain_decimals:
        return raw * 10 ** (ledger_precision - chain_decimals), 0
    credited, dust = divmod(raw, 10 ** (chain_decimals - ledger_precision))
    return credited, dust
