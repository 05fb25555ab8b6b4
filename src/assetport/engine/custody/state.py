"""Custody's state: the deposits credited, the address books, the withdrawals, and the
rules and policy they follow. Every container is canonical in its snapshot section."""

from dataclasses import dataclass, field

import msgspec

from assetport.domain.custody import CustodyPolicy, WithdrawalRules, WithdrawalStatus

DepositKey = tuple[str, str, int]  # (network, tx_hash, log_index)
# What a credited deposit moved: (account, asset, amount, address).
CreditedDeposit = tuple[int, str, int, str]
AddressKey = tuple[str, str]  # (network, address)


@dataclass(slots=True)
class BookEntry:
    label: str
    usable_from: int


class Withdrawal(msgspec.Struct, array_like=True):
    """One withdrawal as the engine keeps it (and as its snapshot section holds it)."""

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
    approvals: list[str] = msgspec.field(default_factory=list)
    tx_hash: str = ""
    nonce: int = -1
    sender: str = ""

    @property
    def held(self) -> int:
        return self.amount + self.fee


@dataclass(slots=True)
class CustodyState:
    policy: CustodyPolicy = field(default_factory=CustodyPolicy)
    rules: dict[tuple[str, str], WithdrawalRules] = field(default_factory=dict)
    deposits: dict[DepositKey, CreditedDeposit] = field(default_factory=dict)
    books: dict[int, dict[AddressKey, BookEntry]] = field(default_factory=dict)
    risk_holds: dict[int, str] = field(default_factory=dict)  # account -> reason
    withdrawals: dict[str, Withdrawal] = field(default_factory=dict)
    # account -> its withdrawal ids in the order requested (for the daily limit)
    by_account: dict[int, list[str]] = field(default_factory=dict)
    # Whether anything was ever set: an untouched product leaves the snapshot as it was.
    touched: bool = False
