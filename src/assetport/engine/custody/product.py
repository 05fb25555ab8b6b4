"""The custody product: deposits credited from a chain, withdrawals as a lifecycle over
held funds, address books and their cooldown, the rules per asset and network."""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from assetport.domain.commands import (
    AddWithdrawalAddress,
    ApproveWithdrawal,
    CancelWithdrawal,
    Command,
    CompleteWithdrawal,
    CreditDeposit,
    FailWithdrawal,
    RecordWithdrawalSigned,
    RejectWithdrawal,
    RemoveWithdrawalAddress,
    RequestWithdrawal,
    SetCustodyPolicy,
    SetWithdrawalRiskHold,
    SetWithdrawalRules,
)
from assetport.domain.custody import CustodyPolicy, WithdrawalRules, is_final
from assetport.domain.holds import Hold, HoldPurpose
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.custody import address_book, withdrawals
from assetport.engine.custody.deposits import credit_deposit
from assetport.engine.custody.section import CustodySection, restore_into, section_of
from assetport.engine.custody.state import CustodyState, Withdrawal
from assetport.engine.holder_gate import HolderGate
from assetport.engine.ledger import Ledger


class CustodyProduct:
    name = "custody"

    def __init__(self, ctx: Context, ledger: Ledger, assets: Assets, gate: HolderGate) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.assets = assets
        self.gate = gate
        self.state = CustodyState()

    def handlers(self) -> Mapping[type[Command], Callable[[Any], None]]:
        s, ctx, ledger, assets = self.state, self.ctx, self.ledger, self.assets
        return {
            CreditDeposit: partial(credit_deposit, s, ctx, ledger, assets),
            SetWithdrawalRules: partial(withdrawals.set_rules, s, ctx, assets),
            SetCustodyPolicy: partial(withdrawals.set_policy, s, ctx),
            AddWithdrawalAddress: partial(address_book.add_address, s, ctx),
            RemoveWithdrawalAddress: partial(address_book.remove_address, s, ctx),
            SetWithdrawalRiskHold: partial(address_book.set_risk_hold, s, ctx),
            RequestWithdrawal: partial(withdrawals.request, s, ctx, ledger, assets, self.gate),
            ApproveWithdrawal: partial(withdrawals.approve, s, ctx),
            RejectWithdrawal: partial(withdrawals.reject, s, ctx, ledger),
            CancelWithdrawal: partial(withdrawals.cancel, s, ctx, ledger),
            RecordWithdrawalSigned: partial(withdrawals.record_signed, s, ctx),
            CompleteWithdrawal: partial(withdrawals.complete, s, ctx, ledger),
            FailWithdrawal: partial(withdrawals.fail, s, ctx, ledger),
        }

    # ------------------------------------------------------------ the read API

    def withdrawal_rules(self) -> list[WithdrawalRules]:
        return [self.state.rules[key] for key in sorted(self.state.rules)]

    def policy(self) -> CustodyPolicy:
        return self.state.policy

    def open_withdrawals(self) -> list[Withdrawal]:
        """Every withdrawal not yet final, in the order requested."""
        return [w for w in self.state.withdrawals.values() if not is_final(w.status)]

    def withdrawn_in_a_day(self, account: int, asset: str, now: int) -> int:
        return withdrawals.withdrawn_in_a_day(self.state, account, asset, now)

    # ------------------------------------------------------------ the snapshot

    def section(self) -> CustodySection | None:
        return section_of(self.state)

    def section_type(self) -> type:
        return CustodySection

    def restore(self, section: Any) -> None:
        if section is not None:
            restore_into(self.state, section)

    def holds(self) -> list[Hold]:
        return [
            Hold(w.account, w.asset, HoldPurpose.WITHDRAWAL, w.held)
            for w in self.state.withdrawals.values()
            if not is_final(w.status)
        ]
