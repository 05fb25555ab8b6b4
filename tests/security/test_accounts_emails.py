"""Issue 13, accounts: one mailbox, one account; and a sign-up tells nobody whether an
address has an account."""

import asyncio
import sys
from pathlib import Path

import pytest

from assetport.accounts.service import Accounts
from assetport.api.errors import ApiError
from assetport.edge.users import UserStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "accounts"))
from account_web_client import PASSWORD, ExchangeServer, WebUser

from assetport.accounts.terms import TERMS_VERSION

NOW_MS = 1_700_000_015_000

SAME_MAILBOX = (
    "alice@example.com",
    "Alice@Example.COM",
    "  ALICE@example.com\t",
    "ａｌｉｃｅ@ｅｘａｍｐｌｅ.ｃｏｍ",  # full-width: NFKC
)
NOT_AN_ADDRESS = (
    "alice@example.com.",  # a trailing dot is the same domain to DNS
    "ali\u200bce@example.com",  # zero-width space
    "alice@exa\u200dmple.com",  # zero-width joiner
    "alice\u2060@example.com",  # word joiner
    "\ufeffalice@example.com",  # byte order mark
    "al\u0000ice@example.com",  # NUL
    "alice\u202e@example.com",  # right-to-left override
    "alice@example..com",
    "alice@.example.com",
)


def test_one_mailbox_holds_one_account(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path, UserStore(tmp_path))
    for spelling in SAME_MAILBOX:
        try:
            asyncio.run(accounts.sign_up(spelling, PASSWORD, NOW_MS))
        except ApiError as refused:
            assert refused.code == -8002  # the old code's answer: still one account
    for spelling in NOT_AN_ADDRESS:
        with pytest.raises(ApiError) as refused:
            asyncio.run(accounts.sign_up(spelling, PASSWORD, NOW_MS))
        assert refused.value.code == -8001, repr(spelling)
    emails = [row[0] for row in accounts.store.database.all("SELECT email FROM accounts")]
    assert emails == ["alice@example.com"]
    accounts.close()


def test_a_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(
    tmp_path: Path,
) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        first = WebUser(server)
        first.account(
            "POST",
            "/signup",
            {"email": "owner@example.com", "password": PASSWORD, "termsVersion": TERMS_VERSION},
        )
        answers = []
        for address in ("OWNER@example.com", "stranger@example.com"):
            web = WebUser(server)
            status, answer = web.account(
                "POST",
                "/signup",
                {"email": address, "password": "another long one", "termsVersion": TERMS_VERSION},
            )
            assert web.last_headers is not None
            answers.append((status, {**answer, "email": None}))
            assert web.last_headers.get_all("set-cookie") is None  # no session either way
        assert answers[0] == answers[1]
        assert answers[0][0] == 200
