"""Consent to the terms of use and the risk disclosure at sign-up: refused without it or
with terms no longer in force, kept with the account (version and time) across restarts,
and never invented for an account made before sign-up asked."""

import asyncio
import sqlite3
from pathlib import Path

import pytest

from assetport.accounts.service import Accounts
from assetport.accounts.store import ACCOUNTS_DB_FILE
from assetport.accounts.terms import TERMS_VERSION
from assetport.api.errors import ApiError
from assetport.edge.users import UserStore

NOW_MS = 1_700_000_015_000
PASSWORD = "my very secret"


def open_accounts(data_dir: Path) -> Accounts:
    return Accounts(data_dir, UserStore(data_dir))


def test_the_accepted_version_and_its_time_are_kept_with_the_account(tmp_path: Path) -> None:
    accounts = open_accounts(tmp_path)
    done = asyncio.run(
        accounts.sign_up("ann@example.com", PASSWORD, NOW_MS, terms_version=TERMS_VERSION)
    )
    assert done.created is not None
    user_id = done.created.user_id
    accounts.close()
    again = open_accounts(tmp_path)
    account = again.account(user_id)
    assert (account.terms_version, account.terms_accepted_ms) == (TERMS_VERSION, NOW_MS)
    again.close()


@pytest.mark.parametrize("version", ["", "2000-01-01", TERMS_VERSION + " "])
def test_no_consent_or_consent_to_other_terms_makes_no_account(
    tmp_path: Path, version: str
) -> None:
    accounts = open_accounts(tmp_path)
    with pytest.raises(ApiError) as refused:
        asyncio.run(accounts.sign_up("bob@example.com", PASSWORD, NOW_MS, terms_version=version))
    assert (refused.value.code, refused.value.http_status) == (-8027, 400)
    assert accounts.store.by_email("bob@example.com") is None
    accounts.close()


def test_the_fields_are_checked_before_the_consent(tmp_path: Path) -> None:
    # The order the form asks them in: a short password is named first, not the box.
    accounts = open_accounts(tmp_path)
    with pytest.raises(ApiError) as refused:
        asyncio.run(accounts.sign_up("cy@example.com", "short", NOW_MS, terms_version=""))
    assert refused.value.code == -8003
    accounts.close()


def test_an_account_from_before_consent_was_asked_has_none(tmp_path: Path) -> None:
    accounts = open_accounts(tmp_path)
    done = asyncio.run(accounts.sign_up("dee@example.com", PASSWORD, NOW_MS))
    assert done.created is not None
    user_id = done.created.user_id
    accounts.close()
    # The file as an older version left it: no consent columns.
    with sqlite3.connect(tmp_path / ACCOUNTS_DB_FILE) as db:
        db.execute("ALTER TABLE accounts DROP COLUMN terms_version")
        db.execute("ALTER TABLE accounts DROP COLUMN terms_accepted_ms")
    db.close()
    again = open_accounts(tmp_path)
    account = again.account(user_id)
    assert (account.terms_version, account.terms_accepted_ms) == (None, None)
    # ...and the upgraded file takes consent for the next sign-up.
    later = asyncio.run(
        again.sign_up("eve@example.com", PASSWORD, NOW_MS + 1, terms_version=TERMS_VERSION)
    )
    assert later.created is not None
    assert again.account(later.created.user_id).terms_accepted_ms == NOW_MS + 1
    again.close()
