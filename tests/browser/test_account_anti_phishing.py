"""The anti-phishing code: set on the account page, then shown in the header of every page."""

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, expect

from conftest import PASSWORD, new_page, open_account_page, screenshot, sign_up, unique_email


def test_the_code_shows_in_the_header_once_set(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("phishing"))
    open_account_page(page, exchange)
    expect(page.locator("#anti-phishing")).to_have_count(0)
    expect(page.locator("#profile-anti-phishing")).to_have_text("Not set")

    page.fill("#phishing-code", "ab!")
    page.click("#phishing-save")
    expect(page.locator("#phishing-message")).to_have_text(
        "The anti-phishing code must have 4 to 20 letters or digits."
    )

    page.fill("#phishing-code", "Tiger42")
    page.click("#phishing-save")
    # A security setting: the password again.
    expect(page.locator("#phishing-message")).to_have_text("Enter your password to confirm.")
    page.fill("#phishing-confirm-password", "not the password")
    page.click("#phishing-save")
    expect(page.locator("#phishing-message")).to_have_text("The current password is not correct.")
    expect(page.locator("#profile-anti-phishing")).to_have_text("Not set")
    page.fill("#phishing-confirm-password", PASSWORD)
    page.click("#phishing-save")
    expect(page.locator("#phishing-message")).to_have_text("Your anti-phishing code is saved.")
    expect(page.locator("#anti-phishing")).to_contain_text("Tiger42")
    expect(page.locator("#profile-anti-phishing")).to_have_text("Tiger42")
    expect(page.locator("#phishing-current")).to_have_text("Tiger42")
    screenshot(page, "account-anti-phishing-set")

    # Every page's header shows it, after a reload too.
    page.goto(exchange.base_url + "/")
    expect(page.locator("#anti-phishing")).to_contain_text("Tiger42")
    open_account_page(page, exchange)
    expect(page.locator("#anti-phishing")).to_contain_text("Tiger42")

    page.fill("#phishing-code", "Otter2026")
    page.fill("#phishing-confirm-password", PASSWORD)
    page.click("#phishing-save")
    expect(page.locator("#anti-phishing")).to_contain_text("Otter2026")
    expect(page.locator("#profile-anti-phishing")).to_have_text("Otter2026")
    screenshot(page, "account-anti-phishing-changed")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
