"""`GET /api/v1/account/session`, which every page asks on load: 200 whether or not the
browser is logged in, so a visitor's page shows no failed request; `/me` still says 401."""

from collections.abc import Iterator

import pytest
from account_web_client import ExchangeServer, WebUser, account_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with account_server(tmp_path_factory.mktemp("accounts") / "data") as running:
        yield running


def test_a_visitor_is_told_plainly_that_nobody_is_logged_in(server: ExchangeServer) -> None:
    status, answer = WebUser(server).account("GET", "/session")
    assert (status, answer) == (200, {"loggedIn": False})
    status, answer = WebUser(server).account("GET", "/me")
    assert (status, answer["code"]) == (401, -8008)


def test_a_logged_in_browser_gets_its_profile_and_csrf_token(server: ExchangeServer) -> None:
    web = WebUser(server)
    signed_up = web.sign_up("probe@example.com")
    status, answer = web.account("GET", "/session")
    assert status == 200, answer
    assert answer["loggedIn"] is True
    assert answer["userId"] == signed_up["userId"] and answer["email"] == "probe@example.com"
    assert answer["csrfToken"] == signed_up["csrfToken"]
    assert answer["antiPhishingCode"] is None


def test_an_ended_session_is_nobody(server: ExchangeServer) -> None:
    web = WebUser(server)
    web.sign_up("ended@example.com")
    stale = web.cookie
    assert web.account("POST", "/logout")[0] == 200
    web.cookie = stale  # the browser kept the old cookie: it opens nothing
    assert web.account("GET", "/session") == (200, {"loggedIn": False})
    web.cookie = "ap_session=not-a-session"
    assert web.account("GET", "/session") == (200, {"loggedIn": False})
