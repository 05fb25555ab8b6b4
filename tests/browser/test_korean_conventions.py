"""Korean conventions: red for up and blue for down in Korean (Upbit's), green and red in
English, a choice that holds across reloads; numbers and dates as each language writes them,
with the year; amounts at sensible decimals per asset; market search by Korean and English
names and by "BTC/KRW".

The formatting and search functions are called in a real page from their sources in web/src
(served to the page under /__source__/ by Playwright): they are what the pages import, and
asserting their answers in the browser's own Intl is what the user sees."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect

from conftest import call_module, new_page, screenshot, serve_sources

SYMBOL = "KGLDKRW"

# The colours base.css gives each convention, as getComputedStyle writes them.
GREEN = "rgb(14, 203, 129)"
RED = "rgb(246, 70, 93)"
KOREAN_RED = "rgb(247, 84, 103)"
KOREAN_BLUE = "rgb(76, 141, 255)"


def open_trade_page(page: Page, exchange: ExchangeServer) -> None:
    page.goto(f"{exchange.base_url}/trade/{SYMBOL}")
    # The market makers keep both sides of the book filled.
    expect(page.locator("#book-bids .book-row:not(.empty) .book-price").first).to_be_visible()
    expect(page.locator("#book-asks .book-row:not(.empty) .book-price").first).to_be_visible()


def colour_of(page: Page, selector: str) -> str:
    return page.eval_on_selector(selector, "node => getComputedStyle(node).color")


def up_down_colours(page: Page) -> tuple[str, str]:
    """The colours the page draws a rise and a fall in: the .up and .down classes every
    price change uses (a probe span, as whether a market is up now is the market makers'
    doing)."""
    up, down = page.evaluate(
        """() => ['up', 'down'].map((name) => {
            const probe = document.createElement('span');
            probe.className = name;
            document.body.append(probe);
            const colour = getComputedStyle(probe).color;
            probe.remove();
            return colour;
        })"""
    )
    return up, down


def bid_ask_colours(page: Page) -> tuple[str, str]:
    return (
        colour_of(page, "#book-bids .book-row:not(.empty) .book-price"),
        colour_of(page, "#book-asks .book-row:not(.empty) .book-price"),
    )


@pytest.mark.parametrize(
    ("locale", "width", "height", "up", "down", "name"),
    [
        ("en-US", 1280, 860, GREEN, RED, "en"),
        ("ko-KR", 1280, 860, KOREAN_RED, KOREAN_BLUE, "ko"),
        ("ko-KR", 390, 844, KOREAN_RED, KOREAN_BLUE, "ko-phone"),
    ],
)
def test_each_language_gets_its_own_up_and_down_colours(
    browser: Browser,
    exchange: ExchangeServer,
    locale: str,
    width: int,
    height: int,
    up: str,
    down: str,
    name: str,
) -> None:
    page = new_page(browser, width=width, height=height, locale=locale)
    open_trade_page(page, exchange)
    assert up_down_colours(page) == (up, down)
    # Bids (buyers lifting the price) take the up colour, asks the down colour.
    assert bid_ask_colours(page) == (up, down)
    screenshot(page, f"conventions-colours-{name}")
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_switching_the_language_switches_the_colours_unless_chosen(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, locale="en-US")
    open_trade_page(page, exchange)
    assert up_down_colours(page) == (GREEN, RED)
    page.select_option("#language", "ko")
    assert up_down_colours(page) == (KOREAN_RED, KOREAN_BLUE)
    page.select_option("#language", "en")
    assert up_down_colours(page) == (GREEN, RED)


def test_a_chosen_convention_holds_in_either_language_and_across_reloads(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, locale="en-US")
    serve_sources(page, exchange)
    open_trade_page(page, exchange)
    call_module(page, "colours.js", 'lib.setColourScheme("red-up");')
    assert up_down_colours(page) == (KOREAN_RED, KOREAN_BLUE)

    page.reload()
    expect(page.locator("html")).to_have_attribute("data-colours", "red-up")
    assert up_down_colours(page) == (KOREAN_RED, KOREAN_BLUE)
    screenshot(page, "conventions-colours-en-red-up")

    # A Korean reader who chose green keeps green.
    call_module(page, "colours.js", 'lib.setColourScheme("green-up");')
    page.select_option("#language", "ko")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    assert up_down_colours(page) == (GREEN, RED)

    # Back to automatic: the language decides again.
    call_module(page, "colours.js", "lib.setColourScheme(null);")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-colours", "red-up")
    assert up_down_colours(page) == (KOREAN_RED, KOREAN_BLUE)


def test_the_colour_control_names_its_choices_in_the_page_language(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, locale="ko-KR")
    serve_sources(page, exchange)
    page.goto(exchange.base_url + "/")
    expect(page.locator("#header .brand")).to_be_visible()
    labels = call_module(
        page,
        "colours.js",
        """const { translate } = await import("/__source__/lib/i18n.js");
        const control = lib.colourSchemeControl();
        const box = document.createElement("div");
        box.append(control);
        document.body.append(box);
        translate(box);
        control.value = "green-up";
        control.dispatchEvent(new Event("change"));
        return {
            label: control.getAttribute("aria-label"),
            options: [...control.options].map((option) => option.textContent),
            stored: localStorage.getItem("assetport.colours"),
            scheme: document.documentElement.dataset.colours,
        };""",
    )
    assert labels == {
        "label": "시세 색상",
        "options": ["색상: 언어 기본값", "상승 빨강, 하락 파랑", "상승 초록, 하락 빨강"],
        "stored": "green-up",
        "scheme": "green-up",
    }


def formatting(page: Page) -> Callable[..., Any]:
    def run(script: str, *args: Any) -> Any:
        return call_module(page, "i18n.js", script, *args)

    return run


def test_numbers_and_amounts_at_each_assets_decimals(
    browser: Browser, exchange: ExchangeServer
) -> None:
    for locale in ("en-US", "ko-KR"):
        page = new_page(browser, locale=locale)
        serve_sources(page, exchange)
        page.goto(exchange.base_url + "/")
        run = formatting(page)
        amounts = run(
            """return [
                lib.formatAsset("9896002.7", "KRW", 0),
                lib.formatAsset("130000000", "KRW", 0),
                lib.formatAsset("1234.5678", "USDT", 8),
                lib.formatAsset("0.999", "USDT", 8),
                lib.formatAsset("0.5", "BTC", 8),
                lib.formatAsset("12.34567", "KGLD", 4),
                lib.formatNumber("1234567.891"),
                lib.formatNumber("1234567.895", { decimals: 2, round: "half-up" }),
                lib.formatNumber("-0.004", { decimals: 2, round: "half-up" }),
                lib.formatNumber("-1234.5"),
                lib.formatNumber("not a number"),
                lib.formatNumber("12345678901234567890.123456789"),
            ];"""
        )
        # ko-KR and en-US write numbers alike; what differs is the dates.
        assert amounts == [
            "9,896,002",  # won have no fraction, and a balance is never rounded up
            "130,000,000",
            "1,234.56",  # a stablecoin to the cent
            "0.99",
            "0.50000000",  # bitcoin to the satoshi
            "12.3456",  # the gold token at its precision
            "1,234,567.891",
            "1,234,567.90",
            "0.00",
            "-1,234.5",
            "not a number",
            "12,345,678,901,234,567,890.123456789",  # exact beyond a float's 17 digits
        ], locale
        page.context.close()


def test_each_assets_decimals_come_from_the_listing(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, locale="ko-KR")
    serve_sources(page, exchange)
    page.goto(exchange.base_url + "/")
    shown = call_module(
        page,
        "i18n.js",
        """const decimal = await import("/__source__/lib/decimal.js");
        const info = await (await fetch("/api/v3/exchangeInfo")).json();
        const precisions = decimal.assetPrecisions(info);
        return {
            precisions: [precisions.KRW, precisions.USDT, precisions.BTC, precisions.KGLD],
            shown: ["KRW", "USDT", "BTC", "KGLD"].map((asset) =>
                lib.formatAsset("1234.123456789", asset, precisions[asset])),
        };""",
    )
    assert shown == {
        "precisions": [0, 8, 8, 4],
        "shown": ["1,234", "1,234.12", "1,234.12345678", "1,234.1234"],
    }


def test_dates_carry_the_year_in_each_languages_order(
    browser: Browser, exchange: ExchangeServer
) -> None:
    # Noon UTC on 15 March 2026: the same day in every time zone from UTC-11 to UTC+11.
    noon = 1773576000000
    expected = {
        "en-US": (r"03/15/2026, \d\d:\d\d:\d\d", r"03/15/2026, \d\d:\d\d", "03/15/2026"),
        "ko-KR": (
            r"2026\. 03\. 15\. \d\d:\d\d:\d\d",
            r"2026\. 03\. 15\. \d\d:\d\d",
            "2026. 03. 15.",
        ),
    }
    for locale, (with_seconds, without_seconds, date) in expected.items():
        page = new_page(browser, locale=locale)
        serve_sources(page, exchange)
        page.goto(exchange.base_url + "/")
        shown = formatting(page)(
            """const [ms] = args;
            return [
                lib.formatDateTime(ms),
                lib.formatDateTime(ms, { seconds: false }),
                lib.formatDate(ms),
            ];""",
            noon,
        )
        assert re.fullmatch(with_seconds, shown[0]), (locale, shown)
        assert re.fullmatch(without_seconds, shown[1]), (locale, shown)
        assert shown[2] == date, (locale, shown)
        page.context.close()


SEARCHES = {
    "BTC/KRW": ["BTCKRW"],
    "btc-krw": ["BTCKRW"],
    "btc krw": ["BTCKRW"],
    "BTC/": ["BTCKRW", "BTCUSDT"],
    "BTC": ["BTCKRW", "BTCUSDT"],
    "BTCUSDT": ["BTCUSDT"],
    "비트코인": ["BTCKRW", "BTCUSDT"],
    "비트코인/테더": ["BTCUSDT"],
    "ㅂㅌ": ["BTCKRW", "BTCUSDT"],  # the initial consonants of 비트코인
    "금": ["KGLDKRW"],
    "금 토큰": ["KGLDKRW"],
    "금토큰": ["KGLDKRW"],
    "gold": ["KGLDKRW"],
    "GLD": ["KGLDKRW"],
    "원유": ["KOILKRW"],
    "이더리움": ["ETHKRW"],
    "Ethereum": ["ETHKRW"],
    "구리": ["KCUKRW"],
    "dogecoin": [],
}


def test_search_finds_markets_by_pair_code_and_either_languages_names(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, locale="ko-KR")
    serve_sources(page, exchange)
    page.goto(exchange.base_url + "/")
    found = call_module(
        page,
        "market_search.js",
        """const info = await (await fetch("/api/v3/exchangeInfo")).json();
        const [queries] = args;
        return Object.fromEntries(queries.map((query) =>
            [query, lib.searchMarkets(info.symbols, query).map((market) => market.symbol)]));""",
        list(SEARCHES),
    )
    assert found == SEARCHES
    # A quote finds every market quoted in it; a base ranks above a quote.
    ranked = call_module(
        page,
        "market_search.js",
        """const info = await (await fetch("/api/v3/exchangeInfo")).json();
        return [
            lib.searchMarkets(info.symbols, "원화").map((market) => market.symbol),
            lib.searchMarkets(info.symbols, "").length === info.symbols.length,
            lib.assetName("KGLD"),
            lib.assetName("KGLD", "en"),
            lib.assetName("NOPE"),
        ];""",
    )
    krw_markets = sorted(
        ["KGLDKRW", "KSLVKRW", "KCUKRW", "KOILKRW", "KRE1KRW", "KCO2KRW", "BTCKRW", "ETHKRW"]
    )
    assert sorted(ranked[0]) == krw_markets
    assert ranked[1:] == [True, "토큰화 금", "Tokenized gold", "NOPE"]
