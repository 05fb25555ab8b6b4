"""The sandbox's test funds from the account page: a new user gets them and sees them."""

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, expect

from conftest import new_page, open_account_page, screenshot, sign_up, unique_email


def test_sign_up_use_the_faucet_and_see_the_balances(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("faucet"))
    open_account_page(page, exchange)
    balances = page.locator("#account-balances")
    expect(balances).to_contain_text("No funds yet.")

    page.click("#account-faucet")
    expect(page.locator("#account-faucet-message")).to_contain_text("Credited:")
    expect(page.locator("#account-faucet-message")).to_contain_text("10,000,000 KRW")
    expect(balances.locator("tr[data-asset=KRW] .free")).to_have_text("10,000,000")
    expect(balances.locator("tr[data-asset=KGLD] .free")).to_have_text("50")
    expect(balances.locator("tr[data-asset=BTC] .free")).to_have_text("0.1")
    expect(balances.locator("tr[data-asset=KRW] .locked")).to_have_text("0")
    screenshot(page, "account-faucet")

    # Once an hour: a second request says so plainly, and the balances stay.
    page.click("#account-faucet")
    expect(page.locator("#account-faucet-message")).to_have_text(
        "You already had test funds this hour. Try again later."
    )
    expect(balances.locator("tr[data-asset=KRW] .free")).to_have_text("10,000,000")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_the_banners_faucet_button_fills_the_balances_on_the_account_page(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("banner-faucet"))
    open_account_page(page, exchange)
    page.click("#faucet")
    expect(page.locator("#faucet-message")).to_contain_text("Test funds credited:")
    expect(page.locator("#account-balances tr[data-asset=KSLV] .free")).to_have_text("1,000")
    screenshot(page, "account-faucet-banner")
    # The message follows a language switch like every other text.
    page.select_option("#language", "ko")
    expect(page.locator("#faucet-message")).to_contain_text("테스트 자금이 입금되었습니다:")
    expect(page.locator("#faucet-message")).to_contain_text("1,000 KSLV")
    page.select_option("#language", "en")
    expect(page.locator("#faucet-message")).to_contain_text("Test funds credited:")
    page.context.close()


def test_a_visitor_sees_no_faucet_button(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/")
    expect(page.locator(".sandbox-banner")).to_contain_text("Sandbox")
    expect(page.locator("#faucet")).to_have_count(0)
    page.context.close()
