"""The issuance product: real-world-asset tokens against attested reserves. An issuer's
attestors' keys, each token's terms, signed reserve attestations, mints bounded by the
reserve, burns, and distributions to holders; all through the one ledger."""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from assetport.domain.commands import (
    BurnRwa,
    CancelRedemption,
    Command,
    ConfirmRedemption,
    Distribute,
    MintRwa,
    RecordAttestation,
    RegisterAttestor,
    RejectRedemption,
    RequestRedemption,
    RetireCredits,
    SetRwaTerms,
    SetSubscriptionTerms,
    Subscribe,
    TransferRwa,
)
from assetport.domain.holds import Hold, HoldPurpose
from assetport.domain.issuance.terms import RwaTerms, SubscriptionTerms
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.holder_gate import HolderGate
from assetport.engine.issuance.distributing import distribute
from assetport.engine.issuance.redemptions import (
    cancel_redemption,
    confirm_redemption,
    reject_redemption,
    request_redemption,
)
from assetport.engine.issuance.reserves import record_attestation, register_attestor, set_terms
from assetport.engine.issuance.retirement import retire
from assetport.engine.issuance.section import IssuanceSection, restore_into, section_of
from assetport.engine.issuance.state import IssuanceState, Reserve
from assetport.engine.issuance.subscriptions import set_subscription_terms, subscribe
from assetport.engine.issuance.supply import burn, mint, supply_of
from assetport.engine.issuance.transfers import transfer
from assetport.engine.ledger import Ledger, Posting


class IssuanceProduct:
    name = "issuance"

    def __init__(self, ctx: Context, ledger: Ledger, assets: Assets, gate: HolderGate) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.assets = assets
        self.gate = gate
        self.state = IssuanceState()
        self.posting = Posting()

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        s, ctx, ledger, posting, assets = (
            self.state, self.ctx, self.ledger, self.posting, self.assets
        )  # fmt: skip
        return {
            RegisterAttestor: partial(register_attestor, s, ctx),
            SetRwaTerms: partial(set_terms, s, ctx, assets),
            RecordAttestation: partial(record_attestation, s, ctx, ledger, assets),
            MintRwa: partial(mint, s, ctx, ledger, posting),
            BurnRwa: partial(burn, s, ctx, ledger, posting),
            Distribute: partial(distribute, s, ctx, ledger, assets, posting),
            SetSubscriptionTerms: partial(set_subscription_terms, s, ctx, assets),
            Subscribe: partial(subscribe, s, ctx, ledger, assets, self.gate, posting),
            RequestRedemption: partial(request_redemption, s, ctx, ledger),
            ConfirmRedemption: partial(confirm_redemption, s, ctx, ledger, assets, posting),
            RejectRedemption: partial(reject_redemption, s, ctx, ledger),
            CancelRedemption: partial(cancel_redemption, s, ctx, ledger),
            RetireCredits: partial(retire, s, ctx, ledger, assets, posting),
            TransferRwa: partial(transfer, s, ctx, ledger, self.gate, posting),
        }

    # ------------------------------------------------------------ the read API

    def terms(self, asset: str) -> RwaTerms | None:
        return self.state.terms.get(asset)

    def reserve(self, asset: str) -> Reserve | None:
        return self.state.reserves.get(asset)

    def supply(self, asset: str) -> int:
        return supply_of(self.ledger, asset)

    def all_terms(self) -> list[RwaTerms]:
        return [self.state.terms[asset] for asset in sorted(self.state.terms)]

    def subscription_terms(self) -> list[SubscriptionTerms]:
        return [self.state.subscriptions[asset] for asset in sorted(self.state.subscriptions)]

    def reserves(self) -> list[tuple[str, int, int, str, int, int]]:
        """(asset, attested units, used since, attestor, as_of_us, attested_seq)."""
        return [
            (asset, r.units, r.used, r.attestor, r.as_of_us, r.attested_seq)
            for asset, r in sorted(self.state.reserves.items())
        ]

    def supplies(self) -> dict[str, int]:
        """The supply of every token with terms."""
        return {asset: supply_of(self.ledger, asset) for asset in sorted(self.state.terms)}

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
            restore_into(self.state, section, self.assets)

    def holds(self) -> list[Hold]:
        return [
            Hold(r.account, r.asset, HoldPurpose.REDEMPTION, r.amount)
            for r in self.state.redemptions.values()
        ]
