"""The markets page's tools traders expect (#15): favourites, sortable columns, whole rows
that open their market, in English and Korean, at a desktop's and a phone's size.

Sorting is checked against the API's own figures: the page is given the real
/api/v3/ticker/24hr answer, held still (the demo's market makers trade all the time, and a
moving table cannot be compared with a snapshot), and the order is computed here again
exactly, with Decimal and Fraction, never floats. The stream is the test's: it answers the
page's liveness probe and sends the updates a test wants to see the page follow.
"""

import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Locator, Page, Route, WebSocketRoute, expect

from conftest import call_module, new_page, screenshot, serve_sources

LOCALES = {"en": "en-US", "ko": "ko-KR"}
PHONE = {"width": 390, "height": 844}
TEXTS = {
    "en": {
        "favourites": "Favourites",
        "star": "Favourite {market}",
        "noFavourites": "No favourites yet",
    },
    "ko": {
        "favourites": "관심",
        "star": "{market} 관심 마켓",
        "noFavourites": "관심 마켓이 없습니다",
    },
}
ROWS = "#markets-body tr.market-row"


class HeldMarkets:
    """The page's market data held still: the ticker snapshot is the API's first answer,
    served again for every later request, and the stream is a socket the test writes to."""

    def __init__(self, page: Page) -> None:
        self.tickers: list[dict[str, Any]] | None = None
        self.sockets: list[WebSocketRoute] = []
        page.route("**/api/v3/ticker/24hr", self._tickers)
        page.route_web_socket(re.compile(r".*/stream\?.*"), self._stream)

    def _tickers(self, route: Route) -> None:
        if self.tickers is None:
            self.tickers = route.fetch().json()
        route.fulfill(json=self.tickers)

    def _stream(self, socket: WebSocketRoute) -> None:
        self.sockets.append(socket)

        # The page asks a quiet stream whether it is there: it is.
        def answer(message: str | bytes) -> None:
            request = json.loads(message)
            socket.send(json.dumps({"result": ["!miniTicker@arr"], "id": request["id"]}))

        socket.on_message(answer)

    def ticker(self, symbol: str) -> dict[str, Any]:
        assert self.tickers is not None
        return next(ticker for ticker in self.tickers if ticker["symbol"] == symbol)

    def update(self, symbol: str, **fields: str) -> None:
        """A stream tick of one market (kept in the snapshot too, for a refetch)."""
        ticker = self.ticker(symbol)
        ticker.update(fields)
        names = {"o": "openPrice", "c": "lastPrice", "h": "highPrice", "l": "lowPrice"}
        names |= {"v": "volume", "q": "quoteVolume"}
        data = {"e": "24hrMiniTicker", "s": symbol} | {k: ticker[v] for k, v in names.items()}
        self.sockets[-1].send(json.dumps({"stream": "!miniTicker@arr", "data": [data]}))


def shown_symbols(page: Page) -> list[str]:
    symbols: list[str] = page.locator(ROWS).evaluate_all(
        "rows => rows.map((row) => row.dataset.symbol)"
    )
    return symbols


def change_of(ticker: dict[str, Any]) -> Fraction | None:
    """The 24 h change as an exact fraction; None for a market with no open price."""
    opened = Decimal(ticker["openPrice"])
    if opened == 0:
        return None
    return (Fraction(Decimal(ticker["lastPrice"])) - Fraction(opened)) / Fraction(opened)


def volume_of(ticker: dict[str, Any]) -> Fraction | None:
    return Fraction(Decimal(ticker["volume"]))


def assert_ordered(page: Page, held: HeldMarkets, key: Any, descending: bool) -> list[str]:
    """The rows are in the order of `key` (markets without a value last), and there was
    something to order: at least two different values."""
    symbols = shown_symbols(page)
    values = [key(held.ticker(symbol)) for symbol in symbols]
    known = [value for value in values if value is not None]
    assert all(value is None for value in values[len(known) :]), (symbols, values)
    assert known == sorted(known, reverse=descending), (symbols, values)
    assert len(set(known)) > 1, values
    return symbols


def star_of(page: Page, symbol: str) -> Locator:
    return page.locator(f"#market-{symbol} .favourite-star")


def open_markets(page: Page, exchange: ExchangeServer) -> None:
    page.goto(exchange.base_url + "/")
    expect(page.locator("#market-KGLDKRW")).to_be_visible()


