"""The demo's issuers (issue #17): on the demo listings, `assetport serve` sets up an issuer
for each real-world-asset token, so that a newcomer sees every issuance feature at once.

For each token the demo lists as an `rwa_token` (`listings.DEMO_ISSUERS`), once per data
directory, the issuer takes the steps a real one takes through the operator endpoints
(docs/issuance.md), as journaled commands:

1. registers its auditor's Ed25519 key (`RegisterAttestor`): a demo attestor key made for
   this data directory and kept in it (`demo-attestor.pem`, mode 0600, PKCS#8 PEM as
   `assetport attest keygen` writes it, so `assetport attest sign --key` can use it too);
2. sets the token's terms (`SetRwaTerms`): what one token is, the custodian and vault, the
   token's terms document by the SHA-256 of a text shipped here (`document_text`), and its
   redemption terms (gold and silver: whole 1 kg bars of 999.9; copper: whole LME warrants;
   oil: whole warehouse receipts; the office tower's shares: cash only; carbon credits:
   whole registry serial ranges);
3. opens subscriptions in won at about the market makers' reference price
   (`SetSubscriptionTerms`);
4. records the auditor's signed count of the reserve (`RecordAttestation`): a bar list, the
   warrants, the receipts, the trust's title, the registry ranges, counted "now" by the
   gateway's clock, which the sequencer's stamp can only follow;
5. mints a float into its treasury (`MintRwa`, ref `demo-float-<code>`).

The float's mint comes last and its reference makes it once only, so it tells whether the
steps ran: at start it is sent first, and `ALREADY_APPLIED` (or the reference taken by
another amount) means they did; then nothing is sent again, the attestation included. A
mint that succeeds means the reserve was recorded before the float (a start cut short). A
data directory from before the demo issuers, whose KGLD is a plain coin, is left alone.

The office tower's token pays a monthly rent (`pay_rent_monthly`, a background task of
the sandbox): the rent collected off the platform is paid into the issuer's treasury as
`/api/v1/admin/issuance/fund` does (a `Deposit`), then `Distribute`d to every holder, each
once a month by its reference (`rent-KRE1-YYYY-MM`, Korean months).
"""

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from assetport.api.gateway import Gateway
from assetport.domain.accounts import EXTERNAL_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    Command,
    Deposit,
    Distribute,
    MintRwa,
    RecordAttestation,
    RegisterAttestor,
    SetRwaTerms,
    SetSubscriptionTerms,
)
from assetport.domain.events import refusal
from assetport.domain.issuance.attestations import (
    FULL_FINENESS,
    ReserveLot,
    ReserveStatement,
    public_key_hex,
    sign,
)
from assetport.domain.issuance.terms import (
    Document,
    RedemptionTerms,
    RwaKind,
    RwaTerms,
    SubscriptionTerms,
)
from assetport.domain.results import RejectReason
from assetport.domain.units import from_units, to_units
from assetport.edge.documents import DocumentStore
from assetport.listings import DEMO_ASSETS, DEMO_ISSUERS
from assetport.runtime.data_dir import read_or_create_private
from assetport.sandbox.market_makers import REFERENCE_PRICES

logger = logging.getLogger(__name__)

ATTESTOR_KEY_FILE = "demo-attestor.pem"
QUOTE = "KRW"
SUBSCRIPTION_FEE_BPS = 50  # the issuer's 0.5 % on newly minted tokens
KST = timezone(timedelta(hours=9))  # the rent is due by Korean months
RENT_TOKEN = "KRE1"
RENT_PER_SHARE = "20"  # won a month per share: ~4.8 % a year of the 5,000-won share price
RENT_CHECK_S = 3600.0  # how often the month is looked at: the rent is paid in its first hour
RENT_RETRY_S = 10.0  # nobody holds a share yet (the makers' float arrives just after start)
SETTLED = (RejectReason.ALREADY_APPLIED, RejectReason.REFERENCE_REUSED)  # done before

_PRECISION = dict(DEMO_ASSETS)
KILOBAR = 1000  # grams of a 1 kg bar
FINE = 9999  # 999.9 fine: parts per 10,000


def _whole(code: str, amount: str) -> int:
    return to_units(amount, _PRECISION[code])


def _fine(gross: int) -> int:
    return gross * FINE // FULL_FINENESS


