"""Real-world-asset tokens as they stand now: each token's terms, its subscription terms,
its reserve (the latest attestation, less what left it since: bars delivered, credits
retired) and its supply, for the public asset endpoints (`api/rest_assets.py`); and
permissioned holding: each token's holder rules, what compliance verified of each account
and the holdings frozen, for what a holder is told of its eligibility.

Seeded from the engine's read API (`seed.RwaSeed`) and kept from the events: those of
issuance state the supply after them (an attestation, a mint, a burn, a subscription, a
completed redemption, a retirement); a deposit or withdrawal of a token moves it by its
amount, as it moves the external account whose balance is minus the supply. A freeze or a
release states what stays frozen after it.
"""

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from msgspec.structs import replace

from assetport.domain.assets import Asset, AssetKind
from assetport.domain.events import (
    AccountIdentitySet,
    AssetListed,
    CreditsRetired,
    DepositCredited,
    Deposited,
    HolderRulesSet,
    HoldingFrozen,
    HoldingUnfrozen,
    RedemptionCompleted,
    ReserveAttested,
    RwaBurned,
    RwaMinted,
    RwaTermsSet,
    Subscribed,
    SubscriptionTermsSet,
    WithdrawalCompleted,
    Withdrawn,
)
from assetport.domain.identities import UNVERIFIED, AccountIdentity
from assetport.domain.issuance.holders import HolderRules, is_eligible
from assetport.domain.issuance.terms import RwaTerms, SubscriptionTerms
from assetport.views.seed import ReserveState, RwaSeed


class HolderProblem(StrEnum):
    """Why an account may take no more of a permissioned token (the engine's NOT_ELIGIBLE
    and HOLDER_LIMIT, told apart), or may not trade it now (LOCKED_UP)."""

    KYC_LEVEL = "KYC_LEVEL"  # verified to a lower level than the rules ask
    COUNTRY = "COUNTRY"  # its country denied, not allowed, or unknown to a country rule
    MAX_HOLDERS = "MAX_HOLDERS"  # the token has all the holders it may, and it is none
    MAX_PER_HOLDER = "MAX_PER_HOLDER"  # it holds as much as one holder may
    LOCKED_UP = "LOCKED_UP"  # not bought, sold or withdrawn before the lock-up ends


# What stops the account taking more of the token; LOCKED_UP only stops trading it.
STOPS_HOLDING: frozenset[HolderProblem] = frozenset(HolderProblem) - {HolderProblem.LOCKED_UP}


def holder_problems(
    rules: HolderRules, identity: AccountIdentity, holding: int, holders: int, now_us: int
) -> list[HolderProblem]:
    """Every rule the account falls foul of, as the engine's holder gate asks them
    (`engine/holder_gate.py`): `holding` is its free + held units of the token, `holders`
    how many accounts hold it (only asked of a token with a holder limit and an account
    that holds none)."""
    problems = []
    if identity.kyc_level < rules.min_kyc_level:
        problems.append(HolderProblem.KYC_LEVEL)
    # The domain's own rule, its KYC part aside (told above), so the two never disagree.
    if not is_eligible(replace(rules, min_kyc_level=0), identity):
        problems.append(HolderProblem.COUNTRY)
    if rules.max_holders and holding == 0 and holders >= rules.max_holders:
        problems.append(HolderProblem.MAX_HOLDERS)
    if rules.max_per_holder and holding >= rules.max_per_holder:
        problems.append(HolderProblem.MAX_PER_HOLDER)
    if now_us < rules.lockup_until_us:
        problems.append(HolderProblem.LOCKED_UP)
    return problems


