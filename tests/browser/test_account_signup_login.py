"""Signing up, logging in and out, and where each lands, in the browser."""

import re

from conftest import PASSWORD, new_page, open_account_page, screenshot, sign_up, unique_email
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, expect


def test_sign_up_shows_the_password_rule_and_lands_on_the_default_market(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/signup")
    expect(page.locator("h1")).to_have_text("Create your account")
    expect(page.locator("#password-rule")).to_contain_text("At least 10 characters")
    expect(page.locator("#password-count")).to_have_text("0 of 10 characters")
    screenshot(page, "account-signup")

    email = unique_email("newcomer")
    page.fill("#email", email)
    page.fill("#password", "short")
    expect(page.locator("#password-count")).to_have_text("5 of 10 characters")
    page.fill("#password-confirm", "short")
    page.click("#signup-submit")
    expect(page.locator("#form-error")).to_have_text(
        "The password must have at least 10 characters."
    )
    page.fill("#password", PASSWORD)
    expect(page.locator("#password-count")).to_have_text("✓ Long enough")
    page.click("#signup-submit")
    expect(page.locator("#form-error")).to_have_text("The two passwords differ.")
    screenshot(page, "account-signup-errors")

    default_symbol = page.locator("body").get_attribute("data-default-symbol")
    assert default_symbol
    page.fill("#password-confirm", PASSWORD)
    page.click("#signup-submit")
    expect(page).to_have_url(f"{exchange.base_url}/trade/{default_symbol}")
    # Logged in: the header names the user on every page.
    open_account_page(page, exchange)
    expect(page.locator("#user-email")).to_have_text(email)
    expect(page.locator("#profile-email")).to_have_text(email)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_sign_up_returns_to_the_page_it_came_from(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/")
    page.click("#signup-link")
    expect(page).to_have_url(exchange.base_url + "/signup")
    page.fill("#email", unique_email("from-markets"))
    page.fill("#password", PASSWORD)
    page.fill("#password-confirm", PASSWORD)
    page.click("#signup-submit")
    expect(page).to_have_url(exchange.base_url + "/")
    expect(page.locator("#logout")).to_be_visible()
    page.context.close()


def test_an_address_signs_up_once(browser: Browser, exchange: ExchangeServer) -> None:
    email = unique_email("twice")
    first = new_page(browser)
    sign_up(first, exchange, email)
    first.context.close()

    page = new_page(browser)
    page.goto(exchange.base_url + "/signup")
    page.fill("#email", email.upper())  # the server normalises addresses
    page.fill("#password", PASSWORD)
    page.fill("#password-confirm", PASSWORD)
    page.click("#signup-submit")
    expect(page.locator("#form-error")).to_contain_text(
        "An account with this email address already exists."
    )
    expect(page).to_have_url(exchange.base_url + "/signup")
    page.context.close()


def test_the_account_page_asks_for_a_login_and_returns_after_it(
    browser: Browser, exchange: ExchangeServer
) -> None:
    email = unique_email("returning")
    first = new_page(browser)
    sign_up(first, exchange, email)
    first.context.close()

    page = new_page(browser)
    page.goto(exchange.base_url + "/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
    page.fill("#email", email)
    page.fill("#password", "not the password")
    page.click("#login-submit")
    expect(page.locator("#form-error")).to_have_text("Invalid email or password.")
    # The wrong password is not kept in the form.
    expect(page.locator("#password")).to_have_value("")
    expect(page.locator("#totp-row")).to_be_hidden()
    screenshot(page, "account-login-wrong-password")

    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(exchange.base_url + "/account")
    expect(page.locator("#profile-email")).to_have_text(email)
    expect(page.locator("#profile-totp")).to_have_text("Off")
    screenshot(page, "account-page")

    page.click("#logout")
    expect(page).to_have_url(exchange.base_url + "/")
    expect(page.locator("#login-link")).to_be_visible()
    page.goto(exchange.base_url + "/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_too_many_wrong_passwords_are_refused_plainly(
    browser: Browser, exchange: ExchangeServer
) -> None:
    email = unique_email("locked")
    first = new_page(browser)
    sign_up(first, exchange, email)
    first.context.close()

    page = new_page(browser)
    page.goto(exchange.base_url + "/login")
    page.fill("#email", email)
    error = page.locator("#form-error")
    for attempt in range(5):
        page.fill("#password", f"wrong password {attempt}")
        page.click("#login-submit")
        expect(error).to_have_text("Invalid email or password.")
        # Let the next answer replace this one visibly.
        page.evaluate("document.getElementById('form-error').textContent = ''")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(error).to_have_text("Too many login attempts. Wait a few minutes and try again.")
    screenshot(page, "account-login-too-many")
    page.context.close()


def test_log_out_everywhere_ends_the_other_browsers_session(
    browser: Browser, exchange: ExchangeServer
) -> None:
    email = unique_email("everywhere")
    laptop = new_page(browser)
    sign_up(laptop, exchange, email)
    phone = new_page(browser, width=390, height=844)
    phone.goto(exchange.base_url + "/login?next=/account")
    phone.fill("#email", email)
    phone.fill("#password", PASSWORD)
    phone.click("#login-submit")
    expect(phone.locator("#profile-email")).to_have_text(email)
    screenshot(phone, "account-page-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    open_account_page(laptop, exchange)
    laptop.click("#logout-all")
    expect(laptop.locator("#sessions")).to_contain_text("Log out of every session now?")
    laptop.click("#logout-all-confirm")
    expect(laptop).to_have_url(exchange.base_url + "/login")

    phone.reload()
    expect(phone).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
    laptop.context.close()
    phone.context.close()
