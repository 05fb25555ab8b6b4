"""A key that may withdraw, made on the account page: refused (with the catalogue's text)
while two-factor login is off, then made with an IP allowlist, the password and a code from
the authenticator (the test computes the codes from the secret the page shows), and listed
with its withdraw permission."""

import re
import time

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect

from assetport.accounts.totp import STEP_S, code_at
from conftest import PASSWORD, new_page, open_account_page, screenshot, sign_up, unique_email


def turn_on_two_factor(page: Page) -> str:
    """Sets up two-factor login on the open account page with the current code; returns the
    secret. The next code the server takes is the next step's."""
    page.click("#totp-enroll")
    expect(page.locator("#totp-qr")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    page.fill("#totp-confirm-code", code_at(secret, int(time.time())))
    page.click("#totp-confirm")
    expect(page.locator("#profile-totp")).to_have_text("On")
    page.click("#recovery-saved")
    return secret


def wrong_code(secret: str) -> str:
    now = int(time.time())
    near = {code_at(secret, now + step * STEP_S) for step in range(-3, 4)}
    return next(code for code in (f"{d}" * 6 for d in range(10)) if code not in near)


def test_a_withdraw_key_needs_two_factor_an_allowlist_and_a_code(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("withdraw-key"))
    open_account_page(page, exchange)
    message = page.locator("#api-key-message")

    # Ticked, the box says what such a key takes, and asks for the password.
    expect(page.locator("#api-key-withdraw-note")).to_be_hidden()
    page.check("#api-key-withdraw")
    expect(page.locator("#api-key-withdraw-note")).to_contain_text("IP allowlist")
    expect(page.locator("#api-key-withdraw-note")).to_contain_text("two-factor login")
    expect(page.locator("#api-key-password")).to_be_visible()
    page.fill("#api-key-label", "payouts")
    page.click("#api-key-create")
    expect(message).to_have_text(
        "A key that may withdraw needs an IP allowlist: enter the addresses your program runs from."
    )
    page.fill("#api-key-ips", "127.0.0.1")
    page.fill("#api-key-password", PASSWORD)
    page.click("#api-key-create")
    # Two-factor login is off: the server refuses, and the page says so in its own words.
    expect(message).to_have_text(
        "Turn on two-factor login on your account page before making a key that may withdraw."
    )
    expect(page.locator("tr.api-key-row")).to_have_count(0)
    screenshot(page, "account-withdraw-key-needs-2fa")

    secret = turn_on_two_factor(page)
    # Now the form asks for a code too.
    expect(page.locator("#api-key-code")).to_be_visible()
    page.fill("#api-key-password", PASSWORD)
    page.fill("#api-key-code", wrong_code(secret))
    page.click("#api-key-create")
    expect(message).to_contain_text("two-factor or recovery code is not valid")
    expect(page.locator("tr.api-key-row")).to_have_count(0)

    page.fill("#api-key-password", PASSWORD)
    page.fill("#api-key-code", code_at(secret, int(time.time()) + STEP_S))
    screenshot(page, "account-withdraw-key-form")
    page.click("#api-key-create")
    expect(page.locator("#api-key-created")).to_be_visible()
    api_key = page.locator("#new-api-key").inner_text()
    row = page.locator(f"tr.api-key-row[data-api-key='{api_key}']")
    expect(row.locator(".key-label")).to_have_text("payouts")
    expect(row.locator(".key-permissions")).to_have_text("readwithdraw")
    expect(row.locator(".key-permissions .perm-withdraw")).to_have_text("withdraw")
    expect(row.locator(".key-ips")).to_have_text("127.0.0.1/32")
    expect(row.locator(".key-warning")).to_have_count(0)
    screenshot(page, "account-withdraw-key-listed")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
