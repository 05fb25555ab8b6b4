"""The markets overview a visitor sees first."""

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, expect

from conftest import new_page, screenshot


def test_markets_overview_lists_every_demo_market_live(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/")
    for symbol in ("KGLDKRW", "KSLVKRW", "KCUKRW", "KOILKRW", "BTCKRW", "ETHKRW", "BTCUSDT"):
        expect(page.locator(f"#market-{symbol}")).to_be_visible()
    # The demo market makers trade, so prices arrive over the stream.
    expect(page.locator("#market-KGLDKRW .last")).not_to_have_text("0")
    expect(page.locator(".sandbox-banner")).to_contain_text("Sandbox")
    screenshot(page, "markets-overview")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_markets_overview_in_korean_on_a_phone(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser, width=390, height=844, locale="ko-KR")
    page.goto(exchange.base_url + "/")
    expect(page.locator(".markets-head h1")).to_have_text("마켓")
    expect(page.locator("#market-KGLDKRW .asset-name")).to_have_text("토큰화 금")
    page.select_option("#language", "en")
    expect(page.locator(".markets-head h1")).to_have_text("Markets")
    # The table fits the phone's width: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "markets-phone")
    page.context.close()