@pytest.mark.parametrize(("lang", "phone"), [("en", False), ("ko", True)])
def test_favourites_are_kept_across_a_reload_and_fill_their_tab(
    browser: Browser, exchange: ExchangeServer, lang: str, phone: bool
) -> None:
    page = new_page(browser, locale=LOCALES[lang], **(PHONE if phone else {}))
    open_markets(page, exchange)
    gold = star_of(page, "KGLDKRW")
    bitcoin = star_of(page, "BTCKRW")
    expect(gold).to_have_attribute("aria-pressed", "false")
    # A real button, named in the page's language after its market.
    named = TEXTS[lang]["star"].format(market="KGLD/KRW")
    expect(page.get_by_role("button", name=named, exact=True)).to_be_visible()

    gold.click()
    bitcoin.click()
    expect(gold).to_have_attribute("aria-pressed", "true")
    expect(bitcoin).to_have_attribute("aria-pressed", "true")
    # The star is not the row: it does not open the trade page.
    expect(page).to_have_url(exchange.base_url + "/")

    page.reload()
    expect(star_of(page, "KGLDKRW")).to_have_attribute("aria-pressed", "true")
    expect(star_of(page, "BTCKRW")).to_have_attribute("aria-pressed", "true")
    expect(star_of(page, "ETHKRW")).to_have_attribute("aria-pressed", "false")

    tab = page.locator("#tab-favourites")
    expect(tab).to_have_text(TEXTS[lang]["favourites"])
    tab.click()
    expect(tab).to_have_attribute("aria-pressed", "true")
    expect(page.locator(ROWS)).to_have_count(2)
    assert sorted(shown_symbols(page)) == ["BTCKRW", "KGLDKRW"]
    screenshot(page, f"markets-favourites-{lang}{'-phone' if phone else ''}")

    # Unstarred in its tab, a market leaves it; the focus moves to the star that follows.
    star_of(page, "KGLDKRW").click()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(star_of(page, "BTCKRW")).to_be_focused()
    star_of(page, "BTCKRW").click()
    expect(page.locator(ROWS)).to_have_count(0)
    expect(page.locator("#markets-none")).to_contain_text(TEXTS[lang]["noFavourites"])
    expect(tab).to_be_focused()
    page.locator("#tab-all").click()
    expect(page.locator("#market-ETHKRW")).to_be_visible()
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_sorting_by_change_and_volume_follows_the_apis_figures(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    page = new_page(browser, locale=LOCALES[lang])
    held = HeldMarkets(page)
    open_markets(page, exchange)
    everything = sorted(shown_symbols(page))

    change = page.locator("th[data-sort-key='change']")
    expect(change).not_to_have_attribute("aria-sort", re.compile(".*"))
    page.click("#sort-change")
    expect(change).to_have_attribute("aria-sort", "descending")
    assert_ordered(page, held, change_of, descending=True)
    page.click("#sort-change")
    expect(change).to_have_attribute("aria-sort", "ascending")
    assert_ordered(page, held, change_of, descending=False)
    assert sorted(shown_symbols(page)) == everything
    screenshot(page, f"markets-sorted-change-{lang}")

    # By keyboard: the header's button, Enter then Space.
    volume = page.locator("th[data-sort-key='volume']")
    page.locator("#sort-volume").focus()
    page.keyboard.press("Enter")
    expect(volume).to_have_attribute("aria-sort", "descending")
    expect(change).not_to_have_attribute("aria-sort", re.compile(".*"))
    top = assert_ordered(page, held, volume_of, descending=True)[0]
    # The figure shown is the API's, to the digit.
    shown = page.locator(f"#market-{top} .volume").inner_text().replace(",", "")
    assert Decimal(shown) == Decimal(held.ticker(top)["volume"])
    page.keyboard.press("Space")
    expect(volume).to_have_attribute("aria-sort", "ascending")
    assert_ordered(page, held, volume_of, descending=False)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_the_order_and_the_focus_hold_while_the_stream_updates_rows(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, locale=LOCALES["ko"], **PHONE)
    held = HeldMarkets(page)
    open_markets(page, exchange)
    page.click("#sort-volume")
    symbols = assert_ordered(page, held, volume_of, descending=True)
    mover = symbols[-1]
    link = page.locator(f"#market-{mover} .market-link")
    link.focus()

    # The least traded market trades the most: the tick moves it to the top, the table stays
    # sorted by volume, and the keyboard focus moves with its row.
    biggest = max(Decimal(held.ticker(symbol)["volume"]) for symbol in symbols)
    held.update(mover, volume=str(biggest * 10 + Decimal("0.0001")))
    expect(page.locator(ROWS).first).to_have_id(f"market-{mover}")
    expect(page.locator("th[data-sort-key='volume']")).to_have_attribute("aria-sort", "descending")
    assert_ordered(page, held, volume_of, descending=True)
    expect(link).to_be_focused()
    # Four columns fit a phone's width, the longer volume too: no sideways scrolling.
    widths = page.locator(".table-scroll").evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert widths[0] <= widths[1], widths
    screenshot(page, "markets-sorted-volume-live-ko-phone")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize(("lang", "phone"), [("en", False), ("ko", True)])
def test_a_click_on_a_rows_empty_space_opens_its_trade_page(
    browser: Browser, exchange: ExchangeServer, lang: str, phone: bool
) -> None:
    page = new_page(browser, locale=LOCALES[lang], **(PHONE if phone else {}))
    open_markets(page, exchange)
    # The change cell: no link, no button, only the row.
    page.locator("#market-ETHKRW td.change").click()
    expect(page).to_have_url(exchange.base_url + "/trade/ETHKRW")

    # The market's link is the row's keyboard stop.
    open_markets(page, exchange)
    page.locator("#market-KGLDKRW .market-link").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(exchange.base_url + "/trade/KGLDKRW")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


HERO = {
    "en": {"title": "Trade tokenized real-world assets", "about": "About KGLD"},
    "ko": {"title": "토큰화된 실물 자산을 거래하세요", "about": "KGLD 소개"},
}


@pytest.mark.parametrize(("lang", "phone"), [("en", False), ("ko", True)])
def test_a_visitor_sees_the_landing_hero_and_asset_page_links(
    browser: Browser, exchange: ExchangeServer, lang: str, phone: bool
) -> None:
    page = new_page(browser, locale=LOCALES[lang], **(PHONE if phone else {}))
    open_markets(page, exchange)
    hero = page.locator("#landing-hero")
    expect(hero).to_be_visible()
    expect(hero.locator("#hero-title")).to_have_text(HERO[lang]["title"])
    expect(hero.locator(".hero-step")).to_have_count(3)  # the demo is a sandbox
    # Above the table, not under it.
    hero_box = hero.bounding_box()
    table_box = page.locator("#markets-table").bounding_box()
    assert hero_box is not None and table_box is not None
    assert hero_box["y"] + hero_box["height"] <= table_box["y"]

    # A real-world asset's market links to its asset page; a crypto market has none.
    about = page.locator("#market-KGLDKRW .asset-page-link")
    expect(about).to_have_text(HERO[lang]["about"])
    expect(about).to_have_attribute("href", "/assets/KGLD")
    expect(page.locator("#market-BTCKRW .asset-page-link")).to_have_count(0)
    screenshot(page, f"markets-hero-{lang}{'-phone' if phone else ''}")
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_sorting_compares_decimals_exactly_never_as_floats(
    browser: Browser, exchange: ExchangeServer
) -> None:
    """Figures that a float cannot tell apart still sort apart (lib/market_sort.js)."""
    page = new_page(browser)
    page.goto(exchange.base_url + "/login")
    serve_sources(page, exchange)

    def order(rows: list[dict[str, str]], key: str, direction: str) -> list[str]:
        symbols: list[str] = call_module(
            page,
            "market_sort.js",
            "return lib.sortMarkets(args[0], args[1], args[2]).map((row) => row.symbol);",
            rows,
            key,
            direction,
        )
        return symbols

    def row(symbol: str, **figures: str) -> dict[str, str]:
        defaults = {"open": "0", "last": "0", "volume": "0", "quoteVolume": "0"}
        return {"symbol": symbol, "base": symbol, "quote": "KRW"} | defaults | figures

    # 2**53 + 1 and 2**53 are the same double; 0.1 and 0.10000000000000001 too.
    volumes = [
        row("A", volume="9007199254740992"),
        row("B", volume="9007199254740993"),
        row("C", volume="0.10000000000000001"),
        row("D", volume="0.1"),
    ]
    assert order(volumes, "volume", "descending") == ["B", "A", "C", "D"]
    assert order(volumes, "volume", "ascending") == ["D", "C", "A", "B"]
    assert float("9007199254740993") == float("9007199254740992")

    # A change of exactly a third and one of 0.333333333333333333: the same double, but not
    # the same change. A market that never traded has no change and goes last both ways.
    changes = [
        row("THIRD", open="3", last="4"),
        row("NEAR", open="1", last="1.333333333333333333"),
        row("NEW"),
        row("DOWN", open="100", last="99.5"),
    ]
    assert order(changes, "change", "descending") == ["THIRD", "NEAR", "DOWN", "NEW"]
    assert order(changes, "change", "ascending") == ["DOWN", "NEAR", "THIRD", "NEW"]
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
