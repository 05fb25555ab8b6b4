"""Account safety over real HTTP against a real server: recovery codes, re-authentication
before sensitive changes, the warning on a trading key open to any address, and the
anti-phishing code in every mail and in no answer to a visitor."""

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from account_web_client import ACCOUNT, PASSWORD, ExchangeServer, WebUser, account_server

from assetport.accounts.store import ACCOUNTS_DB_FILE
from assetport.accounts.terms import TERMS_VERSION
from assetport.accounts.totp import code_at

RECOVERY_USED = "A recovery code was used"
TWO_FACTOR_OFF = "Two-factor login was turned off"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with account_server(tmp_path_factory.mktemp("account-safety") / "data") as running:
        yield running


class Authenticator:
    """The person's phone: codes of the enrolled secret, each step once (the server takes a
    code once, so the next one is the next step's)."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.offset = 0

    def code(self) -> str:
        self.offset += 1
        assert self.offset <= 1, "one step of drift ahead is all the server takes"
        return code_at(self.secret, int(time.time()) + 30 * self.offset)


def with_two_factor(server: ExchangeServer, email: str) -> tuple[WebUser, str, list[str]]:
    """A verified, logged-in account with two-factor login on: the browser, the TOTP
    secret and the recovery codes shown when it was turned on."""
    web = WebUser(server)
    web.sign_up(email)
    status, enrolled = web.account("POST", "/totp/enroll")
    assert status == 200, enrolled
    secret = enrolled["secret"]
    status, on = web.account("POST", "/totp/confirm", {"code": code_at(secret, int(time.time()))})
    assert status == 200 and on["totpEnabled"] is True, on
    return web, secret, on["recoveryCodes"]


def code_of(answer: tuple[int, Any]) -> tuple[int, int]:
    status, body = answer
    return status, body.get("code", 0)


def test_recovery_codes_log_in_once_each_and_are_not_on_disk(server: ExchangeServer) -> None:
    web, _, codes = with_two_factor(server, "rescue@example.com")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert web.account("GET", "/me")[1]["recoveryCodesLeft"] == 10

    phone = WebUser(server)
    status, me = phone.log_in("rescue@example.com", totpCode=codes[0])
    assert status == 200 and me["recoveryCodesLeft"] == 9, me
    again = WebUser(server).log_in("rescue@example.com", totpCode=codes[0])
    assert code_of(again) == (401, -8007)
    notice = server.mailbox.wait_for("rescue@example.com", RECOVERY_USED)  # type: ignore[attr-defined]
    assert "9 codes are left" in notice.text

    # The database file has no code in any spelling, used or not.
    db = sqlite3.connect(server.data_dir / ACCOUNTS_DB_FILE)
    dump = "\n".join(db.iterdump())
    db.close()
    for code in codes:
        for spelling in (code, code.replace("-", ""), code.upper(), code.replace("-", "").upper()):
            assert spelling not in dump


def test_turning_two_factor_off_needs_password_and_a_second_factor(
    server: ExchangeServer,
) -> None:
    web, secret, codes = with_two_factor(server, "switch@example.com")
    phone = Authenticator(secret)
    assert code_of(web.account("POST", "/totp/disable", {})) == (403, -8024)
    only_code = {"twoFactorCode": codes[0]}
    assert code_of(web.account("POST", "/totp/disable", only_code)) == (403, -8024)
    only_password = {"password": PASSWORD}
    assert code_of(web.account("POST", "/totp/disable", only_password)) == (403, -8025)
    wrong_password = {"password": "not the password", "twoFactorCode": codes[0]}
    assert code_of(web.account("POST", "/totp/disable", wrong_password)) == (403, -8019)
    wrong_code = {"password": PASSWORD, "twoFactorCode": "123456"}
    assert code_of(web.account("POST", "/totp/disable", wrong_code)) == (403, -8026)
    assert web.account("GET", "/me")[1]["totpEnabled"] is True  # nothing changed so far

    status, off = web.account(
        "POST", "/totp/disable", {"password": PASSWORD, "twoFactorCode": phone.code()}
    )
    assert status == 200 and off["totpEnabled"] is False
    me = web.account("GET", "/me")[1]
    assert me["totpEnabled"] is False and me["recoveryCodesLeft"] == 0
    server.mailbox.wait_for("switch@example.com", TWO_FACTOR_OFF)  # type: ignore[attr-defined]
    # The codes ended with it: logging in needs no code, and a code is no password.
    assert WebUser(server).log_in("switch@example.com")[0] == 200


def test_new_recovery_codes_need_re_authentication_and_replace_the_old(
    server: ExchangeServer,
) -> None:
    web, _, old = with_two_factor(server, "renew@example.com")
    assert code_of(web.account("POST", "/totp/recovery-codes", {})) == (403, -8024)
    status, renewed = web.account(
        "POST", "/totp/recovery-codes", {"password": PASSWORD, "twoFactorCode": old[0]}
    )
    assert status == 200 and renewed["recoveryCodesLeft"] == 10
    new = renewed["recoveryCodes"]
    assert not set(new) & set(old)
    assert code_of(WebUser(server).log_in("renew@example.com", totpCode=old[1])) == (401, -8007)
    assert WebUser(server).log_in("renew@example.com", totpCode=new[1])[0] == 200


def test_a_trading_key_needs_re_authentication_and_an_open_one_is_flagged(
    server: ExchangeServer,
) -> None:
    web, _, codes = with_two_factor(server, "keys@example.com")
    trade = {"permissions": ["read", "trade"]}
    assert code_of(web.account("POST", "/apikeys", trade)) == (403, -8024)
    assert code_of(web.account("POST", "/apikeys", {**trade, "password": PASSWORD})) == (
        403, -8025,
    )  # fmt: skip
    assert web.account("GET", "/apikeys")[1]["apiKeys"] == []  # no key was made

    status, open_key = web.account(
        "POST", "/apikeys", {**trade, "password": PASSWORD, "twoFactorCode": codes[0]}
    )
    assert status == 200 and open_key["unrestricted"] is True
    status, fenced = web.account(
        "POST", "/apikeys",
        {**trade, "ipAllowlist": ["127.0.0.1"], "password": PASSWORD, "twoFactorCode": codes[1]},
    )  # fmt: skip
    assert status == 200 and fenced["unrestricted"] is False
    # A key that only reads needs no password, and is no danger from anywhere.
    status, reader = web.account("POST", "/apikeys", {"permissions": ["read"]})
    assert status == 200 and reader["unrestricted"] is False
    listed = {
        key["apiKey"]: key["unrestricted"] for key in web.account("GET", "/apikeys")[1]["apiKeys"]
    }
    assert listed == {open_key["apiKey"]: True, fenced["apiKey"]: False, reader["apiKey"]: False}


def test_security_settings_need_re_authentication(server: ExchangeServer) -> None:
    web = WebUser(server)
    web.sign_up("settings@example.com")
    assert code_of(web.account("POST", "/anti-phishing", {"code": "Kestrel7"})) == (403, -8024)
    wrong = {"code": "Kestrel7", "password": "not the password"}
    assert code_of(web.account("POST", "/anti-phishing", wrong)) == (403, -8019)
    assert web.account("GET", "/me")[1]["antiPhishingCode"] is None
    status, _ = web.account("POST", "/anti-phishing", {"code": "Kestrel7", "password": PASSWORD})
    assert status == 200
    assert web.account("GET", "/me")[1]["antiPhishingCode"] == "Kestrel7"

    # With two-factor login on, changing the password takes a code too.
    secure, _, codes = with_two_factor(server, "strict@example.com")
    change = {"currentPassword": PASSWORD, "newPassword": "another long phrase here"}
    assert code_of(secure.account("POST", "/password/change", change)) == (403, -8025)
    change["twoFactorCode"] = codes[0]
    assert secure.account("POST", "/password/change", change)[0] == 200


def test_the_anti_phishing_code_is_in_every_kind_of_mail(server: ExchangeServer) -> None:
    email = "mails@example.com"
    web = WebUser(server)
    web.sign_up_only(email)
    web.log_in(email)
    assert (
        web.account("POST", "/anti-phishing", {"code": "Puffin42", "password": PASSWORD})[0] == 200
    )
    mailbox = server.mailbox  # type: ignore[attr-defined]
    assert web.account("POST", "/verify/resend")[0] == 200
    kinds = ["Confirm your email address"]
    web.verify(email)
    WebUser(server).account(
        "POST", "/signup", {"email": email, "password": PASSWORD, "termsVersion": TERMS_VERSION}
    )
    kinds.append("Someone tried to sign up with your address")
    WebUser(server).account("POST", "/password/forgot", {"email": email})
    kinds.append("Reset your password")
    change = {"currentPassword": PASSWORD, "newPassword": "a fresh long phrase"}
    assert web.account("POST", "/password/change", change)[0] == 200
    kinds.append("Your password was changed")
    change = {"currentPassword": "a fresh long phrase", "newPassword": PASSWORD}
    assert web.account("POST", "/password/change", change)[0] == 200

    status, enrolled = web.account("POST", "/totp/enroll")
    assert status == 200
    on = web.account(
        "POST", "/totp/confirm", {"code": code_at(enrolled["secret"], int(time.time()))}
    )
    codes = on[1]["recoveryCodes"]
    assert WebUser(server).log_in(email, totpCode=codes[0])[0] == 200
    kinds.append(RECOVERY_USED)
    off = {"password": PASSWORD, "twoFactorCode": codes[1]}
    assert web.account("POST", "/totp/disable", off)[0] == 200
    kinds.append(TWO_FACTOR_OFF)

    for kind in kinds:
        # The newest mail of each kind: the one sent after the code was set.
        count = len([m for m in mailbox.to(email) if kind in m.subject]) or 1
        mail = mailbox.wait_for(email, kind, count)
        assert mail.subject.startswith("[Puffin42] "), (kind, mail.subject)
        assert mail.text.startswith("Your anti-phishing code: Puffin42"), (kind, mail.text)


def test_no_answer_to_a_visitor_carries_the_anti_phishing_code(server: ExchangeServer) -> None:
    """A phishing site can call the real site's endpoints with a victim's address: no
    answer before a login may show the code the victim trusts."""
    email = "victim@example.com"
    owner, secret, _ = with_two_factor(server, email)
    phone = Authenticator(secret)
    change = {"code": "Walrus88", "password": PASSWORD, "twoFactorCode": phone.code()}
    assert owner.account("POST", "/anti-phishing", change)[0] == 200

    visitor = WebUser(server)
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/session", None),
        ("GET", "/me", None),
        ("POST", "/signup", {"email": email, "password": PASSWORD, "termsVersion": TERMS_VERSION}),
        ("POST", "/login", {"email": email, "password": "a wrong password"}),
        ("POST", "/login", {"email": email, "password": PASSWORD}),  # asks for the code
        ("POST", "/login", {"email": email, "password": PASSWORD, "totpCode": "000000"}),
        ("POST", "/verify", {"token": "not-a-token"}),
        ("POST", "/password/forgot", {"email": email}),
        ("POST", "/password/reset", {"token": "not-a-token", "password": PASSWORD}),
        ("GET", "/apikeys", None),
        ("POST", "/anti-phishing", {"code": "Walrus88"}),
    ]
    for method, path, body in calls:
        _, answer = visitor.call(method, ACCOUNT + path, body, csrf=False)
        assert "Walrus88" not in str(answer), (path, answer)
        assert "antiPhishingCode" not in answer, (path, answer)
    # The owner's own session sees it.
    assert owner.account("GET", "/session")[1]["antiPhishingCode"] == "Walrus88"
