"""What the accounts keep on disk, and the two-factor life cycle, on a real SQLite file."""

import asyncio
import sqlite3
from pathlib import Path

import pytest

from assetport.accounts.service import Accounts
from assetport.accounts.store import ACCOUNTS_DB_FILE, Account
from assetport.accounts.tokens import Purpose
from assetport.accounts.totp import code_at
from assetport.api.errors import ApiError
from assetport.edge.sessions import SessionCredentials
from assetport.edge.users import UserStore

NOW_MS = 1_700_000_015_000
NOW_S = NOW_MS // 1000


def open_accounts(data_dir: Path) -> Accounts:
    return Accounts(data_dir, UserStore(data_dir))


def sign_up(accounts: Accounts, email: str) -> Account:
    done = asyncio.run(accounts.sign_up(email, "my very secret", NOW_MS))
    assert done.created is not None
    return done.created


def test_no_password_secret_or_session_id_is_stored_in_clear(tmp_path: Path) -> None:
    accounts = open_accounts(tmp_path)
    account = sign_up(accounts, "Zoe@Example.com")
    secret, _ = accounts.enrol_totp(account)
    session = accounts.start_session(account, NOW_MS)
    link = accounts.tokens.issue(Purpose.RESET, account.user_id, account.email, NOW_MS)
    accounts.close()
    assert (tmp_path / ACCOUNTS_DB_FILE).stat().st_mode & 0o077 == 0
    db = sqlite3.connect(tmp_path / ACCOUNTS_DB_FILE)
    dump = "\n".join(db.iterdump())
    db.close()
    assert "zoe@example.com" in dump
    for clear in ("my very secret", secret, session.session_id, link):
        assert clear not in dump
    # ...and all of it is read back after a restart.
    again = open_accounts(tmp_path)
    cookie = SessionCredentials(f"ap_session={session.session_id}", None)
    assert again.sessions.account_of(cookie, state_changing=False, now_ms=NOW_MS) == (
        account.user_id
    )
    assert again.account(account.user_id).totp_secret == secret


def test_sessions_expire(tmp_path: Path) -> None:
    accounts = open_accounts(tmp_path)
    account = sign_up(accounts, "exp@example.com")
    session = accounts.start_session(account, NOW_MS)
    cookie = SessionCredentials(f"other=1; ap_session={session.session_id}", None)
    with pytest.raises(ApiError) as expired:
        accounts.sessions.account_of(cookie, state_changing=False, now_ms=session.expires_ms)
    assert expired.value.code == -8008
    no_session = SessionCredentials("other=1", None)
    assert accounts.sessions.account_of(no_session, state_changing=False, now_ms=NOW_MS) is None


def test_two_factor_enrol_confirm_disable(tmp_path: Path) -> None:
    accounts = open_accounts(tmp_path)
    account = sign_up(accounts, "tf@example.com")
    secret, _ = accounts.enrol_totp(account)
    accounts.confirm_totp(accounts.account(account.user_id), code_at(secret, NOW_S), NOW_MS)
    account = accounts.account(account.user_id)
    assert account.totp_enabled
    password = "my very secret"
    with pytest.raises(ApiError) as wrong:  # the confirming code is already spent
        asyncio.run(accounts.disable_totp(account, password, code_at(secret, NOW_S), "", NOW_MS))
    assert wrong.value.code == -8026
    asyncio.run(accounts.disable_totp(account, password, code_at(secret, NOW_S + 30), "", NOW_MS))
    account = accounts.account(account.user_id)
    assert not account.totp_enabled and account.totp_secret is None
    logged_in = asyncio.run(
        accounts.log_in("tf@example.com", "my very secret", None, "10.0.0.1", NOW_MS)
    )
    assert logged_in.user_id == account.user_id