class Issuance:
    def __init__(self) -> None:
        self.terms: dict[str, RwaTerms] = {}
        self.subscriptions: dict[str, SubscriptionTerms] = {}
        self.reserves: dict[str, ReserveState] = {}
        # Every real-world-asset token listed, with its supply (0 until one is issued).
        self.supplies: dict[str, int] = {}
        # Permissioned holding: rules by token, identities by account, frozen units by
        # (account, asset) (none kept once all is released).
        self.holder_rules: dict[str, HolderRules] = {}
        self.identities: dict[int, AccountIdentity] = {}
        self.frozen: dict[tuple[int, str], int] = {}
        self._handlers: dict[type, Callable[[Any], None]] = {
            AssetListed: self._listed,
            RwaTermsSet: self._terms_set,
            SubscriptionTermsSet: self._subscription_set,
            ReserveAttested: self._attested,
            RwaMinted: self._supply_stated,
            RwaBurned: self._supply_stated,
            Subscribed: self._supply_stated,
            RedemptionCompleted: self._redeemed,
            CreditsRetired: self._retired,
            Deposited: self._came_in,
            DepositCredited: self._came_in,
            Withdrawn: self._went_out,
            WithdrawalCompleted: self._went_out,
            HolderRulesSet: self._rules_set,
            AccountIdentitySet: self._identity_set,
            HoldingFrozen: self._frozen,
            HoldingUnfrozen: self._frozen,
        }

    def seed(self, assets: Iterable[Asset], seed: RwaSeed) -> None:
        for asset in assets:
            if asset.kind is AssetKind.RWA_TOKEN:
                self.supplies.setdefault(asset.code, 0)
        self.terms.update((terms.asset, terms) for terms in seed.terms)
        self.subscriptions.update((terms.asset, terms) for terms in seed.subscriptions)
        self.reserves.update((reserve.asset, reserve) for reserve in seed.reserves)
        self.supplies.update(seed.supplies)
        self.holder_rules.update((rules.asset, rules) for rules in seed.holder_rules)
        self.identities.update(seed.identities)
        self.frozen.update(((account, asset), units) for account, asset, units in seed.frozen)

    def apply(self, events: Iterable[object]) -> None:
        """Take one command's events (only listings and issuance's matter here)."""
        handlers = self._handlers
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)

    # -- queries --------------------------------------------------------------------------

    def tokens(self) -> list[str]:
        """Every real-world-asset token listed, by code."""
        return sorted(self.supplies)

    def supply(self, asset: str) -> int:
        return self.supplies.get(asset, 0)

    def backing(self, asset: str) -> int:
        """What the reserve still backs: the attested units less those used since (0
        without an attestation)."""
        reserve = self.reserves.get(asset)
        return 0 if reserve is None else reserve.units - reserve.used

    def headroom(self, asset: str) -> int:
        """How much more may be issued: what the reserve backs beyond the supply (0 when an
        attestation found less than was issued)."""
        return max(0, self.backing(asset) - self.supply(asset))

    def identity(self, account: int) -> AccountIdentity:
        """What compliance verified of the account (level 0, no country: nothing yet)."""
        return self.identities.get(account, UNVERIFIED)

    def frozen_of(self, account: int, asset: str) -> int:
        return self.frozen.get((account, asset), 0)

    # -- events ---------------------------------------------------------------------------

    def _listed(self, event: AssetListed) -> None:
        if event.kind is AssetKind.RWA_TOKEN:
            self.supplies.setdefault(event.code, 0)

    def _terms_set(self, event: RwaTermsSet) -> None:
        self.terms[event.terms.asset] = event.terms

    def _subscription_set(self, event: SubscriptionTermsSet) -> None:
        self.subscriptions[event.terms.asset] = event.terms

    def _attested(self, event: ReserveAttested) -> None:
        statement = event.attestation.statement
        self.reserves[statement.asset] = ReserveState(
            statement.asset,
            statement.total_units,
            0,
            statement.attestor,
            statement.as_of_us,
            event.seq,
        )
        self.supplies[statement.asset] = event.supply

    def _supply_stated(self, event: RwaMinted | RwaBurned | Subscribed) -> None:
        self.supplies[event.asset] = event.supply

    def _redeemed(self, event: RedemptionCompleted) -> None:
        self.supplies[event.asset] = event.supply
        self._use(event.asset, sum(units for _, units in event.bars))

    def _retired(self, event: CreditsRetired) -> None:
        self.supplies[event.asset] = event.supply
        self._use(event.asset, sum(units for _, units in event.serials))

    def _use(self, asset: str, units: int) -> None:
        reserve = self.reserves.get(asset)
        if reserve is not None and units:
            self.reserves[asset] = replace(reserve, used=reserve.used + units)

    def _came_in(self, event: Deposited | DepositCredited) -> None:
        if event.asset in self.supplies:
            self.supplies[event.asset] += event.amount

    def _went_out(self, event: Withdrawn | WithdrawalCompleted) -> None:
        if event.asset in self.supplies:
            self.supplies[event.asset] -= event.amount

    def _rules_set(self, event: HolderRulesSet) -> None:
        self.holder_rules[event.rules.asset] = event.rules

    def _identity_set(self, event: AccountIdentitySet) -> None:
        self.identities[event.account] = event.identity

    def _frozen(self, event: HoldingFrozen | HoldingUnfrozen) -> None:
        key = (event.account, event.asset)
        if event.frozen:
            self.frozen[key] = event.frozen
        else:
            self.frozen.pop(key, None)
