"""Recovery codes and re-authentication, on a real SQLite file, without HTTP."""

import asyncio
import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

from assetport.accounts import recovery
from assetport.accounts.service import Accounts
from assetport.accounts.store import ACCOUNTS_DB_FILE, Account
from assetport.accounts.totp import code_at
from assetport.edge.errors import ApiError
from assetport.edge.users import UserStore

NOW_MS = 1_700_000_015_000
NOW_S = NOW_MS // 1000
PASSWORD = "my very secret"


def with_two_factor(data_dir: Path, email: str) -> tuple[Accounts, Account, str, list[str]]:
    """An account with two-factor login on: the service, the account, its TOTP secret and
    its recovery codes."""
    accounts = Accounts(data_dir, UserStore(data_dir))
    done = asyncio.run(accounts.sign_up(email, PASSWORD, NOW_MS))
    assert done.created is not None
    secret, _ = accounts.enrol_totp(done.created)
    codes = accounts.confirm_totp(
        accounts.account(done.created.user_id), code_at(secret, NOW_S), NOW_MS
    )
    return accounts, accounts.account(done.created.user_id), secret, codes


def log_in(accounts: Accounts, email: str, code: str) -> Account:
    return asyncio.run(accounts.log_in(email, PASSWORD, code, "10.0.0.1", NOW_MS))


def refusal(work: object) -> int:
    with pytest.raises(ApiError) as refused:
        asyncio.run(work)  # type: ignore[arg-type]
    return refused.value.code


def test_turning_two_factor_on_gives_ten_distinct_readable_codes(tmp_path: Path) -> None:
    accounts, account, _, codes = with_two_factor(tmp_path, "ten@example.com")
    assert len(set(codes)) == recovery.COUNT == 10
    for code in codes:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code), code
        assert not set(code) & set("01ilo")  # no look-alikes to misread from paper
    assert accounts.recovery_codes_left(account) == 10


def test_codes_are_stored_only_as_keyed_hashes(tmp_path: Path) -> None:
    accounts, account, _, codes = with_two_factor(tmp_path, "hash@example.com")
    accounts.close()
    db = sqlite3.connect(tmp_path / ACCOUNTS_DB_FILE)
    dump = "\n".join(db.iterdump())
    stored = [row[0] for row in db.execute("SELECT code_hash FROM recovery_codes")]
    db.close()
    assert len(stored) == 10
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump
        assert code.replace("-", "").upper() not in dump
    # Keyed: the plain SHA-256 of a code (what a copy of the file could test guesses with)
    # is not what is kept.
    for code in codes:
        plain = hashlib.sha256(f"{account.user_id}:{code.replace('-', '')}".encode()).hexdigest()
        assert plain not in stored


def test_a_code_logs_in_once_in_place_of_a_totp_code(tmp_path: Path) -> None:
    accounts, account, _, codes = with_two_factor(tmp_path, "once@example.com")
    # Typed as people type: upper case, spaces instead of hyphens.
    assert log_in(accounts, "once@example.com", codes[3].upper().replace("-", " ")) == account
    assert accounts.recovery_codes_left(account) == 9
    assert refusal(accounts.log_in("once@example.com", PASSWORD, codes[3], "", NOW_MS)) == -8007
    assert log_in(accounts, "once@example.com", codes[4]).user_id == account.user_id
    assert accounts.recovery_codes_left(account) == 8


def test_one_account_s_codes_do_not_open_another(tmp_path: Path) -> None:
    accounts, _, _, codes = with_two_factor(tmp_path, "first@example.com")
    accounts.close()
    second, _, _, _ = with_two_factor(tmp_path, "second@example.com")
    assert refusal(second.log_in("second@example.com", PASSWORD, codes[0], "", NOW_MS)) == -8007


def test_new_codes_replace_the_old_and_need_re_authentication(tmp_path: Path) -> None:
    accounts, account, secret, old = with_two_factor(tmp_path, "renew@example.com")
    assert refusal(accounts.new_recovery_codes(account, None, None, "", NOW_MS)) == -8024
    assert refusal(accounts.new_recovery_codes(account, PASSWORD, None, "", NOW_MS)) == -8025
    wrong = accounts.new_recovery_codes(account, "not the password", old[0], "", NOW_MS)
    assert refusal(wrong) == -8019
    # A wrong password spends no code: the one sent with it still works.
    assert accounts.recovery_codes_left(account) == 10
    new = asyncio.run(accounts.new_recovery_codes(account, PASSWORD, old[0], "", NOW_MS))
    assert len(new) == 10 and not set(new) & set(old)
    assert refusal(accounts.log_in("renew@example.com", PASSWORD, old[1], "", NOW_MS)) == -8007
    assert log_in(accounts, "renew@example.com", new[0]).user_id == account.user_id
    # A TOTP code confirms too.
    code = code_at(secret, NOW_S + 30)
    assert len(asyncio.run(accounts.new_recovery_codes(account, PASSWORD, code, "", NOW_MS))) == 10


def test_turning_two_factor_off_takes_password_and_code_and_ends_the_codes(
    tmp_path: Path,
) -> None:
    accounts, account, _, codes = with_two_factor(tmp_path, "off@example.com")
    assert refusal(accounts.disable_totp(account, None, codes[0], "", NOW_MS)) == -8024
    assert refusal(accounts.disable_totp(account, PASSWORD, None, "", NOW_MS)) == -8025
    assert refusal(accounts.disable_totp(account, PASSWORD, "000000", "", NOW_MS)) == -8026
    assert accounts.account(account.user_id).totp_enabled
    asyncio.run(accounts.disable_totp(account, PASSWORD, codes[0], "", NOW_MS))
    off = accounts.account(account.user_id)
    assert not off.totp_enabled and accounts.recovery_codes.left(account.user_id) == 0
    # Without two-factor login the password alone confirms a change.
    asyncio.run(accounts.set_anti_phishing(off, "Heron9", PASSWORD, None, "", NOW_MS))
    assert accounts.account(account.user_id).anti_phishing == "Heron9"
