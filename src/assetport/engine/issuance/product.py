"""The issuance product: real-world-asset tokens against attested reserves. An issuer's
attestors' keys, each token's terms, signed reserve attestations, mints bounded by the
reserve, burns, and distributions to holders; all through the one ledger."""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from assetport.domain.commands import (
    BurnRwa,
    Command,
    Distribute,
    MintRwa,
    RecordAttestation,
    RegisterAttestor,
    SetRwaTerms,
)
from assetport.domain.holds import Hold
from assetport.domain.issuance.terms import RwaTerms
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.issuance.distributing import distribute
from assetport.engine.issuance.reserves import record_attestation, register_attestor, set_terms
from assetport.engine.issuance.section import IssuanceSection, restore_into, section_of
from assetport.engine.issuance.state import IssuanceState, Reserve
from assetport.engine.issuance.supply import burn, mint, supply_of
from assetport.engine.ledger import Ledger, Posting


class IssuanceProduct:
    name = "issuance"

    def __init__(self, ctx: Context, ledger: Ledger, assets: Assets) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.assets = assets
        self.state = IssuanceState()
        self.posting = Posting()

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        s, ctx, ledger, posting = self.state, self.ctx, self.ledger, self.posting
        return {
            RegisterAttestor: partial(register_attestor, s, ctx),
            SetRwaTerms: partial(set_terms, s, ctx, self.assets),
            RecordAttestation: partial(record_attestation, s, ctx, ledger),
            MintRwa: partial(mint, s, ctx, ledger, posting),
            BurnRwa: partial(burn, s, ctx, ledger, posting),
            Distribute: partial(distribute, s, ctx, ledger, self.assets, posting),
        }

    # ------------------------------------------------------------ the read API

    def terms(self, asset: str) -> RwaTerms | None:
        return self.state.terms.get(asset)

    def reserve(self, asset: str) -> Reserve | None:
        return self.state.reserves.get(asset)

    def supply(self, asset: str) -> int:
        return supply_of(self.ledger, asset)

    def attestors(self, issuer: int) -> dict[str, str]:
        """Key id -> public key of the issuer's attestors."""
        return {key_id: key for (who, key_id), key in self.state.attestors.items() if who == issuer}

    # ------------------------------------------------------------ the snapshot

    def section(self) -> IssuanceSection | None:
        return section_of(self.state)

    def section_type(self) -> type:
        return IssuanceSection

    def restore(self, section: Any) -> None:
        if section is not None:
            restore_into(self.state, section)

    def holds(self) -> list[Hold]:
        return []  # nothing is held yet: redemptions will hold what they take
