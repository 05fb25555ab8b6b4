"""Custody's section of the snapshot: its whole state as canonical, sorted lists."""

import msgspec

from assetport.domain.custody import CustodyPolicy, WithdrawalRules
from assetport.engine.custody.state import BookEntry, CustodyState, Withdrawal

# (network, tx_hash, log_index, account, asset, amount, address)
DepositRow = tuple[str, str, int, int, str, int, str]
# (account, network, address, label, usable_from)
BookRow = tuple[int, str, str, str, int]


class CustodySection(msgspec.Struct, array_like=True):
    policy: CustodyPolicy
    rules: list[WithdrawalRules]
    deposits: list[DepositRow]
    books: list[BookRow]
    risk_holds: list[tuple[int, str]]
    # In the order they were requested (each account's daily limit reads them in order).
    withdrawals: list[Withdrawal]


def section_of(state: CustodyState) -> CustodySection | None:
    if not state.touched:
        return None
    return CustodySection(
        state.policy,
        [state.rules[key] for key in sorted(state.rules)],
        sorted((*key, *credited) for key, credited in state.deposits.items()),
        sorted(
            (account, network, address, entry.label, entry.usable_from)
            for account, book in state.books.items()
            for (network, address), entry in book.items()
        ),
        sorted(state.risk_holds.items()),
        list(state.withdrawals.values()),
    )


def restore_into(state: CustodyState, section: CustodySection) -> None:
    state.touched = True
    state.policy = section.policy
    state.rules = {(rules.asset, rules.network): rules for rules in section.rules}
    for network, tx_hash, log_index, account, asset, amount, address in section.deposits:
        state.deposits[(network, tx_hash, log_index)] = (account, asset, amount, address)
    for account, network, address, label, usable_from in section.books:
        state.books.setdefault(account, {})[(network, address)] = BookEntry(label, usable_from)
    state.risk_holds = dict(section.risk_holds)
    for withdrawal in section.withdrawals:
        state.withdrawals[withdrawal.withdrawal_id] = withdrawal
        state.by_account.setdefault(withdrawal.account, []).append(withdrawal.withdrawal_id)
