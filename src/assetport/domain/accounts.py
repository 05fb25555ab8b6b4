"""Account numbers with a fixed meaning in the ledger: the one place that names them.

    0           the external world: the other side of every deposit and withdrawal (its
                free balance is minus what the platform holds for everyone else)
    1           the fee collector
    2 - 99      platform roles that trade like anyone (the sandbox's demo market maker 10
                and taker 11; the NFT demo's label, artist management, game studio and
                collectors 20 - 26)
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
DEMO_NFT_LABEL: Final = 20  # the NFT demo (server/demo_nft.py): a label's photo cards,
DEMO_NFT_ARTIST_MANAGEMENT: Final = 21  # its artists' management (a royalty share),
DEMO_NFT_STUDIO: Final = 22  # a game studio's items,
DEMO_NFT_COLLECTORS: Final = range(23, 27)  # and collectors who buy, resell, offer and bid
ISSUER_TREASURIES: Final = range(100, 500)
CUSTODY_WALLETS: Final = range(500, 1000)
FIRST_USER_ACCOUNT: Final = 1000
