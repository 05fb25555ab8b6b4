"""The eligibility product: compliance sets what it verified of each account (KYC level,
country), issuers set who may hold their tokens (domain/issuance/holders.py) and their
agents freeze and release holdings. The rules and identities live in the shared
`HolderGate`, which every product asks before delivering a permissioned token; a frozen
holding is held in the ledger, so nothing can sell, send or redeem it."""

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from assetport.domain.accounts import FIRST_TRADING_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    Command,
    FreezeHolding,
    SetAccountIdentity,
    SetHolderRules,
    UnfreezeHolding,
)
from assetport.domain.events import (
    AccountIdentitySet,
    HolderRulesSet,
    HoldingFrozen,
    HoldingUnfrozen,
)
from assetport.domain.holds import Hold, HoldPurpose
from assetport.domain.identities import AccountIdentity, identity_problem
from assetport.domain.issuance.holders import HolderRules, rules_problem
from assetport.domain.issuance.terms import text_ok
from assetport.domain.results import RejectReason
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.holder_gate import HolderGate
from assetport.engine.ledger import Ledger


class EligibilitySection(msgspec.Struct, array_like=True):
    identities: list[tuple[int, AccountIdentity]]
    rules: list[HolderRules]
    frozen: list[tuple[int, str, int]]  # (account, asset, units)


class EligibilityProduct:
    name = "eligibility"

    def __init__(self, ctx: Context, ledger: Ledger, assets: Assets, gate: HolderGate) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.assets = assets
        self.gate = gate
        # (account, asset) -> units frozen
        self.frozen: dict[tuple[int, str], int] = {}

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        return {
            SetAccountIdentity: self.set_identity,
            SetHolderRules: self.set_rules,
            FreezeHolding: self.freeze,
            UnfreezeHolding: self.unfreeze,
        }

    def set_identity(self, cmd: SetAccountIdentity) -> None:
        ctx = self.ctx
        if cmd.account < FIRST_TRADING_ACCOUNT or identity_problem(cmd.identity) is not None:
            return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.account)
        self.gate.identities[cmd.account] = cmd.identity
        ctx.events.append(AccountIdentitySet(ctx.seq, ctx.time, cmd.account, cmd.identity))
        return None

    def _issuer_problem(self, issuer: int, asset: str) -> bool:
        listed = self.assets.get(asset)
        return listed is None or listed.kind is not AssetKind.RWA_TOKEN or listed.issuer != issuer

    def set_rules(self, cmd: SetHolderRules) -> None:
        ctx = self.ctx
        if self._issuer_problem(cmd.issuer, cmd.rules.asset):
            return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN, account=cmd.issuer)
        if rules_problem(cmd.rules) is not None:
            return ctx.reject(RejectReason.INVALID_RWA_TERMS, account=cmd.issuer)
        self.gate.rules[cmd.rules.asset] = cmd.rules
        ctx.events.append(HolderRulesSet(ctx.seq, ctx.time, cmd.issuer, cmd.rules))
        return None

    def _freeze_problem(self, cmd: FreezeHolding | UnfreezeHolding) -> RejectReason | None:
        if self._issuer_problem(cmd.issuer, cmd.asset):
            return RejectReason.NOT_AN_RWA_TOKEN
        if cmd.account < FIRST_TRADING_ACCOUNT or cmd.amount < 0:
            return RejectReason.INVALID_AMOUNT
        if not text_ok(cmd.reason, required=True) or not text_ok(cmd.agent):
            return RejectReason.INVALID_CUSTODY_INPUT
        return None

    def freeze(self, cmd: FreezeHolding) -> None:
        ctx = self.ctx
        reason = self._freeze_problem(cmd)
        if reason is not None:
            return ctx.reject(reason, account=cmd.issuer)
        free = self.ledger.free(cmd.account, cmd.asset)
        amount = cmd.amount or free
        if amount == 0 or free < amount:
            return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.issuer)
        if not self.ledger.hold(self.ledger.balance(cmd.account, cmd.asset), amount):
            raise AssertionError("a freeze was checked against the free balance")
        key = (cmd.account, cmd.asset)
        frozen = self.frozen.get(key, 0) + amount
        self.frozen[key] = frozen
        ctx.events.append(
            HoldingFrozen(ctx.seq, ctx.time, cmd.account, cmd.asset, cmd.issuer, amount,
                          frozen, cmd.reason, cmd.agent)
        )  # fmt: skip
        return None

    def unfreeze(self, cmd: UnfreezeHolding) -> None:
        ctx = self.ctx
        reason = self._freeze_problem(cmd)
        if reason is not None:
            return ctx.reject(reason, account=cmd.issuer)
        key = (cmd.account, cmd.asset)
        frozen = self.frozen.get(key, 0)
        amount = cmd.amount or frozen
        if amount == 0 or amount > frozen:
            return ctx.reject(RejectReason.NOT_FROZEN, account=cmd.issuer)
        self.ledger.release(self.ledger.balance(cmd.account, cmd.asset), amount)
        if frozen == amount:
            del self.frozen[key]
        else:
            self.frozen[key] = frozen - amount
        ctx.events.append(
            HoldingUnfrozen(ctx.seq, ctx.time, cmd.account, cmd.asset, cmd.issuer, amount,
                            frozen - amount, cmd.reason, cmd.agent)
        )  # fmt: skip
        return None

    # ------------------------------------------------------------ the read API

    def frozen_of(self, account: int, asset: str) -> int:
        return self.frozen.get((account, asset), 0)

    # ------------------------------------------------------------ the snapshot

    def section(self) -> EligibilitySection | None:
        gate = self.gate
        if not (gate.identities or gate.rules or self.frozen):
            return None
        return EligibilitySection(
            sorted(gate.identities.items()),
            [gate.rules[asset] for asset in sorted(gate.rules)],
            sorted((account, asset, units) for (account, asset), units in self.frozen.items()),
        )

    def section_type(self) -> type:
        return EligibilitySection

    def restore(self, section: Any) -> None:
        if section is None:
            return
        self.gate.identities = dict(section.identities)
        self.gate.rules = {rules.asset: rules for rules in section.rules}
        self.frozen = {(account, asset): units for account, asset, units in section.frozen}

    def holds(self) -> list[Hold]:
        return [
            Hold(account, asset, HoldPurpose.FROZEN, units)
            for (account, asset), units in self.frozen.items()
        ]
