"""Permissioned holding (as ERC-3643 tokens do it): who may hold a token, how many may, how
much each may, and from when it may change hands. The engine refuses, before any money
moves, an order, a trade, a subscription, a transfer or a deposit that would deliver the
token to an account the rules exclude, and any sale, transfer or withdrawal during the
lock-up; issuer agents can freeze a holding (all or part) and release it."""

from typing import Final

import msgspec

from assetport.domain.identities import MAX_KYC_LEVEL, AccountIdentity, is_country

MAX_COUNTRIES: Final = 250


class HolderRules(msgspec.Struct, frozen=True):
    """`countries_allowed` empty: any country not denied. `max_holders`, `max_per_holder`
    (token units, free and held together) 0: no limit. Before `lockup_until_us` the token
    is subscribed and allocated, never sold, transferred or withdrawn. `withdrawable`: may
    leave for a chain address at all (an address is nobody the rules can check)."""

    asset: str
    min_kyc_level: int = 0
    countries_allowed: tuple[str, ...] = ()
    countries_denied: tuple[str, ...] = ()
    max_holders: int = 0
    max_per_holder: int = 0
    lockup_until_us: int = 0
    withdrawable: bool = True


def rules_problem(rules: HolderRules) -> str | None:
    if not 0 <= rules.min_kyc_level <= MAX_KYC_LEVEL:
        return f"the KYC level is 0 to {MAX_KYC_LEVEL}"
    for countries in (rules.countries_allowed, rules.countries_denied):
        if len(countries) > MAX_COUNTRIES or not all(is_country(c) for c in countries):
            return "countries are ISO 3166-1 alpha-2 codes: two capital letters"
    if rules.max_holders < 0 or rules.max_per_holder < 0 or rules.lockup_until_us < 0:
        return "limits and times cannot be negative"
    return None


def is_eligible(rules: HolderRules, identity: AccountIdentity) -> bool:
    """Whether the person behind an account may hold the token at all."""
    if identity.kyc_level < rules.min_kyc_level:
        return False
    if not (rules.countries_allowed or rules.countries_denied):
        return True
    # A country rule needs a country: nobody unknown passes a list.
    if not identity.country:
        return False
    if rules.countries_allowed and identity.country not in rules.countries_allowed:
        return False
    return identity.country not in rules.countries_denied
