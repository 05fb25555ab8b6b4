"""Issue 13, accounts: the password rule, changing and resetting a password, and sessions
that end when idle."""

import asyncio
import json
import sys
import urllib.request
from pathlib import Path

import pytest

from assetport.accounts.service import Accounts
from assetport.accounts.sessions import cookie_value
from assetport.accounts.terms import TERMS_VERSION
from assetport.api.errors import ApiError
from assetport.edge.sessions import SessionCredentials
from assetport.edge.users import UserStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "accounts"))
from account_web_client import PASSWORD, ExchangeServer, WebUser, account_server

NOW_MS = 1_700_000_015_000
MINUTE_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with account_server(tmp_path_factory.mktemp("passwords") / "data") as running:
        yield running


def raw_sign_up(server: ExchangeServer, body: bytes) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        server.base_url + "/api/v1/account/signup", data=body,
        headers={"Content-Type": "application/json"}, method="POST",
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_common_trivial_and_control_character_passwords_are_refused(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as plain:
        for password in ("password123", "qwertyuiop", "1234567890", "aaaaaaaaaaaa",
                         "iloveyou123", "assetport2024"):  # fmt: skip
            status, answer = WebUser(plain).account(
                "POST",
                "/signup",
                {"email": "weak@example.com", "password": password, "termsVersion": TERMS_VERSION},
            )
            assert (status, answer["code"]) == (400, -8016), password
        for password in ("a long pass\x00word", "a long\npassword", "a long\x1bpassword"):
            status, answer = WebUser(plain).account(
                "POST",
                "/signup",
                {"email": "ctl@example.com", "password": password, "termsVersion": TERMS_VERSION},
            )
            assert (status, answer["code"]) == (400, -8017), repr(password)
        # A lone surrogate (an escape JSON allows) is no password: refused, never a 500.
        body = b'{"email": "ctl@example.com", "password": "a long password \\ud800"}'
        status, answer = raw_sign_up(plain, body)
        assert status == 400 and answer["code"] in (-8000, -8017)
        status, answer = WebUser(plain).log_in("ctl@example.com", "x\ud800" * 6)
        assert status in (400, 401) and answer["code"] in (-8000, -8004)


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(
    server: ExchangeServer,
) -> None:
    laptop, phone = WebUser(server), WebUser(server)
    laptop.sign_up("changer@example.com")
    phone.log_in("changer@example.com")
    change = {"currentPassword": "not the password", "newPassword": "a brand new phrase"}
    status, answer = laptop.account("POST", "/password/change", change)
    assert (status, answer["code"]) == (403, -8019)
    change["currentPassword"] = PASSWORD
    change["newPassword"] = "password123"
    assert laptop.account("POST", "/password/change", change)[1]["code"] == -8016
    change["newPassword"] = "a brand new phrase"
    status, answer = laptop.account("POST", "/password/change", change)
    assert status == 200 and answer == {
        "passwordChanged": True, "sessionsEnded": 1, "antiPhishingCode": None,
    }  # fmt: skip
    assert laptop.account("GET", "/me")[0] == 200  # this session goes on
    assert phone.account("GET", "/me")[1]["code"] == -8008  # the other one ended
    assert WebUser(server).log_in("changer@example.com")[0] == 401
    assert WebUser(server).log_in("changer@example.com", "a brand new phrase")[0] == 200
    notice = server.mailbox.wait_for("changer@example.com", "Your password was changed")  # type: ignore[attr-defined]
    assert "/reset-password" in notice.text


def test_a_reset_link_sets_the_password_once_and_tells_nobody_who_has_an_account(
    server: ExchangeServer,
) -> None:
    owner = WebUser(server)
    owner.sign_up("forgetful@example.com")
    asked = WebUser(server).account("POST", "/password/forgot", {"email": "Forgetful@example.com"})
    unknown = WebUser(server).account("POST", "/password/forgot", {"email": "nobody@example.com"})
    assert asked == unknown == (200, {"status": "CHECK_MAIL", "mailSent": True})
    mail = server.mailbox.wait_for("forgetful@example.com", "Reset your password")  # type: ignore[attr-defined]
    assert f"{server.base_url}/reset-password#token=" in mail.text
    assert server.mailbox.to("nobody@example.com") == []  # type: ignore[attr-defined]
    reset = {"token": mail.token(), "password": "qwertyuiop"}
    assert WebUser(server).account("POST", "/password/reset", reset)[1]["code"] == -8016
    reset["password"] = "my fresh phrase here"
    assert WebUser(server).account("POST", "/password/reset", reset) == (
        200, {"passwordReset": True},
    )  # fmt: skip
    assert WebUser(server).account("POST", "/password/reset", reset)[1]["code"] == -8018
    assert owner.account("GET", "/me")[1]["code"] == -8008  # every session ended
    assert WebUser(server).log_in("forgetful@example.com")[0] == 401
    assert WebUser(server).log_in("forgetful@example.com", "my fresh phrase here")[0] == 200
    bad = {"token": "not-a-token", "password": "my fresh phrase here"}
    assert WebUser(server).account("POST", "/password/reset", bad)[1]["code"] == -8018


def test_a_reset_link_expires(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path, UserStore(tmp_path))
    asyncio.run(accounts.sign_up("late@example.com", PASSWORD, NOW_MS))
    account = accounts.store.by_email("late@example.com")
    assert account is not None
    from assetport.accounts.tokens import Purpose  # new module: the baseline lacks it

    token = accounts.tokens.issue(Purpose.RESET, account.user_id, account.email, NOW_MS)
    with pytest.raises(ApiError) as expired:
        asyncio.run(accounts.reset_password(token, "my fresh phrase here", NOW_MS + 61 * MINUTE_MS))
    assert expired.value.code == -8018
    accounts.close()


def test_a_session_ends_after_30_idle_minutes(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path, UserStore(tmp_path))
    asyncio.run(accounts.sign_up("idle@example.com", PASSWORD, NOW_MS))
    account = accounts.store.by_email("idle@example.com")
    assert account is not None
    session = accounts.start_session(account, NOW_MS)
    cookie = SessionCredentials(f"ap_session={session.session_id}", None)
    assert cookie_value(cookie.cookie) == session.session_id

    def user_at(minutes: int) -> int | None:
        now = NOW_MS + minutes * MINUTE_MS
        return accounts.sessions.account_of(cookie, state_changing=False, now_ms=now)

    # Used every 20 minutes for two hours: alive (the absolute limit is a day).
    for minutes in range(20, 121, 20):
        assert user_at(minutes) == account.user_id
    with pytest.raises(ApiError) as idle:  # then 31 minutes without a request
        user_at(120 + 31)
    assert idle.value.code == -8008
    with pytest.raises(ApiError):  # and it stays ended
        user_at(120 + 32)
    accounts.close()
