"""Sign-up, login, sessions and the anti-phishing code over real HTTP against a real server."""

from collections.abc import Iterator

import pytest
from account_web_client import PASSWORD, ExchangeServer, WebUser, account_server

from assetport.accounts.terms import TERMS_VERSION


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with account_server(tmp_path_factory.mktemp("accounts") / "data") as running:
        yield running


def test_sign_up_then_me(server: ExchangeServer) -> None:
    web = WebUser(server)
    signed_up = web.sign_up("  Alice@Example.com ")
    assert signed_up["email"] == "alice@example.com" and signed_up["emailVerified"] is True
    assert signed_up["userId"] >= 1000 and signed_up["totpEnabled"] is False
    status, me = web.account("GET", "/me")
    assert status == 200, me
    assert me["userId"] == signed_up["userId"] and me["email"] == "alice@example.com"
    assert me["csrfToken"] == signed_up["csrfToken"]
    assert me["antiPhishingCode"] is None


def test_a_taken_email_gets_the_same_answer_and_its_owner_a_mail(
    server: ExchangeServer,
) -> None:
    owner = WebUser(server)
    owner.sign_up("taken@example.com")
    first = WebUser(server).sign_up_only("fresh@example.com", "another long one")
    again = WebUser(server)
    taken = again.sign_up_only("TAKEN@example.com", "another long one")
    # The same answer, and no session either way: a sign-up tells nobody who has an account.
    assert {**first, "email": None} == {**taken, "email": None} == {
        "status": "CHECK_MAIL", "mailSent": True, "email": None,
    }  # fmt: skip
    assert again.cookie is None and taken["email"] == "taken@example.com"
    notice = server.mailbox.wait_for("taken@example.com", "Someone tried to sign up")  # type: ignore[attr-defined]
    assert "already has an account" in notice.text and "#token=" not in notice.text
    # The owner's password is unchanged.
    assert WebUser(server).log_in("taken@example.com")[0] == 200
    assert WebUser(server).log_in("taken@example.com", "another long one")[0] == 401


def test_weak_passwords_and_bad_emails_are_refused(server: ExchangeServer) -> None:
    for password, code in (("short", -8003), ("password123", -8016), ("qwertyuiop", -8016)):
        status, answer = WebUser(server).account(
            "POST",
            "/signup",
            {"email": "weak@example.com", "password": password, "termsVersion": TERMS_VERSION},
        )
        assert (status, answer["code"]) == (400, code), password
    status, answer = WebUser(server).account(
        "POST",
        "/signup",
        {"email": "not an email", "password": "a long password", "termsVersion": TERMS_VERSION},
    )
    assert (status, answer["code"]) == (400, -8001)


def test_wrong_password_and_unknown_email_look_the_same(server: ExchangeServer) -> None:
    WebUser(server).sign_up("bob@example.com")
    wrong = WebUser(server).log_in("bob@example.com", "not the password")
    unknown = WebUser(server).log_in("nobody@example.com", "not the password")
    assert wrong == unknown == (401, {"code": -8004, "msg": "Invalid email or password."})
    status, me = (web := WebUser(server)).log_in("BOB@example.com")
    assert status == 200 and me["email"] == "bob@example.com" and web.cookie is not None


def test_too_many_failures_lock_the_email_even_for_the_right_password(
    server: ExchangeServer,
) -> None:
    WebUser(server).sign_up("carol@example.com")
    for _ in range(5):
        assert WebUser(server).log_in("carol@example.com", "guess guess guess")[0] == 401
    web = WebUser(server)
    status, answer = web.log_in("carol@example.com")
    assert (status, answer["code"]) == (429, -8005)
    assert web.last_headers is not None and int(web.last_headers["retry-after"]) > 0
    assert web.cookie is None


def test_the_session_cookie_is_http_only_strict_and_random(server: ExchangeServer) -> None:
    web = WebUser(server)
    web.sign_up("dave@example.com")
    assert web.last_headers is not None
    attributes = [part.strip() for part in web.last_headers["set-cookie"].split(";")]
    name, value = attributes[0].split("=", 1)
    assert name == "ap_session" and len(value) >= 43  # 256 bits in base64url
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(attributes)
    assert "Secure" not in attributes  # plain http here; https requests get Secure
    other = WebUser(server)
    other.log_in("dave@example.com")
    assert other.cookie != web.cookie


def test_state_changes_need_the_csrf_token(server: ExchangeServer) -> None:
    web = WebUser(server)
    web.sign_up("erin@example.com")
    change = {"code": "Tiger42", "password": PASSWORD}
    status, answer = web.call("POST", "/api/v1/account/anti-phishing", change, csrf=False)
    assert (status, answer["code"]) == (403, -8009)
    web.csrf, real = "forged", web.csrf
    assert web.account("POST", "/anti-phishing", change)[1]["code"] == -8009
    web.csrf = real
    assert web.account("POST", "/anti-phishing", change)[0] == 200


def test_the_anti_phishing_code_is_in_every_account_answer(server: ExchangeServer) -> None:
    web = WebUser(server)
    web.sign_up("frank@example.com")
    change = {"code": "Blue7Moon", "password": PASSWORD}
    status, answer = web.account("POST", "/anti-phishing", change)
    assert status == 200 and answer["antiPhishingCode"] == "Blue7Moon"
    assert web.account("GET", "/me")[1]["antiPhishingCode"] == "Blue7Moon"
    assert web.account("GET", "/apikeys")[1]["antiPhishingCode"] == "Blue7Moon"
    assert WebUser(server).log_in("frank@example.com")[1]["antiPhishingCode"] == "Blue7Moon"
    status, answer = web.account("POST", "/anti-phishing", {"code": "no!", "password": PASSWORD})
    assert (status, answer["code"]) == (400, -8012)


def test_log_out_and_log_out_everywhere(server: ExchangeServer) -> None:
    laptop, phone, tablet = WebUser(server), WebUser(server), WebUser(server)
    laptop.sign_up("gina@example.com")
    phone.log_in("gina@example.com")
    tablet.log_in("gina@example.com")
    stale = laptop.cookie
    status, answer = laptop.account("POST", "/logout")
    assert status == 200 and laptop.cookie is None
    laptop.cookie = stale  # the old cookie no longer opens the session
    assert laptop.account("GET", "/me")[1]["code"] == -8008
    assert phone.account("GET", "/me")[0] == 200
    status, answer = phone.account("POST", "/logout-all")
    assert status == 200 and answer["sessionsEnded"] == 2
    tablet_status, tablet_answer = tablet.account("GET", "/me")
    assert (tablet_status, tablet_answer["code"]) == (401, -8008)


def test_without_a_session_the_account_endpoints_refuse(server: ExchangeServer) -> None:
    status, answer = WebUser(server).account("GET", "/me")
    assert (status, answer["code"]) == (401, -8008)
