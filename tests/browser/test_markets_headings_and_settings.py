"""Leftovers of issue #15 on the markets page: one h1 whether the landing hero shows or not,
and the table's sort and tab kept across a reload (this browser's localStorage)."""

import re

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect

from conftest import new_page, screenshot, sign_up, unique_email

LOCALES = {"en": "en-US", "ko": "ko-KR"}
TITLES = {"en": "Markets", "ko": "마켓"}
ROWS = "#markets-body tr.market-row"


def open_markets(page: Page, exchange: ExchangeServer) -> None:
    page.goto(exchange.base_url + "/markets")
    expect(page.locator("#market-KGLDKRW")).to_be_visible()


def assert_one_h1(page: Page, lang: str) -> None:
    """The page's one h1 names it; the hero, when shown, is a section under it."""
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(TITLES[lang])


def test_a_visitor_sees_one_h1_with_the_hero(browser: Browser, exchange: ExchangeServer) -> None:
    for lang in LOCALES:
        page = new_page(browser, locale=LOCALES[lang])
        open_markets(page, exchange)
        expect(page.locator("#landing-hero")).to_be_visible()
        assert_one_h1(page, lang)
        # The hero's title an h2, its steps' titles h3.
        assert page.locator("#hero-title").evaluate("(node) => node.tagName") == "H2"
        expect(page.locator("#hero-steps h3")).to_have_count(3)
        assert page.script_errors == []  # type: ignore[attr-defined]
        page.context.close()


def test_a_logged_in_user_sees_one_h1_with_the_hero_and_without(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("headings"))
    open_markets(page, exchange)
    expect(page.locator("#landing-hero")).to_be_visible()
    expect(page.locator("#hero-dismiss")).to_be_visible()
    assert_one_h1(page, "en")
    screenshot(page, "markets-one-h1-user")
    # The hero hidden: the title is still the page's one h1.
    page.click("#hero-dismiss")
    expect(page.locator("#landing-hero")).to_have_count(0)
    assert_one_h1(page, "en")
    page.reload()
    expect(page.locator("#market-KGLDKRW")).to_be_visible()
    expect(page.locator("#landing-hero")).to_have_count(0)
    assert_one_h1(page, "en")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def sorted_by(page: Page) -> dict[str, str | None]:
    header = page.locator("#markets-table th[aria-sort]")
    expect(header).to_have_count(1)
    return {
        "key": header.get_attribute("data-sort-key"),
        "direction": header.get_attribute("aria-sort"),
    }


def shown_symbols(page: Page) -> list[str]:
    symbols: list[str] = page.locator(ROWS).evaluate_all(
        "rows => rows.map((row) => row.dataset.symbol)"
    )
    return symbols


@pytest.mark.parametrize(("lang", "phone"), [("en", False), ("ko", True)])
def test_the_sort_and_the_quote_tab_are_kept_across_a_reload(
    browser: Browser, exchange: ExchangeServer, lang: str, phone: bool
) -> None:
    size = {"width": 390, "height": 844} if phone else {}
    page = new_page(browser, locale=LOCALES[lang], **size)
    open_markets(page, exchange)
    expect(page.locator("#tab-all")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#markets-table th[aria-sort]")).to_have_count(0)

    # The market column, Z to A (a second click), and the KRW tab.
    page.click("#sort-market")
    page.click("#sort-market")
    assert sorted_by(page) == {"key": "market", "direction": "descending"}
    page.click("#tab-KRW")
    expect(page.locator("#tab-KRW")).to_have_attribute("aria-pressed", "true")
    before = shown_symbols(page)
    assert before and all(symbol.endswith("KRW") for symbol in before)
    assert before == sorted(before, reverse=True)

    page.reload()
    expect(page.locator("#market-KGLDKRW")).to_be_visible()
    assert sorted_by(page) == {"key": "market", "direction": "descending"}
    expect(page.locator("#sort-market .sort-mark")).to_have_text("▼")
    expect(page.locator("#tab-KRW")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#tab-all")).to_have_attribute("aria-pressed", "false")
    assert shown_symbols(page) == before
    screenshot(page, f"markets-kept-sort-and-tab-{lang}")

    # The USDT tab and the biggest 24 h volume first: kept as well.
    page.click("#tab-USDT")
    page.click("#sort-volume")
    assert sorted_by(page) == {"key": "volume", "direction": "descending"}
    page.reload()
    expect(page.locator("#tab-USDT")).to_have_attribute("aria-pressed", "true")
    assert sorted_by(page) == {"key": "volume", "direction": "descending"}
    usdt = shown_symbols(page)
    assert usdt and all(symbol.endswith("USDT") for symbol in usdt)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_the_favourites_tab_is_kept_and_bad_settings_are_ignored(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    open_markets(page, exchange)
    page.click("#market-KSLVKRW .favourite-star")
    page.click("#tab-favourites")
    expect(page.locator(ROWS)).to_have_count(1)
    page.reload()
    expect(page.locator("#tab-favourites")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("#market-KSLVKRW")).to_be_visible()

    # What the page cannot use (an unknown column, a quote no market has, unreadable
    # text) leaves the table in its own order, on All.
    for sort, tab in (
        ('{"key": "colour", "direction": "descending"}', '{"quote": "EUR", "favourites": false}'),
        ("not json", "[1, 2]"),
    ):
        page.evaluate(
            """([sort, tab]) => {
                localStorage.setItem('assetport.marketsSort', sort);
                localStorage.setItem('assetport.marketsTab', tab);
            }""",
            [sort, tab],
        )
        page.reload()
        expect(page.locator("#market-KGLDKRW")).to_be_visible()
        expect(page.locator("#tab-all")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#markets-table th[aria-sort]")).to_have_count(0)
        expect(page.locator("#sort-market .sort-mark")).to_have_text(re.compile("↕"))
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