def _bars(code: str, count: int, refiners: tuple[str, ...], vault: str) -> tuple[ReserveLot, ...]:
    """`count` 1 kg bars of 999.9, each stamped with its refiner's mark and number."""
    gross = _whole(code, str(KILOBAR))
    lots = []
    for n in range(count):
        refiner = refiners[n % len(refiners)]
        mark = "".join(word[0] for word in refiner.split()[:2]).upper()
        lots.append(
            ReserveLot(f"{mark}-{code}-{24_0001 + n}", f"{refiner}, 1 kg bar, 999.9 fine",
                       vault, _fine(gross), gross, FINE)
        )  # fmt: skip
    return tuple(lots)


def _warrants(count: int, vault: str) -> tuple[ReserveLot, ...]:
    """LME copper warrants of 25 t of Grade A cathode each."""
    gross = _whole("KCU", "25000")
    return tuple(
        ReserveLot(f"LME-CU-BSN-{31_407 + n:06d}", "LME warrant: Grade A copper cathode, 25 t",
                   vault, _fine(gross), gross, FINE)
        for n in range(count)
    )  # fmt: skip


def _receipts(count: int, vault: str) -> tuple[ReserveLot, ...]:
    """Warehouse receipts of 1,000 barrels of Dubai crude each, by tank."""
    return tuple(
        ReserveLot(f"UTT-WR-2025-{n + 1:05d}", f"Warehouse receipt: 1,000 bbl Dubai crude, tank "
                   f"T-{101 + n % 10}", vault, _whole("KOIL", "1000"))
        for n in range(count)
    )  # fmt: skip


def _ranges(count: int, size: int, vault: str) -> tuple[ReserveLot, ...]:
    """Registry serial ranges of `size` credits (1 t CO2e each), vintage 2023."""
    return tuple(
        ReserveLot(f"DCR-1077-KR-2023-{n * size + 1:07d}-{(n + 1) * size:07d}",
                   "Demo Carbon Registry project 1077, Saemangeum solar, vintage 2023",
                   vault, size)
        for n in range(count)
    )  # fmt: skip


@dataclass(frozen=True)
class DemoToken:
    code: str
    kind: RwaKind
    unit: str
    custodian: str
    vault: str
    redemption: RedemptionTerms
    lots: Callable[[], tuple[ReserveLot, ...]]  # the auditor's count of the reserve
    float_amount: str  # minted into the treasury at the first start, in whole tokens
    subscription_minimum: str  # in whole tokens

    @property
    def issuer(self) -> int:
        return DEMO_ISSUERS[self.code]

    @property
    def symbol(self) -> str:
        return self.code + QUOTE


METALS_CUSTODIAN = "Korea Precious Metals Custody (demo)"
METALS_VAULT = "Busan Haeundae vault (demo)"
COPPER_VAULT = "Busan New Port LME warehouse 3 (demo)"
OIL_VAULT = "Ulsan tank terminal, tanks T-101 to T-110 (demo)"
TOWER = "Haeundae Marine Tower"
TRUST = "Busan Real Estate Trust (demo)"
REGISTRY_VAULT = "Demo Carbon Registry, holding account of Assetport Carbon (demo)"
REFINERS = ("Gyeongnam Refining (demo)", "Hanbit Precious Metals (demo)")

