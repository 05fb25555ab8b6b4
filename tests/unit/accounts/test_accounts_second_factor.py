"""The wallet's second factor over the accounts (`accounts/second_factor.py`), on a real
SQLite file: required only with two-factor on, a current code good once, never a recovery
code."""

import asyncio
from pathlib import Path

from assetport.accounts.second_factor import TotpSecondFactor
from assetport.accounts.service import Accounts
from assetport.accounts.totp import code_at
from assetport.custody.rest_capital import SecondFactor
from assetport.edge.users import UserStore

NOW_MS = 1_700_000_015_000
NOW_S = NOW_MS // 1000


def test_a_current_code_is_needed_once_two_factor_is_on(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path, UserStore(tmp_path))
    try:
        done = asyncio.run(accounts.sign_up("wallet@example.com", "my very secret", NOW_MS))
        assert done.created is not None
        user = done.created.user_id
        second: SecondFactor = TotpSecondFactor(accounts.store)
        assert not second.required(user)
        assert not second.required(user + 1000)  # no such account: nothing to ask
        secret, _ = accounts.enrol_totp(accounts.account(user))
        recovery = accounts.confirm_totp(accounts.account(user), code_at(secret, NOW_S), NOW_MS)
        assert second.required(user)
        later_ms = NOW_MS + 60_000  # the confirming code's step is used up
        code = code_at(secret, later_ms // 1000)
        assert not second.verify(user, "000000" if code != "000000" else "111111", later_ms)
        assert not second.verify(user, recovery[0], later_ms)
        assert second.verify(user, code, later_ms)
        assert not second.verify(user, code, later_ms)  # a code seen once cannot withdraw again
    finally:
        accounts.close()
