"""Account numbers with a fixed meaning in the ledger.

User accounts are positive integers handed out by the gateway. Two accounts belong to the
platform itself: the external account is the other side of every deposit and withdrawal (its
balance is minus what the platform holds for users), and the fee account collects fees.
"""

from typing import Final

EXTERNAL_ACCOUNT: Final = 0
FEE_ACCOUNT: Final = 1
FIRST_USER_ACCOUNT: Final = 2


def is_user_account(account: int) -> bool:
    return account >= FIRST_USER_ACCOUNT