DEMO_TOKENS: tuple[DemoToken, ...] = (
    DemoToken("KGLD", RwaKind.METAL, "1 g of 999.9 fine gold", METALS_CUSTODIAN, METALS_VAULT,
              RedemptionTerms(_whole("KGLD", "1"), 25, _fine(_whole("KGLD", "1000"))),
              lambda: _bars("KGLD", 1_100, REFINERS, METALS_VAULT), "10000", "1"),
    DemoToken("KSLV", RwaKind.METAL, "1 g of 999.9 fine silver", METALS_CUSTODIAN, METALS_VAULT,
              RedemptionTerms(_whole("KSLV", "100"), 50, _fine(_whole("KSLV", "1000"))),
              lambda: _bars("KSLV", 1_100, REFINERS, METALS_VAULT), "20000", "10"),
    DemoToken("KCU", RwaKind.METAL, "1 kg of copper in LME Grade A cathode (99.99 %)",
              "Busan Port Logistics (demo), an LME-listed warehouse", COPPER_VAULT,
              RedemptionTerms(_whole("KCU", "100"), 25, _fine(_whole("KCU", "25000"))),
              lambda: _warrants(48, COPPER_VAULT), "25000", "10"),
    DemoToken("KOIL", RwaKind.ENERGY, "1 barrel of Dubai crude oil",
              "Ulsan Tank Terminal Co. (demo)", OIL_VAULT,
              RedemptionTerms(_whole("KOIL", "10"), 30, _whole("KOIL", "1000")),
              lambda: _receipts(1_100, OIL_VAULT), "2000", "1"),
    DemoToken("KRE1", RwaKind.REAL_ESTATE,
              f"one share of {TOWER}, a demo Busan office tower (10,000,000 shares)", TRUST,
              f"{TOWER}, Haeundae-gu, Busan (demo)", RedemptionTerms(100, 100),
              lambda: (ReserveLot("BRET-2025-0001", f"Beneficiary certificate of the {TOWER} "
                                  "trust: 10,000,000 shares", TRUST, 10_000_000),),
              "100000", "1"),
    DemoToken("KCO2", RwaKind.CARBON,
              "1 t CO2e of Demo Carbon Registry project 1077 (Saemangeum solar), vintage 2023",
              "Demo Carbon Registry", REGISTRY_VAULT, RedemptionTerms(1, 0, 1000),
              lambda: _ranges(100, 1000, REGISTRY_VAULT), "5000", "1"),
)  # fmt: skip


def document_text(token: DemoToken) -> str:
    """The token's terms document, shipped here; its SHA-256 goes into the terms."""
    r, code = token.redemption, token.code
    precision = _PRECISION[code]
    delivered = (
        f"delivered in whole lots of {from_units(r.physical_lot, precision)} {code}"
        if r.physical_lot
        else "never delivered"
    )
    return (
        f"Assetport sandbox: terms of the {code} token (a demo document)\n"
        f"One {code} is {token.unit}.\n"
        f"Issuer: treasury account {token.issuer}. Custodian: {token.custodian}. "
        f"Vault: {token.vault}.\n"
        f"Redemption: at least {from_units(r.minimum, precision)} {code}, a fee of "
        f"{r.fee_bps} basis points; {delivered}; the rest paid in cash.\n"
        "This is a sandbox document: no real asset backs the sandbox's tokens.\n"
    )


def terms_of(token: DemoToken) -> RwaTerms:
    digest = hashlib.sha256(document_text(token).encode()).hexdigest()
    return RwaTerms(token.code, token.issuer, token.kind, token.unit, token.custodian,
                    token.vault, token.redemption, (Document("Token terms", digest),))  # fmt: skip


def attestor_key(data_dir: Path) -> Ed25519PrivateKey:
    """This data directory's demo auditor key, made at its first start."""
    pem = read_or_create_private(
        data_dir / ATTESTOR_KEY_FILE,
        lambda: Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        ),
    )
    key = load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{data_dir / ATTESTOR_KEY_FILE} is not an Ed25519 key")
    return key


def attestor_id(key: Ed25519PrivateKey) -> str:
    return f"demo-auditor-{public_key_hex(key)[:8]}"


def issuer_steps(token: DemoToken, key: Ed25519PrivateKey, now_us: int) -> list[Command]:
    """Steps 1-4 of the module's docstring, in order."""
    lots = token.lots()
    statement = ReserveStatement(
        token.code, attestor_id(key), now_us, lots, sum(lot.units for lot in lots)
    )
    price = to_units(REFERENCE_PRICES[token.symbol], _PRECISION[QUOTE])
    minimum = _whole(token.code, token.subscription_minimum)
    return [
        RegisterAttestor(token.issuer, attestor_id(key), public_key_hex(key)),
        SetRwaTerms(terms_of(token)),
        SetSubscriptionTerms(
            SubscriptionTerms(token.code, QUOTE, price, SUBSCRIPTION_FEE_BPS, minimum, True)
        ),
        RecordAttestation(sign(statement, key)),
    ]


