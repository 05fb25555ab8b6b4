"""Issuance's section of the snapshot: its whole state as canonical, sorted lists. Fields
added after the first are at the end with defaults, so an older section still decodes."""

import msgspec

from assetport.domain.issuance.terms import RwaTerms, SubscriptionTerms
from assetport.engine.assets import Assets
from assetport.engine.issuance.state import IssuanceState, Redemption, Reserve

# (asset, units, attestor, as_of_us, attested_seq)
ReserveRow = tuple[str, int, str, int, int]
# (asset, [(serial, units, used)] in the attestation's order)
LotsRow = tuple[str, list[tuple[str, int, int]]]
# (redemption id, account, asset, amount, fee, physical)
RedemptionRow = tuple[int, int, str, int, int, bool]


class IssuanceSection(msgspec.Struct, array_like=True):
    attestors: list[tuple[int, str, str]]
    terms: list[RwaTerms]
    reserves: list[ReserveRow]
    refs: list[tuple[str, str, str, int]]
    subscriptions: list[SubscriptionTerms] = []
    lots: list[LotsRow] = []
    redemptions: list[RedemptionRow] = []
    counters: tuple[int, int] = (1, 1)  # next redemption id, next certificate id
    client_refs: list[tuple[int, str, str, str, int]] = []


def section_of(state: IssuanceState) -> IssuanceSection | None:
    if not state.touched:
        return None
    return IssuanceSection(
        sorted((issuer, key_id, key) for (issuer, key_id), key in state.attestors.items()),
        [state.terms[asset] for asset in sorted(state.terms)],
        sorted(
            (asset, r.units, r.attestor, r.as_of_us, r.attested_seq)
            for asset, r in state.reserves.items()
        ),
        sorted((ref, *applied) for ref, applied in state.refs.items()),
        [state.subscriptions[asset] for asset in sorted(state.subscriptions)],
        [(asset, _lots(state, asset)) for asset in sorted(state.lots)],
        [
            (r.redemption_id, r.account, r.asset, r.amount, r.fee, r.physical)
            for _, r in sorted(state.redemptions.items())
        ],
        (state.next_redemption_id, state.next_certificate_id),
        sorted((account, ref, *applied) for (account, ref), applied in state.client_refs.items()),
    )


def _lots(state: IssuanceState, asset: str) -> list[tuple[str, int, int]]:
    used = state.used.get(asset, {})
    return [(serial, units, used.get(serial, 0)) for serial, units in state.lots[asset].items()]


def restore_into(state: IssuanceState, section: IssuanceSection, assets: Assets) -> None:
    state.touched = True
    state.attestors = {(issuer, key_id): key for issuer, key_id, key in section.attestors}
    state.terms = {terms.asset: terms for terms in section.terms}
    state.subscriptions = {terms.asset: terms for terms in section.subscriptions}
    state.lots = {asset: {serial: units for serial, units, _ in lots}
                  for asset, lots in section.lots}  # fmt: skip
    state.used = {
        asset: {serial: used for serial, _, used in lots if used} for asset, lots in section.lots
    }
    state.reserves = {
        asset: Reserve(units, attestor, as_of_us, seq, sum(state.used.get(asset, {}).values()))
        for asset, units, attestor, as_of_us, seq in section.reserves
    }
    for asset, reserve in state.reserves.items():
        assets.reserve_caps[asset] = reserve.backing
    state.redemptions = {
        rid: Redemption(rid, account, asset, amount, fee, physical)
        for rid, account, asset, amount, fee, physical in section.redemptions
    }
    state.next_redemption_id, state.next_certificate_id = section.counters
    state.refs = {ref: (kind, asset, amount) for ref, kind, asset, amount in section.refs}
    state.client_refs = {
        (account, ref): (kind, asset, amount)
        for account, ref, kind, asset, amount in section.client_refs
    }
