"""Account numbers with a fixed meaning in the ledger.

User accounts are positive integers handed out by the gateway. Two accounts belong to the
platform itself: the external account is the other side of every deposit and withdrawal (its
balance is minus what the platform holds for users), and the fee account collects fees.
"""

EXTERNAL_ACCOUNT = 0
FEE_ACCOUNT = 1
FIRST_USER_ACCOUNT = 2


def is_user_account(account: int) -> bool:
    return account >= FIRST_USER_ACCOUNT
