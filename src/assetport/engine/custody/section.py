"""Custody's section of the snapshot: its whole state as canonical, sorted lists."""

import msgspec

from assetport.domain.custody import CustodyPolicy, WithdrawalRules, WithdrawalStatus
from assetport.engine.custody.state import BookEntry, CustodyState, Withdrawal

# (network, tx_hash, log_index, account, asset, amount, address)
DepositRow = tuple[str, str, int, int, str, int, str]
# (account, network, address, label, usable_from)
BookRow = tuple[int, str, str, str, int]


class WithdrawalRow(msgspec.Struct, array_like=True):
    withdrawal_id: str
    account: int
    asset: str
    network: str
    address: str
    amount: int
    fee: int
    client_ref: str
    requested_at: int
    status: WithdrawalStatus
    approvals: list[str]
    tx_hash: str
    nonce: int
    sender: str


class CustodySection(msgspec.Struct, array_like=True):
    policy: CustodyPolicy
    rules: list[WithdrawalRules]
    deposits: list[DepositRow]
    books: list[BookRow]
    risk_holds: list[tuple[int, str]]
    # In the order they were requested (each account's daily limit reads them in order).
    withdrawals: list[WithdrawalRow]


def section_of(state: CustodyState) -> CustodySection | None:
    if not state.touched:
        return None
    withdrawals = [
        WithdrawalRow(
            w.withdrawal_id,
            w.account,
            w.asset,
            w.network,
            w.address,
            w.amount,
            w.fee,
            w.client_ref,
            w.requested_at,
            w.status,
            list(w.approvals),
            w.tx_hash,
            w.nonce,
            w.sender,
        )
        for w in state.withdrawals.values()
    ]
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
        withdrawals,
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
    for row in section.withdrawals:
        state.withdrawals[row.withdrawal_id] = Withdrawal(
            row.withdrawal_id,
            row.account,
            row.asset,
            row.network,
            row.address,
            row.amount,
            row.fee,
            row.client_ref,
            row.requested_at,
            row.status,
            list(row.approvals),
            row.tx_hash,
            row.nonce,
            row.sender,
        )
        state.by_account.setdefault(row.account, []).append(row.withdrawal_id)
