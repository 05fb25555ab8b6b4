"""Custody's vocabulary: a withdrawal's lifecycle, the rules per asset and network, and the
policy that governs every withdrawal address.

A withdrawal is a lifecycle with a transition table, as an order has. It is requested
(its amount and fee held), waits for operators' approval when it is large or its account
is under a risk hold, is approved, is signed (the transaction's hash and nonce recorded
before it is broadcast, so a crash can neither lose it nor send it twice) and completes
when the chain confirms it; or it is cancelled by its owner, rejected by an operator or
fails on chain, and its funds are released. The engine applies the table
(`engine/custody/`); the custody services drive it from the chain (`custody/`).
"""

from enum import IntEnum, StrEnum
from typing import Final

import msgspec

# A new withdrawal address may be used only after a cooldown: a thief who took over an
# account cannot add an address and empty it at once.
DEFAULT_ADDRESS_COOLDOWN_MS: Final = 24 * 60 * 60 * 1000
DEFAULT_APPROVALS_REQUIRED: Final = 2
# Event and command times are in microseconds (the sequencer's clock).
DAILY_WINDOW_US: Final = 24 * 60 * 60 * 1_000_000
# The most withdrawal addresses one account keeps, so no account can grow the state
# without bound.
MAX_ADDRESSES_PER_ACCOUNT: Final = 200
# Bounds of the text fields the engine keeps: what a client sends is checked before it.
MAX_ADDRESS_CHARS: Final = 128
MAX_LABEL_CHARS: Final = 64
MAX_ID_CHARS: Final = 64
MAX_NETWORK_CHARS: Final = 32
# The log index of a native-coin transfer, which has no log: a deposit's key is (network,
# transaction hash, log index).
NATIVE_TRANSFER: Final = -1


class WithdrawalStatus(StrEnum):
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    APPROVED = "APPROVED"  # checks passed and approved: waiting to be signed
    PROCESSING = "PROCESSING"  # signed and broadcast: waiting for the chain
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"  # by its owner, before it was signed
    REJECTED = "REJECTED"  # by an operator, before it was signed
    FAILED = "FAILED"  # the chain refused it (reverted), or it could not be signed


class BinanceWithdrawStatus(IntEnum):
    """The `status` of `GET /sapi/v1/capital/withdraw/history`."""

    EMAIL_SENT = 0
    CANCELLED = 1
    AWAITING_APPROVAL = 2
    REJECTED = 3
    PROCESSING = 4
    FAILURE = 5
    COMPLETED = 6


BINANCE_STATUS: Final = {
    WithdrawalStatus.AWAITING_APPROVAL: BinanceWithdrawStatus.AWAITING_APPROVAL,
    WithdrawalStatus.APPROVED: BinanceWithdrawStatus.PROCESSING,
    WithdrawalStatus.PROCESSING: BinanceWithdrawStatus.PROCESSING,
    WithdrawalStatus.COMPLETED: BinanceWithdrawStatus.COMPLETED,
    WithdrawalStatus.CANCELLED: BinanceWithdrawStatus.CANCELLED,
    WithdrawalStatus.REJECTED: BinanceWithdrawStatus.REJECTED,
    WithdrawalStatus.FAILED: BinanceWithdrawStatus.FAILURE,
}

# status -> the statuses it may move to; a status missing here is final.
TRANSITIONS: Final[dict[WithdrawalStatus, frozenset[WithdrawalStatus]]] = {
    WithdrawalStatus.AWAITING_APPROVAL: frozenset(
        {WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED, WithdrawalStatus.CANCELLED}
    ),
    WithdrawalStatus.APPROVED: frozenset(
        {
            WithdrawalStatus.PROCESSING,
            WithdrawalStatus.REJECTED,
            WithdrawalStatus.CANCELLED,
            WithdrawalStatus.FAILED,
        }
    ),
    # Once signed it may have left: only the chain says how it ends.
    WithdrawalStatus.PROCESSING: frozenset({WithdrawalStatus.COMPLETED, WithdrawalStatus.FAILED}),
}


def can_move(current: WithdrawalStatus, to: WithdrawalStatus) -> bool:
    return to in TRANSITIONS.get(current, frozenset())


def is_final(status: WithdrawalStatus) -> bool:
    return status not in TRANSITIONS


class WithdrawalRules(msgspec.Struct, frozen=True, array_like=True):
    """How `asset` is withdrawn on `network`, all amounts in the asset's ledger units.

    `daily_limit` is the most one account may withdraw in any 24 hours (0: none at all);
    a withdrawal of more than `approval_threshold` waits for operators' approval."""

    asset: str
    network: str
    fee: int
    minimum: int
    daily_limit: int
    approval_threshold: int
    enabled: bool = True


class CustodyPolicy(msgspec.Struct, frozen=True, array_like=True):
    """What governs every withdrawal: how long a new address waits before it may be used,
    and how many distinct operators approve a withdrawal that needs approval."""

    address_cooldown_ms: int = DEFAULT_ADDRESS_COOLDOWN_MS
    approvals_required: int = DEFAULT_APPROVALS_REQUIRED
