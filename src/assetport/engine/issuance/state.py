"""What the issuance product keeps: the attestors' keys per issuer, each token's terms and
latest reserve, and every mint, burn and distribution reference (each applies once)."""

from dataclasses import dataclass, field

from assetport.domain.issuance.terms import RwaTerms


@dataclass(frozen=True, slots=True)
class Reserve:
    """An asset's reserve as the latest attestation states it."""

    units: int
    attestor: str
    as_of_us: int
    attested_seq: int


@dataclass
class IssuanceState:
    touched: bool = False
    # (issuer, key id) -> public key (raw 32 bytes, hex)
    attestors: dict[tuple[int, str], str] = field(default_factory=dict)
    terms: dict[str, RwaTerms] = field(default_factory=dict)
    reserves: dict[str, Reserve] = field(default_factory=dict)
    # reference -> (kind, asset, amount): a retry is ALREADY_APPLIED, another use refused
    refs: dict[str, tuple[str, str, int]] = field(default_factory=dict)
