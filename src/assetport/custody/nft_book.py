"""What custody reads of the NFT market to move items to and from the chain: the pending
withdrawals, each collection's kind and royalty, each item's supply and the contracts
journaled (`SetNftContract`). It is read from the engine's read API (`Engine.nft_state()`)
and kept until a new withdrawal is applied or custody itself changed something (the state
is read whole, so not on every pass)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assetport.domain.commands import WithdrawNft
from assetport.domain.nft.collections import Collection
from assetport.domain.nft.items import ItemSpec
from assetport.runtime.bus import AppliedBatch


class NftSection(Protocol):
    """What custody reads of `Engine.nft_state()` (the engine's `NftSection`)."""

    @property
    def collections(self) -> Sequence[Collection]: ...

    @property
    def items(self) -> Sequence[tuple[str, ItemSpec, list[tuple[int, int]]]]: ...

    @property
    def contracts(self) -> Sequence[tuple[str, str, str]]: ...

    @property
    def withdrawals(self) -> Sequence[tuple[int, int, str, int, int, str, str, str]]: ...


@dataclass(frozen=True, slots=True)
class PendingNft:
    """Units set aside for a withdrawal to `address` (0x hex, any case) on `network`."""

    withdrawal_id: int
    account: int
    collection: str
    token_id: int
    quantity: int
    network: str
    address: str


@dataclass(frozen=True)
class NftBook:
    withdrawals: list[PendingNft] = field(default_factory=list)
    collections: dict[str, Collection] = field(default_factory=dict)
    supplies: dict[tuple[str, int], int] = field(default_factory=dict)
    contracts: dict[tuple[str, str], str] = field(default_factory=dict)  # -> address

    def contract(self, collection: str, network: str) -> str | None:
        return self.contracts.get((collection, network))

    def contracts_on(self, network: str) -> dict[str, str]:
        """Collection by its contract's lowercase address, on `network`."""
        return {a.lower(): c for (c, n), a in self.contracts.items() if n == network}


def book_of(section: NftSection) -> NftBook:
    return NftBook(
        [PendingNft(w[0], w[1], w[2], w[3], w[4], w[5], w[6]) for w in section.withdrawals],
        {c.code: c for c in section.collections},
        {(code, spec.token_id): spec.supply for code, spec, _ in section.items},
        {(code, network): address for code, network, address in section.contracts},
    )


class NftBookReader:
    """The book, read again only when something changed it: a withdrawal applied (seen in
    the engine's applied batches), or custody's own command (`changed()`)."""

    def __init__(self, read: Callable[[], NftSection]) -> None:
        self._read = read
        self._book: NftBook | None = None

    def on_applied(self, batch: AppliedBatch) -> None:
        if self._book is not None and any(type(c) is WithdrawNft for c in batch.commands):
            self._book = None

    def changed(self) -> None:
        self._book = None

    def __call__(self) -> NftBook:
        if self._book is None:
            self._book = book_of(self._read())
        return self._book
