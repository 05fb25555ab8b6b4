"""Signing up, logging in and out, and where each lands, in the browser."""

import re

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, expect

from conftest import (
    PASSWORD,
    find_mail,
    log_in_on_page,
    new_page,
    open_account_page,
    open_mail,
    screenshot,
    sign_up,
    submit_sign_up,
    unique_email,
    verify_and_log_in,
)

# What the page says to a refused login (web/src/messages/errors.js, code -8004).
WRONG_LOGIN = "The email or password is not correct. Check both and try again."


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
    page.check("#signup-terms")
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

    page.fill("#password", "password123")  # long enough, and one of the commonest
    page.fill("#password-confirm", "password123")
    page.click("#signup-submit")
    expect(page.locator("#form-error")).to_contain_text("too common or too easy to guess")
    page.fill("#password", PASSWORD)

    default_symbol = page.locator("body").get_attribute("data-default-symbol")
    assert default_symbol
    page.fill("#password-confirm", PASSWORD)
    page.click("#signup-submit")
    # "Check your mail", whether or not the address had an account; no session yet.
    expect(page.locator("#signup-done h1")).to_have_text("Check your mail")
    expect(page.locator("#signup-check-mail")).to_contain_text(email)
    expect(page.locator("#open-mailbox")).to_be_visible()  # the sandbox's own mailbox
    screenshot(page, "account-signup-check-mail")
    page.click("#open-mailbox")
    expect(page).to_have_url(f"{exchange.base_url}/sandbox/mail")
    find_mail(page, exchange, ".mail-subject")  # the mail is sent after the answer: refreshed
    expect(page.locator("article.mail").first).to_contain_text("Confirm your email address")
    screenshot(page, "account-sandbox-mailbox")
    verify_and_log_in(page, exchange, email)
    expect(page).to_have_url(f"{exchange.base_url}/trade/{default_symbol}")
    # Logged in: the header names the user on every page.
    open_account_page(page, exchange)
    expect(page.locator("#profile-verified")).to_have_text("Verified")
    expect(page.locator("#user-email")).to_have_text(email)
    expect(page.locator("#profile-email")).to_have_text(email)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_sign_up_then_log_in_before_verifying_returns_to_the_page_it_came_from(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/")
    page.click("#signup-link")
    expect(page).to_have_url(exchange.base_url + "/signup")
    email = unique_email("from-markets")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password-confirm", PASSWORD)
    page.check("#signup-terms")
    page.click("#signup-submit")
    expect(page.locator("#signup-done")).to_be_visible()
    page.click("#to-login")  # logging in needs no verified address: looking is allowed
    log_in_on_page(page, email)
    expect(page).to_have_url(exchange.base_url + "/")
    expect(page.locator("#logout")).to_be_visible()
    # The account page says what is missing, and the sandbox's mailbox is a click away.
    open_account_page(page, exchange)
    expect(page.locator("#profile-verified")).to_have_text("Not verified")
    expect(page.locator("#unverified")).to_contain_text("Verify your address to trade")
    page.click("#resend-verification")
    expect(page.locator("#resend-message")).to_have_text("A new link is on its way.")
    screenshot(page, "account-page-unverified")
    page.context.close()


def test_a_second_sign_up_looks_the_same_and_warns_the_owner(
    browser: Browser, exchange: ExchangeServer
) -> None:
    email = unique_email("twice")
    owner = new_page(browser)
    sign_up(owner, exchange, email)

    page = new_page(browser)
    submit_sign_up(page, exchange, email.upper())  # the server normalises addresses
    expect(page.locator("#signup-done h1")).to_have_text("Check your mail")
    page.goto(exchange.base_url + "/sandbox/mail")  # the stranger's browser gets no mail
    expect(page.locator("#mail-none")).to_be_visible()
    page.context.close()
    # The owner's browser has the warning, which links to the login and the reset pages.
    warning = find_mail(owner, exchange, '.mail-subject:has-text("Someone tried to sign up")')
    expect(warning).to_be_visible()
    expect(owner.locator("article.mail").first).to_contain_text("already has an account")
    screenshot(owner, "account-sandbox-mail-sign-up-attempt")
    owner.context.close()


def test_forgot_password_then_reset_through_the_mailed_link(
    browser: Browser, exchange: ExchangeServer
) -> None:
    email = unique_email("forgetful")
    page = new_page(browser)
    sign_up(page, exchange, email)
    page.click("#logout")
    # The logged-out header is drawn once the logout's own navigation has ended.
    expect(page.locator("#login-link")).to_be_visible()
    page.goto(exchange.base_url + "/login")
    page.click("#forgot-password")
    expect(page.locator("h1")).to_have_text("Reset your password")
    page.fill("#email", email)
    page.click("#reset-send")
    expect(page.locator("#reset-sent")).to_contain_text("a link is on its way")
    open_mail(page, exchange, "/reset-password#token=")
    expect(page.locator("h1")).to_have_text("Choose a new password")
    page.fill("#password", "a fresh passphrase today")
    page.fill("#password-confirm", "a fresh passphrase today")
    page.click("#reset-submit")
    expect(page.locator("#reset-done")).to_contain_text("Your password is set")
    screenshot(page, "account-password-reset")
    page.click("#to-login")
    log_in_on_page(page, email, "a fresh passphrase today")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_change_password_on_the_account_page(browser: Browser, exchange: ExchangeServer) -> None:
    email = unique_email("changer")
    page = new_page(browser)
    sign_up(page, exchange, email)
    open_account_page(page, exchange)
    page.fill("#password-current", "not the password")
    page.fill("#password-new", "a fresh passphrase today")
    page.fill("#password-new-confirm", "a fresh passphrase today")
    page.click("#password-change")
    expect(page.locator("#password-message")).to_have_text("The current password is not correct.")
    page.fill("#password-current", PASSWORD)
    page.click("#password-change")
    expect(page.locator("#password-message")).to_contain_text("Your password is changed.")
    screenshot(page, "account-password-changed")
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
    expect(page.locator("#form-error")).to_have_text(WRONG_LOGIN)
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
        expect(error).to_have_text(WRONG_LOGIN)
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
