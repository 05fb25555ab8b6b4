"""Account numbers with a fixed meaning in the ledger: the one place that names them.

    0           the external world: the other side of every deposit and withdrawal (its
                free balance is minus what the platform holds for everyone else)
    1           the fee collector
    2 - 99      platform roles that trade like anyone (the sandbox's demo market maker 10
                and taker 11)
    100 - 499   issuer treasuries: one per issuer of asset-backed tokens (later issues)
    500 - 999   custody wallets: the platform's wallets on a chain (later issues)
    1000 -      users, handed out by the gateway in order (`edge/users.py`)

Accounts 0 and 1 belong to the ledger itself: they never trade, deposit or withdraw. Every
account from 2 on may hold funds and trade; the ranges above it say who it belongs to.
"""

from typing import Final

EXTERNAL_ACCOUNT: Final = 0
FEE_ACCOUNT: Final = 1
# The first account that may hold funds and trade: every one from here on.
FIRST_TRADING_ACCOUNT: Final = 2
PLATFORM_ROLES: Final = range(2, 100)
DEMO_MARKET_MAKER: Final = 10
DEMO_TAKER: Final = 11
ISSUER_TREASURIES: Final = range(100, 500)
CUSTODY_WALLETS: Final = range(500, 1000)
FIRST_USER_ACCOUNT: Final = 1000
