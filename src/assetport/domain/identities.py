"""What the engine knows of a person behind an account, for the rules that depend on it:
the KYC level their identity was verified to and the country they reside in. Set by
compliance (an operator's journaled command); an account never verified is level 0 with no
country, and is held to every rule that asks for more."""

from typing import Final

import msgspec

MAX_KYC_LEVEL: Final = 3
MAX_PERSON_CHARS: Final = 64  # 1: e-mail and phone; 2: identity document; 3: enhanced due diligence


class AccountIdentity(msgspec.Struct, frozen=True, array_like=True):
    kyc_level: int = 0
    country: str = ""  # ISO 3166-1 alpha-2, upper case: "KR"
    # Who the verified person is, as compliance names them (an opaque id, e.g. a hash of the
    # identity document's number): accounts with the same person have the same owner, whose
    # trades with themselves count in no volume (the NFT market's wash-trading guard).
    person: str = ""


UNVERIFIED: Final = AccountIdentity()


def identity_problem(identity: AccountIdentity) -> str | None:
    if not 0 <= identity.kyc_level <= MAX_KYC_LEVEL:
        return f"the KYC level is 0 to {MAX_KYC_LEVEL}"
    if identity.country and not is_country(identity.country):
        return "the country is an ISO 3166-1 alpha-2 code: two capital letters"
    if len(identity.person) > MAX_PERSON_CHARS or not identity.person.isprintable():
        return f"the person's id is at most {MAX_PERSON_CHARS} printable characters"
    return None


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()
