"""Issuance's section of the snapshot: its whole state as canonical, sorted lists."""

import msgspec

from assetport.domain.issuance.terms import RwaTerms
from assetport.engine.issuance.state import IssuanceState, Reserve

# (asset, units, attestor, as_of_us, attested_seq)
ReserveRow = tuple[str, int, str, int, int]


class IssuanceSection(msgspec.Struct, array_like=True):
    attestors: list[tuple[int, str, str]]
    terms: list[RwaTerms]
    reserves: list[ReserveRow]
    refs: list[tuple[str, str, str, int]]


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
    )


def restore_into(state: IssuanceState, section: IssuanceSection) -> None:
    state.touched = True
    state.attestors = {(issuer, key_id): key for issuer, key_id, key in section.attestors}
    state.terms = {terms.asset: terms for terms in section.terms}
    state.reserves = {
        asset: Reserve(units, attestor, as_of_us, seq)
        for asset, units, attestor, as_of_us, seq in section.reserves
    }
    state.refs = {ref: (kind, asset, amount) for ref, kind, asset, amount in section.refs}
