"""A key that may withdraw, made on the account page over real HTTP against a real server: it
takes a verified email, two-factor login turned on, an IP allowlist and re-authentication with
the password and a current code; every refusal comes before the key exists."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from account_web_client import PASSWORD, ExchangeServer, WebUser, account_server

from assetport.accounts.totp import STEP_S, code_at

WITHDRAW = {"permissions": ["read", "withdraw"], "ipAllowlist": ["127.0.0.1"]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with account_server(tmp_path_factory.mktemp("keys-withdraw") / "data") as running:
        yield running


def refusal(answer: tuple[int, Any]) -> tuple[int, int]:
    status, body = answer
    return status, body.get("code", 0)


def keys_of(web: WebUser) -> list[dict[str, Any]]:
    status, listed = web.account("GET", "/apikeys")
    assert status == 200, listed
    return list(listed["apiKeys"])


def with_two_factor(server: ExchangeServer, email: str) -> tuple[WebUser, str]:
    """A verified, logged-in account with two-factor login on, and its TOTP secret. Turning
    it on used the current step's code: the next code the server takes is the next step's."""
    web = WebUser(server)
    web.sign_up(email)
    status, enrolled = web.account("POST", "/totp/enroll")
    assert status == 200, enrolled
    secret = enrolled["secret"]
    status, on = web.account("POST", "/totp/confirm", {"code": code_at(secret, int(time.time()))})
    assert status == 200 and on["totpEnabled"] is True, on
    return web, secret


def wrong_code(secret: str) -> str:
    """A six-digit code no step near now has."""
    now = int(time.time())
    near = {code_at(secret, now + step * STEP_S) for step in range(-3, 4)}
    return next(code for code in (f"{d}" * 6 for d in range(10)) if code not in near)


def test_without_two_factor_a_withdraw_key_is_refused_and_not_made(
    server: ExchangeServer,
) -> None:
    web = WebUser(server)
    web.sign_up("no2fa@example.com")
    status, refused = web.account("POST", "/apikeys", {**WITHDRAW, "password": PASSWORD})
    assert (status, refused["code"]) == (403, -8028), refused
    assert refused["msg"] == (
        "Turn on two-factor authentication before making a key that may withdraw."
    )
    # Without a password too: two-factor login being off is said first.
    assert refusal(web.account("POST", "/apikeys", WITHDRAW)) == (403, -8028)
    assert keys_of(web) == []
    # A trading key still takes the password alone on such an account.
    trade = {"permissions": ["read", "trade"], "ipAllowlist": ["127.0.0.1"], "password": PASSWORD}
    assert web.account("POST", "/apikeys", trade)[0] == 200


def test_an_unverified_email_makes_no_withdraw_key(server: ExchangeServer) -> None:
    web = WebUser(server)
    web.sign_up_only("unverified-withdraw@example.com")
    assert web.log_in("unverified-withdraw@example.com")[0] == 200
    answer = web.account("POST", "/apikeys", {**WITHDRAW, "password": PASSWORD})
    assert refusal(answer) == (403, -8020)
    assert keys_of(web) == []


def test_bad_permissions_name_all_three(server: ExchangeServer) -> None:
    web = WebUser(server)
    web.sign_up("perms@example.com")
    status, refused = web.account("POST", "/apikeys", {"permissions": ["read", "transfer"]})
    assert (status, refused["code"]) == (400, -8014)
    assert "'read', 'trade' and 'withdraw'" in refused["msg"], refused


def test_with_two_factor_it_takes_the_password_a_right_code_and_an_allowlist(
    server: ExchangeServer,
) -> None:
    web, secret = with_two_factor(server, "withdrawer@example.com")
    assert refusal(web.account("POST", "/apikeys", WITHDRAW)) == (403, -8024)
    no_code = {**WITHDRAW, "password": PASSWORD}
    assert refusal(web.account("POST", "/apikeys", no_code)) == (403, -8025)
    bad_code = {**WITHDRAW, "password": PASSWORD, "twoFactorCode": wrong_code(secret)}
    assert refusal(web.account("POST", "/apikeys", bad_code)) == (403, -8026)
    assert keys_of(web) == []  # no key was made

    code = code_at(secret, int(time.time()) + STEP_S)
    # No allowlist: refused before the code is checked, so the code is not used up.
    open_to_all = {"permissions": ["withdraw"], "password": PASSWORD, "twoFactorCode": code}
    status, refused = web.account("POST", "/apikeys", open_to_all)
    assert (status, refused["code"]) == (400, -8014)
    assert "needs an IP allowlist" in refused["msg"], refused
    assert keys_of(web) == []

    status, made = web.account(
        "POST", "/apikeys", {**WITHDRAW, "label": "payouts", "password": PASSWORD,
                             "twoFactorCode": code},
    )  # fmt: skip
    assert status == 200, made
    assert made["permissions"] == ["read", "withdraw"] and made["secretKey"]
    assert made["ipAllowlist"] == ["127.0.0.1/32"] and made["unrestricted"] is False
    # The same code again is refused: the server takes each code once.
    again = {**WITHDRAW, "password": PASSWORD, "twoFactorCode": code}
    assert refusal(web.account("POST", "/apikeys", again)) == (403, -8026)
    listed = keys_of(web)
    assert [(k["apiKey"], k["permissions"], k["label"]) for k in listed] == [
        (made["apiKey"], ["read", "withdraw"], "payouts")
    ]
    assert "secretKey" not in listed[0]
