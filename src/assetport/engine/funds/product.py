"""Deposits and withdrawals: the external account on one side, an account's free balance
on the other, each transfer idempotent by its reference.

A transfer's reference is remembered with what it moved, so the same transfer sent again
(a retry) changes nothing and says so (ALREADY_APPLIED), while a reference reused for
another transfer is refused (REFERENCE_REUSED).
"""

from collections.abc import Callable, Mapping
from typing import Any

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FIRST_TRADING_ACCOUNT
from assetport.domain.commands import Command, Deposit, Withdraw
from assetport.domain.events import Deposited, Withdrawn
from assetport.domain.holds import Hold
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.funds.section import FundsSection
from assetport.engine.holder_gate import HolderGate
from assetport.engine.ledger import Ledger, Posting


class FundsProduct:
    name = "funds"

    def __init__(self, ctx: Context, ledger: Ledger, assets: Assets, gate: HolderGate) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.assets = assets
        self.gate = gate
        self.posting = Posting()
        # reference -> (kind, account, asset, amount) of every transfer applied
        self.transfers: dict[str, tuple[str, int, str, int]] = {}

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        return {Deposit: self.deposit, Withdraw: self.withdraw}

    def _problem(self, kind: str, cmd: Deposit | Withdraw) -> RejectReason | None:
        if cmd.account < FIRST_TRADING_ACCOUNT:
            return RejectReason.INVALID_ACCOUNT
        if self.assets.get(cmd.asset) is None:
            return RejectReason.UNKNOWN_ASSET
        if cmd.amount <= 0 or not cmd.ref:
            return RejectReason.INVALID_AMOUNT
        seen = self.transfers.get(cmd.ref)
        if seen is not None:
            if seen == (kind, cmd.account, cmd.asset, cmd.amount):
                return RejectReason.ALREADY_APPLIED
            return RejectReason.REFERENCE_REUSED
        return None

    def deposit(self, cmd: Deposit) -> None:
        ctx = self.ctx
        reason = self._problem("deposit", cmd)
        if reason is not None:
            return ctx.reject(reason, account=cmd.account)
        ledger = self.ledger
        # The external account's balance is minus the asset's total supply. Bounding the
        # supply bounds every balance and hold of the asset, which are never negative.
        supply = -ledger.free(EXTERNAL_ACCOUNT, cmd.asset)
        if cmd.amount > MAX_AMOUNT - supply:
            return ctx.reject(RejectReason.AMOUNT_TOO_LARGE, account=cmd.account)
        # An operator's deposit of a real-world-asset token is issuance by another name:
        # held to the attested reserve like a mint.
        if not self.assets.may_enter(cmd.asset, cmd.amount, supply):
            return ctx.reject(RejectReason.EXCEEDS_RESERVE, account=cmd.account)
        reason = self.gate.delivery_problem(cmd.account, cmd.asset, cmd.amount)
        if reason is not None:
            return ctx.reject(reason, account=cmd.account)
        posting = self.posting
        posting.add(ledger.balance(EXTERNAL_ACCOUNT, cmd.asset), -cmd.amount, 0)
        posting.add(ledger.balance(cmd.account, cmd.asset), cmd.amount, 0)
        ledger.must_move(posting)
        self.transfers[cmd.ref] = ("deposit", cmd.account, cmd.asset, cmd.amount)
        ctx.events.append(Deposited(ctx.seq, ctx.time, cmd.account, cmd.asset, cmd.amount, cmd.ref))
        return None

    def withdraw(self, cmd: Withdraw) -> None:
        ctx = self.ctx
        reason = self._problem("withdraw", cmd)
        if reason is not None:
            return ctx.reject(reason, account=cmd.account)
        ledger = self.ledger
        # Look first: a refused withdrawal changes nothing, not even an empty record.
        if ledger.free(cmd.account, cmd.asset) < cmd.amount:
            return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
        posting = self.posting
        posting.add(ledger.balance(cmd.account, cmd.asset), -cmd.amount, 0)
        posting.add(ledger.balance(EXTERNAL_ACCOUNT, cmd.asset), cmd.amount, 0)
        ledger.must_move(posting)
        self.transfers[cmd.ref] = ("withdraw", cmd.account, cmd.asset, cmd.amount)
        ctx.events.append(Withdrawn(ctx.seq, ctx.time, cmd.account, cmd.asset, cmd.amount, cmd.ref))
        return None

    # ------------------------------------------------------------ the snapshot

    def section(self) -> Any:
        return FundsSection([(ref, *self.transfers[ref]) for ref in sorted(self.transfers)])

    def section_type(self) -> type:
        return FundsSection

    def restore(self, section: Any) -> None:
        if section is not None:
            for ref, kind, account, asset, amount in section.transfers:
                self.transfers[ref] = (kind, account, asset, amount)

    def holds(self) -> list[Hold]:
        """None yet: a withdrawal leaves at once (a pending one will hold, WITHDRAWAL)."""
        return []
