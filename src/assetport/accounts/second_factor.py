"""The account's two-factor code, as the wallet's withdrawals ask for it from a web session
(`custody/rest_capital.py`, its `SecondFactor`): required when the account turned TOTP on,
good once (a code seen over a shoulder cannot withdraw again).

Only a current TOTP code counts here, never a recovery code: those exist to get back into
an account, and one that reached someone else must not also move its money out.
"""

from assetport.accounts import totp
from assetport.accounts.store import AccountStore


class TotpSecondFactor:
    """`SecondFactor` over the accounts' store."""

    def __init__(self, store: AccountStore) -> None:
        self._store = store

    def required(self, account: int) -> bool:
        found = self._store.by_user(account)
        return found is not None and found.totp_enabled

    def verify(self, account: int, code: str, now_ms: int) -> bool:
        found = self._store.by_user(account)
        if found is None or not found.totp_enabled or found.totp_secret is None:
            return False
        step = totp.matching_step(
            found.totp_secret, code, now_ms // 1000, after_step=found.totp_last_step
        )
        return step is not None and self._store.use_totp_step(account, step)

    def __repr__(self) -> str:
        return "TotpSecondFactor()"