async def set_up_demo_issuers(gateway: Gateway, data_dir: Path) -> list[str]:
    """Set up the issuer of every demo token the engine lists as its rwa_token (see the
    module's docstring); answer the codes of those issued."""
    issued: list[str] = []
    left_alone: list[str] = []
    key: Ed25519PrivateKey | None = None
    for token in DEMO_TOKENS:
        asset = gateway.markets.assets.get(token.code)
        if asset is None:
            continue
        if asset.kind is not AssetKind.RWA_TOKEN or asset.issuer != token.issuer:
            left_alone.append(token.code)
            continue
        key = key or attestor_key(data_dir)
        # The terms' document, kept by its hash so the asset page can link it (again at
        # every start: the same bytes change nothing).
        DocumentStore(data_dir).put(document_text(token).encode())
        await _issue(gateway, token, key)
        issued.append(token.code)
    if left_alone:
        logger.warning(
            "demo issuers: %s listed as plain coins by an older start of this data directory; "
            "left as they are", ", ".join(left_alone)
        )  # fmt: skip
    return issued


async def _issue(gateway: Gateway, token: DemoToken, key: Ed25519PrivateKey) -> None:
    amount = _whole(token.code, token.float_amount)
    float_mint = MintRwa(token.code, amount, f"demo-float-{token.code}")
    reason = await _refused(gateway, float_mint)
    if reason is None or reason in SETTLED:
        return  # the steps ran at an earlier start
    for command in issuer_steps(token, key, gateway.clock_ms() * 1000):
        await _must(gateway, command)
    await _must(gateway, float_mint)
    logger.info("demo issuer %d set up %s", token.issuer, token.code)


async def _refused(gateway: Gateway, command: Command) -> RejectReason | None:
    refused = refusal((await gateway.engine.execute(command)).events)
    return None if refused is None else refused.reason


async def _must(gateway: Gateway, command: Command) -> None:
    reason = await _refused(gateway, command)
    if reason is not None:
        raise RuntimeError(f"the demo issuer's {type(command).__name__} was refused: {reason}")


# ------------------------------------------------------------------ the tower's rent


def rent_month(now_ms: int) -> str:
    """The Korean month `now_ms` falls in, as YYYY-MM."""
    return datetime.fromtimestamp(now_ms / 1000, UTC).astimezone(KST).strftime("%Y-%m")


def _held(gateway: Gateway, account: int, asset: str) -> int:
    return sum(free + held for _, code, free, held in gateway.engine.balances(account)
               if code == asset)  # fmt: skip


async def pay_rent(gateway: Gateway, month: str) -> bool:
    """Pay `month`'s rent on every share outside the issuer's treasury: fund the treasury
    with it, then distribute it to the holders. True once it is paid, now or before."""
    issuer = DEMO_ISSUERS[RENT_TOKEN]
    supply = -_held(gateway, EXTERNAL_ACCOUNT, RENT_TOKEN)  # minus the supply: docs/issuance.md
    shares = supply - _held(gateway, issuer, RENT_TOKEN)
    if shares <= 0:
        return False
    amount = to_units(RENT_PER_SHARE, gateway.markets.precision[QUOTE]) * shares
    ref = f"rent-{RENT_TOKEN}-{month}"
    # Funded once a month: a later start computes its own amount, and the reference, taken,
    # says the month was funded (and, below, paid).
    funded = await _refused(gateway, Deposit(issuer, QUOTE, amount, f"{ref}-fund"))
    if funded is not None and funded not in SETTLED:
        logger.warning("the %s rent of %s could not be funded: %s", month, RENT_TOKEN, funded)
        return False
    paid = await _refused(gateway, Distribute(RENT_TOKEN, QUOTE, amount, ref))
    if paid is None:
        logger.info("%s rent of %s paid: %d %s", month, RENT_TOKEN, amount, QUOTE)
        return True
    if paid in SETTLED:
        return True
    if paid is not RejectReason.NO_HOLDERS:
        logger.warning("the %s rent of %s was refused: %s", month, RENT_TOKEN, paid)
    return False


async def pay_rent_monthly(gateway: Gateway) -> None:
    """The background task: this month's rent at start, then each month's in its first
    hour; a month whose rent cannot be paid yet (no holder) is tried again soon."""
    paid = ""
    while True:
        month = rent_month(gateway.clock_ms())
        if month != paid:
            try:
                if await pay_rent(gateway, month):
                    paid = month
            except Exception:
                logger.exception("the demo rent of %s", RENT_TOKEN)
        await asyncio.sleep(RENT_CHECK_S if paid == month else RENT_RETRY_S)
