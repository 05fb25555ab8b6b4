"""The contract between the dispatcher and a product (spot today; NFT, issuance and custody
later).

A product is handed what it needs when it is made (the `Context` of the current command,
the shared `Ledger`, the listed `Assets`) and never imports the dispatcher. It names the
commands it handles, each with the method that applies it; it encodes and restores its own
section of the snapshot; it answers its holds by purpose; the rest of its read API is its
own (the dispatcher's read API answers from it).

Adding a product: its package under `engine/`, its commands and events in `domain/`, and
one line in `Engine.__init__` that makes and registers it.
"""

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from assetport.domain.commands import Command
from assetport.domain.holds import Hold


class Product(Protocol):
    # The section's name in the snapshot; unique among the products.
    name: str

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        """Each command type it handles -> the method that applies one such command."""
        ...

    def section(self) -> Any:
        """Its state as one msgspec-encodable value, canonical (equal states give equal
        values), or None while it holds nothing (a product added later then leaves the
        snapshot's bytes, and so the state hash of older journals, as they were)."""
        ...

    def restore(self, section: Any) -> None:
        """Take back what `section()` gave, into a product just made (after the ledger and
        the assets were restored)."""
        ...

    def section_type(self) -> type:
        """What its section decodes as."""
        ...

    def holds(self) -> list[Hold]:
        """Every hold it has made, by account, asset and purpose (for audits and tests)."""
        ...
