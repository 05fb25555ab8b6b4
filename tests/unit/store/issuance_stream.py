"""One issuer's year, through a real engine, for the tests of issuance's SQL history and of
the gateway's issuance view: a gold token (AUG, 4 decimals, grams) with two attested bars,
sold by subscription, redeemed in a bar and cash, in cash (canceled, rejected, pending);
a carbon credit token (CO2, 3 decimals, tonnes) minted, allocated, retired, and paying a
distribution. No command of the stream is refused: it is what people really did."""

from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    BurnRwa,
    CancelRedemption,
    Command,
    ConfirmRedemption,
    Deposit,
    Distribute,
    ListAsset,
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
from assetport.domain.events import CommandRejected, Event
from assetport.domain.issuance.attestations import (
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.terms import (
    RedemptionTerms,
    RwaKind,
    RwaTerms,
    SubscriptionTerms,
    TransferKind,
)
from assetport.engine.engine import Engine

ALICE, BOB = 1000, 1001
GOLD_ISSUER, CARBON_ISSUER = 101, 102
START_US: Final = 1_780_000_000_000_000
DAY_US: Final = 24 * 3600 * 1_000_000
KEY = Ed25519PrivateKey.generate()
BAR: Final = 9_999_000  # 999.9 g of fine gold, in AUG's units
BARS: Final = (
    ReserveLot("AB1", "Heraeus 1 kg", "Busan vault 1", BAR, 10_000_000, 9_999),
    ReserveLot("AB2", "Heraeus 1 kg", "Busan vault 1", BAR, 10_000_000, 9_999),
)
CREDITS: Final = (
    ReserveLot("VCS-1234-1-1000", "VCS 1234, vintage 2023", "Verra", 1_000_000),
    ReserveLot("VCS-1234-1001-1500", "VCS 1234, vintage 2023", "Verra", 500_000),
)
GOLD_TERMS: Final = RwaTerms(
    "AUG", GOLD_ISSUER, RwaKind.METAL, "1 g of 999.9 fine gold", "Korea Minting",
    "Busan vault 1", RedemptionTerms(minimum=10_000, fee_bps=25, physical_lot=BAR),
)  # fmt: skip
CARBON_TERMS: Final = RwaTerms(
    "CO2", CARBON_ISSUER, RwaKind.CARBON, "1 t CO2e, VCS 1234, vintage 2023", "Verra",
    "Verra registry", RedemptionTerms(minimum=1_000),
)  # fmt: skip


def attestation(asset: str, lots: tuple[ReserveLot, ...], key_id: str) -> RecordAttestation:
    total = sum(lot.units for lot in lots)
    statement = ReserveStatement(asset, key_id, START_US - DAY_US, lots, total)
    return RecordAttestation(sign(statement, KEY))


@dataclass
class Stream:
    """A sequencer in front of a real engine: every command applied is kept."""

    engine: Engine = field(default_factory=Engine)
    items: list[tuple[int, int, Command, list[Event]]] = field(default_factory=list)

    def at(self, day: float, command: Command) -> list[Event]:
        seq = len(self.items) + 1
        time = START_US + int(day * DAY_US) + seq
        events = self.engine.apply(seq, time, command)
        assert not [e for e in events if isinstance(e, CommandRejected)], (command, events)
        self.items.append((seq, time, command, events))
        return events


def issuance_stream() -> Stream:
    s = Stream()
    s.at(0, ListAsset("KRW", 0))
    s.at(0, ListAsset("AUG", 4, AssetKind.RWA_TOKEN, GOLD_ISSUER))
    s.at(0, ListAsset("CO2", 3, AssetKind.RWA_TOKEN, CARBON_ISSUER))
    s.at(0, RegisterAttestor(GOLD_ISSUER, "auditor", public_key_hex(KEY)))
    s.at(0, RegisterAttestor(CARBON_ISSUER, "registry", public_key_hex(KEY)))
    s.at(0, SetRwaTerms(GOLD_TERMS))
    s.at(0, SetRwaTerms(CARBON_TERMS))
    s.at(1, attestation("AUG", BARS, "auditor"))  # seq 8
    # 100,000 KRW a gram, 0.5 % fee, at least 1 g.
    s.at(1, SetSubscriptionTerms(SubscriptionTerms("AUG", "KRW", 100_000, 50, 10_000, True)))
    s.at(2, Deposit(ALICE, "KRW", 200_000_000, "krw-alice"))
    s.at(2, Subscribe(ALICE, "AUG", 100_000, "s1"))  # 10 g
    s.at(3, Subscribe(ALICE, "AUG", 10_000_000, "s2"))  # 1000 g
    # 1005 g physically: a bar, and the rest (less the 0.25 % fee) in cash.
    s.at(4, RequestRedemption(ALICE, "AUG", 10_050_000, True, "r1"))  # id 1
    s.at(5, ConfirmRedemption(GOLD_ISSUER, 1, ("AB1",), "KRW", 100_000))
    s.at(6, RequestRedemption(ALICE, "AUG", 20_000, False, "r2"))  # id 2
    s.at(6, CancelRedemption(ALICE, 2))
    s.at(7, RequestRedemption(ALICE, "AUG", 20_000, False, "r3"))  # id 3
    s.at(7, RejectRedemption(GOLD_ISSUER, 3, "holder not verified"))
    s.at(8, RequestRedemption(ALICE, "AUG", 30_000, False, "r4"))  # id 4, pending
    s.at(8, MintRwa("AUG", 10_000, "m-aug"))
    s.at(8, BurnRwa("AUG", 5_000, "b-aug"))
    # Carbon credits: minted, allocated to Alice and Bob, Alice retires 3 t, a distribution.
    s.at(10, attestation("CO2", CREDITS, "registry"))
    s.at(10, MintRwa("CO2", 100_000, "m-co2"))
    s.at(11, TransferRwa(CARBON_ISSUER, "CO2", CARBON_ISSUER, ALICE, 10_000,
                         TransferKind.ALLOCATION, "", "t1"))  # fmt: skip
    s.at(11, TransferRwa(CARBON_ISSUER, "CO2", CARBON_ISSUER, BOB, 3_000,
                         TransferKind.ALLOCATION, "", "t2"))  # fmt: skip
    s.at(12, RetireCredits(ALICE, "CO2", 3_000, "Busan Port Authority", "2026 emissions", "c1"))
    s.at(13, Deposit(CARBON_ISSUER, "KRW", 10_000, "fund-1"))
    s.at(13, Distribute("CO2", "KRW", 10_000, "rent-1"))
    return s
