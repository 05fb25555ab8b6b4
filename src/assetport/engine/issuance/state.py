"""What the issuance product keeps: the attestors' keys per issuer, each token's terms,
subscription terms and latest reserve (with its lots, and what was taken out of them since:
bars delivered, credits retired), the pending redemptions, and every reference already
applied (each applies once)."""

from dataclasses import dataclass, field

from assetport.domain.issuance.terms import RwaTerms, SubscriptionTerms


@dataclass(frozen=True, slots=True)
class Reserve:
    """An asset's reserve as the latest attestation states it; `used` of it left since
    (bars delivered, credits retired) and backs nothing any more."""

    units: int
    attestor: str
    as_of_us: int
    attested_seq: int
    used: int = 0

    @property
    def backing(self) -> int:
        return self.units - self.used


@dataclass(frozen=True, slots=True)
class Redemption:
    """A pending redemption: `amount` of the holder's tokens held, `fee` of it the
    issuer's."""

    redemption_id: int
    account: int
    asset: str
    amount: int
    fee: int
    physical: bool


@dataclass
class IssuanceState:
    touched: bool = False
    # (issuer, key id) -> public key (raw 32 bytes, hex)
    attestors: dict[tuple[int, str], str] = field(default_factory=dict)
    terms: dict[str, RwaTerms] = field(default_factory=dict)
    subscriptions: dict[str, SubscriptionTerms] = field(default_factory=dict)
    reserves: dict[str, Reserve] = field(default_factory=dict)
    # asset -> the latest attestation's lots in its order: serial -> units
    lots: dict[str, dict[str, int]] = field(default_factory=dict)
    # asset -> serial -> units taken out of that lot since the attestation
    used: dict[str, dict[str, int]] = field(default_factory=dict)
    redemptions: dict[int, Redemption] = field(default_factory=dict)
    next_redemption_id: int = 1
    next_certificate_id: int = 1
    # issuer reference -> (kind, asset, amount): a retry is ALREADY_APPLIED, another use refused
    refs: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    # (account, its own reference) -> (kind, asset, amount), likewise for holders' requests
    client_refs: dict[tuple[int, str], tuple[str, str, int]] = field(default_factory=dict)
