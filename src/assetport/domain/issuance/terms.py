"""What one real-world-asset token is: its issuer, the thing one token stands for, who keeps
the thing and where, the documents that bind it (by content hash), and how a holder redeems.

An asset's terms are set by its issuer and journaled with it; the engine refuses a mint, a
subscription or a redemption that breaks them. Amounts are in the token's smallest units.
"""

import re
from enum import StrEnum
from typing import Final

import msgspec

from assetport.domain.accounts import ISSUER_TREASURIES

MAX_TEXT: Final = 200  # a unit, a custodian, a vault, a document's name
MAX_DOCUMENTS: Final = 32
MAX_FEE_BPS: Final = 10_000
SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")


class RwaKind(StrEnum):
    """What backs the token; it decides what an attested reserve lot says."""

    METAL = "metal"  # bars of gold, silver, copper: serial, refiner, gross weight, fineness
    ENERGY = "energy"  # barrels of oil in a warehouse: warehouse receipts
    REAL_ESTATE = "real_estate"  # shares of a property
    IP_RIGHTS = "ip_rights"  # shares of the rights to a film's or a game's income
    CARBON = "carbon"  # tonnes of CO2e of a registry project and vintage: serial ranges


class Document(msgspec.Struct, frozen=True):
    """A document the token's terms rest on (terms, prospectus, audit letter), named and
    fixed by the SHA-256 of its bytes: the text itself is kept outside the journal."""

    name: str
    sha256: str


class RedemptionTerms(msgspec.Struct, frozen=True):
    """How a holder turns tokens back into the thing or its price.

    `minimum`: the fewest token units one request redeems. `fee_bps`: the issuer's fee, in
    basis points of the amount redeemed, paid in the token. `physical_lot`: the token units
    of one whole deliverable lot (a bar); 0 when the thing is never delivered. A physical
    redemption takes whole lots only, the rest of a request is paid in cash (as Tether Gold
    does). `cash`: whether the issuer pays cash at its stated price.
    """

    minimum: int
    fee_bps: int = 0
    physical_lot: int = 0
    cash: bool = True


class RwaTerms(msgspec.Struct, frozen=True):
    asset: str
    issuer: int  # the issuer's treasury account
    kind: RwaKind
    unit: str  # what one whole token is: "1 g of 999.9 fine gold", "1 t CO2e, VCS 1234 2023"
    custodian: str
    vault: str
    redemption: RedemptionTerms
    documents: tuple[Document, ...] = ()


class SubscriptionTerms(msgspec.Struct, frozen=True):
    """How new tokens are sold by the issuer (a primary subscription): the subscriber pays
    `price` units of `quote` per whole token, rounded up to a whole quote unit, plus the
    issuer's `fee_bps` of that, rounded up; both go to the issuer's treasury and the tokens
    are minted to the subscriber, within the attested reserve. `minimum` is the fewest
    token units one subscription buys; a closed subscription sells nothing."""

    asset: str
    quote: str
    price: int  # quote units per whole token
    fee_bps: int
    minimum: int
    open: bool


class TransferKind(StrEnum):
    """Why tokens move outside trading, on the issuer's word."""

    ALLOCATION = "allocation"  # from the issuer's treasury to a holder (a placement)
    FORCED = "forced"  # a court order or regulator's: with its reason and reference
    RECOVERY = "recovery"  # a lost account's whole holding to the same person's new one


def subscription_problem(terms: SubscriptionTerms) -> str | None:
    if terms.price <= 0:
        return "the price must be positive"
    if not 0 <= terms.fee_bps <= MAX_FEE_BPS:
        return f"the subscription fee is 0 to {MAX_FEE_BPS} basis points"
    if terms.minimum <= 0:
        return "the subscription minimum must be positive"
    return None


def subscription_cost(amount: int, terms: SubscriptionTerms, precision: int) -> tuple[int, int]:
    """(cost, fee) in quote units of subscribing `amount` token units: each rounded up, so
    that splitting a subscription never makes it cheaper."""
    whole: int = 10**precision
    cost = -(-amount * terms.price // whole)
    return cost, -(-cost * terms.fee_bps // MAX_FEE_BPS)


def cash_value(units: int, price: int, precision: int) -> int:
    """What the issuer pays for `units` of its token at `price` quote units per whole token,
    rounded down: a redemption is never paid more than it is worth."""
    whole: int = 10**precision
    return units * price // whole


def text_ok(text: str, required: bool = False) -> bool:
    """A free text of a command (a reason, a beneficiary, an agent's name): printable, at
    most `MAX_TEXT` characters, and given when `required`."""
    return (bool(text) or not required) and len(text) <= MAX_TEXT and text.isprintable()


def terms_problem(terms: RwaTerms) -> str | None:
    """Why a token's terms cannot be accepted, or None."""
    if terms.issuer not in ISSUER_TREASURIES:
        return "the issuer must be an issuer treasury account"
    for name, text in (("unit", terms.unit), ("custodian", terms.custodian),
                       ("vault", terms.vault)):  # fmt: skip
        if not text or len(text) > MAX_TEXT or not text.isprintable():
            return f"{name}: 1 to {MAX_TEXT} printable characters"
    if len(terms.documents) > MAX_DOCUMENTS:
        return f"at most {MAX_DOCUMENTS} documents"
    names = [document.name for document in terms.documents]
    if len(set(names)) != len(names):
        return "two documents have one name"
    for document in terms.documents:
        if not document.name or len(document.name) > MAX_TEXT or not document.name.isprintable():
            return f"a document's name: 1 to {MAX_TEXT} printable characters"
        if not SHA256_HEX.fullmatch(document.sha256):
            return f"{document.name}: the SHA-256 is 64 lower-case hex digits"
    return redemption_problem(terms.redemption)


def redemption_problem(terms: RedemptionTerms) -> str | None:
    if terms.minimum <= 0:
        return "the redemption minimum must be positive"
    if not 0 <= terms.fee_bps <= MAX_FEE_BPS:
        return f"the redemption fee is 0 to {MAX_FEE_BPS} basis points"
    if terms.physical_lot < 0:
        return "a physical lot cannot be negative"
    if terms.physical_lot == 0 and not terms.cash:
        return "a token must be redeemable for the thing or for cash"
    return None


def redemption_fee(amount: int, terms: RedemptionTerms) -> int:
    """The issuer's fee on redeeming `amount` units: rounded up, so that a fee is never
    shaved to zero by splitting a redemption into small ones."""
    return -(-amount * terms.fee_bps // MAX_FEE_BPS)


def split_physical(amount: int, terms: RedemptionTerms) -> tuple[int, int]:
    """(whole lots delivered, units paid in cash) for a physical redemption of `amount`."""
    if terms.physical_lot == 0:
        return 0, amount
    lots, rest = divmod(amount, terms.physical_lot)
    return lots, rest
