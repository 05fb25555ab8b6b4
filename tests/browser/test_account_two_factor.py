"""Two-factor login in the browser: set up from the QR code's secret, then every login asks
for a code. The test is the authenticator app: it computes the codes with the server's own
RFC 6238 function from the secret the page shows."""

import re
import time

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect

from assetport.accounts.totp import STEP_S, code_at
from conftest import PASSWORD, new_page, open_account_page, screenshot, sign_up, unique_email


def current_code(secret: str) -> str:
    return code_at(secret, int(time.time()))


def next_code(secret: str) -> str:
    """The code of the next 30 s step: the server takes it (one step of drift), and it is
    later than any code used before, which the server refuses again."""
    return code_at(secret, int(time.time()) + STEP_S)


def wrong_code(secret: str) -> str:
    now = int(time.time())
    near = {code_at(secret, now + step * STEP_S) for step in range(-3, 4)}
    return next(code for code in (f"{d}" * 6 for d in range(10)) if code not in near)


def enrol(page: Page) -> str:
    """Sets up two-factor login on the open account page; returns the secret shown."""
    page.click("#totp-enroll")
    qr = page.locator("#totp-qr")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    # The QR code image has been drawn (not a broken image).
    page.wait_for_function("document.getElementById('totp-qr').naturalWidth > 0")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    return secret


def test_enrol_then_log_in_with_a_code(browser: Browser, exchange: ExchangeServer) -> None:
    email = unique_email("totp")
    page = new_page(browser)
    sign_up(page, exchange, email)
    open_account_page(page, exchange)
    expect(page.locator("#totp-state")).to_contain_text("Off")
    secret = enrol(page)
    screenshot(page, "account-totp-qr")

    page.fill("#totp-confirm-code", wrong_code(secret))
    page.click("#totp-confirm")
    expect(page.locator("#totp-message")).to_contain_text(
        "two-factor or recovery code is not valid"
    )
    page.fill("#totp-confirm-code", current_code(secret))
    page.click("#totp-confirm")
    expect(page.locator("#totp-done")).to_have_text("Two-factor login is on.")
    expect(page.locator("#profile-totp")).to_have_text("On")
    # The recovery codes are shown once; closed, they are gone from the page.
    expect(page.locator("#recovery-code-list li")).to_have_count(10)
    page.click("#recovery-saved")
    expect(page.locator("#recovery-codes")).to_have_count(0)
    # The secret is gone from the page once two-factor login is on.
    expect(page.locator("#totp-secret")).to_have_count(0)
    assert secret not in page.content()
    screenshot(page, "account-totp-enabled")

    page.click("#logout")
    expect(page).to_have_url(exchange.base_url + "/")
    page.goto(exchange.base_url + "/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
    expect(page.locator("#totp-row")).to_be_hidden()
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    # The server asks for the code: the field appears with a plain explanation.
    expect(page.locator("#totp-row")).to_be_visible()
    expect(page.locator("#form-error")).to_contain_text("Two-factor login is on for this account")
    expect(page.locator("#totp-code")).to_be_focused()
    screenshot(page, "account-login-totp-asked")

    page.fill("#totp-code", wrong_code(secret))
    page.click("#login-submit")
    expect(page.locator("#form-error")).to_contain_text("code is not valid")
    screenshot(page, "account-login-totp-wrong")
    page.fill("#totp-code", next_code(secret))
    page.click("#login-submit")
    expect(page).to_have_url(exchange.base_url + "/account")
    expect(page.locator("#profile-totp")).to_have_text("On")
    expect(page.locator("#totp-state")).to_contain_text("every login asks for a code")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_turn_two_factor_login_off_with_password_and_code(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("totp-off"))
    open_account_page(page, exchange)
    secret = enrol(page)
    page.fill("#totp-confirm-code", current_code(secret))
    page.click("#totp-confirm")
    expect(page.locator("#profile-totp")).to_have_text("On")

    page.click("#recovery-saved")

    page.fill("#totp-disable-code", next_code(secret))
    page.click("#totp-disable")
    expect(page.locator("#totp-message")).to_have_text("Enter your password to confirm.")
    page.fill("#totp-disable-password", PASSWORD)
    page.fill("#totp-disable-code", wrong_code(secret))
    page.click("#totp-disable")
    expect(page.locator("#totp-message")).to_contain_text(
        "two-factor or recovery code is not valid"
    )
    expect(page.locator("#profile-totp")).to_have_text("On")
    page.fill("#totp-disable-password", PASSWORD)
    page.fill("#totp-disable-code", next_code(secret))
    page.click("#totp-disable")
    expect(page.locator("#totp-done")).to_have_text("Two-factor login is off.")
    expect(page.locator("#profile-totp")).to_have_text("Off")
    expect(page.locator("#totp-enroll")).to_be_visible()
    screenshot(page, "account-totp-disabled")
    page.context.close()


def test_cancelling_the_set_up_changes_nothing(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("totp-cancel"))
    open_account_page(page, exchange)
    enrol(page)
    page.click("#totp-cancel")
    expect(page.locator("#totp-enroll")).to_be_visible()
    expect(page.locator("#totp-secret")).to_have_count(0)
    page.reload()
    expect(page.locator("#profile-totp")).to_have_text("Off")
    page.context.close()
