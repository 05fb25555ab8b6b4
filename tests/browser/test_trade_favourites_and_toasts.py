"""Leftovers of issue #15 on the trade page: the market switcher lists the starred markets
first (the markets page's favourites, one store), and toasts stay clear of the order form's
buttons, on a desktop and on a phone."""

import re
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, FloatRect, Page, Route, expect
from test_accessibility import BLOCKING, axe_violations, describe
from test_trade_tools import (
    CONTROLS_UNDER_TOAST,
    TICK,
    best_bid,
    log_in_with_funds,
    open_trade_page,
)

from conftest import new_page, screenshot

LOCALES = {"en": "en-US", "ko": "ko-KR"}
GROUPS = {
    "en": {"favourites": "Favourites", "others": "Other markets"},
    "ko": {"favourites": "관심", "others": "다른 마켓"},
}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ORDER_URL = re.compile(r"/api/v3/order(\?|$)")


def star_on_markets_page(page: Page, exchange: ExchangeServer, *symbols: str) -> None:
    page.goto(exchange.base_url + "/markets")
    for symbol in symbols:
        star = page.locator(f"#market-{symbol} .favourite-star")
        star.click()
        expect(star).to_have_attribute("aria-pressed", "true")


def option_pairs(page: Page, within: str = "#market-options") -> list[str]:
    return page.locator(f"{within} .market-option .market-option-pair").all_inner_texts()


@pytest.mark.parametrize(("lang", "phone"), [("en", False), ("ko", True)])
def test_the_switcher_lists_the_favourites_first_with_a_star(
    browser: Browser, exchange: ExchangeServer, lang: str, phone: bool
) -> None:
    page = new_page(browser, locale=LOCALES[lang], **(PHONE if phone else {}))
    star_on_markets_page(page, exchange, "BTCUSDT", "KSLVKRW")
    open_trade_page(page, exchange, "KGLDKRW")
    switcher = page.locator("#market-select")
    switcher.focus()
    expect(page.locator("#market-options")).to_be_visible()

    # Two named groups: the starred markets, then the others.
    favourites = page.locator("#market-options [role=group]").first
    expect(page.locator("#market-options [role=group]")).to_have_count(2)
    expect(favourites).to_have_accessible_name(GROUPS[lang]["favourites"])
    expect(page.locator("#market-group-others")).to_have_text(GROUPS[lang]["others"])
    starred = option_pairs(page, "#market-options [role=group]:first-child")
    assert sorted(starred) == ["BTC/USDT", "KSLV/KRW"]
    everything = option_pairs(page)
    assert everything[:2] == starred
    assert "BTC/USDT" not in everything[2:] and "KGLD/KRW" in everything[2:]
    # The star is seen on a favourite only, and not read as part of its name.
    expect(page.locator("#market-option-BTCUSDT .market-option-star")).to_have_text("★")
    expect(page.locator("#market-option-BTCUSDT .market-option-star")).to_have_attribute(
        "aria-hidden", "true"
    )
    expect(page.locator("#market-option-KGLDKRW .market-option-star")).to_have_count(0)
    # The first favourite is the active option; the arrows go on into the other group.
    first = starred[0].replace("/", "")
    expect(switcher).to_have_attribute("aria-activedescendant", f"market-option-{first}")
    switcher.press("ArrowDown")
    switcher.press("ArrowDown")
    third = everything[2].replace("/", "")
    expect(page.locator(f"#market-option-{third}")).to_have_attribute("aria-selected", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= (390 if phone else 1280)
    screenshot(page, f"trade-switcher-favourites-{lang}")
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert blocking == [], describe(blocking)

    # A search keeps the favourites first among what it finds: BTC/USDT before BTC/KRW.
    switcher.fill("btc")
    assert option_pairs(page) == ["BTC/USDT", "BTC/KRW"]
    expect(favourites).to_have_accessible_name(GROUPS[lang]["favourites"])
    switcher.press("Enter")
    expect(page).to_have_url(re.compile(r"/trade/BTCUSDT$"))

    # A search that finds no favourite has no groups.
    switcher = page.locator("#market-select")
    switcher.fill("gold")
    assert option_pairs(page) == ["KGLD/KRW"]
    expect(page.locator("#market-options [role=group]")).to_have_count(0)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_star_taken_away_on_another_tab_leaves_the_group(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    star_on_markets_page(page, exchange, "ETHKRW")
    open_trade_page(page, exchange, "KGLDKRW")
    markets = page.context.new_page()
    markets.goto(exchange.base_url + "/markets")
    page.locator("#market-select").focus()
    expect(page.locator("#market-group-favourites")).to_be_visible()
    markets.locator("#market-ETHKRW .favourite-star").click()
    expect(page.locator("#market-options [role=group]")).to_have_count(0)
    expect(page.locator("#market-option-ETHKRW .market-option-star")).to_have_count(0)
    page.context.close()


def boxes_intersect(a: FloatRect, b: FloatRect) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


# On a desktop: the form's buttons (submit, sides, percentages) each against every toast
# shown, at scroll positions from the top of the page to its end: none may meet. (On a phone
# the toast lies in the Buy/Sell bar's strip, which a scrolled page passes under whether a
# toast shows or not: there test_trade_tools' check applies, that the toast hides no control
# the bar did not.)
FORM_BUTTONS_UNDER_TOASTS = """() => {
    const start = scrollY;
    const met = [];
    const toasts = [...document.querySelectorAll('.toast')]
        .filter((toast) => toast.checkVisibility());
    for (let top = 0; top < document.documentElement.scrollHeight; top += innerHeight / 4) {
        window.scrollTo({ top, behavior: 'instant' });
        for (const button of document.querySelectorAll('#order-form button')) {
            if (!button.checkVisibility()) continue;
            const b = button.getBoundingClientRect();
            for (const toast of toasts) {
                const t = toast.getBoundingClientRect();
                if (b.left < t.right && t.left < b.right && b.top < t.bottom && t.top < b.bottom) {
                    met.push(`${top}: ${button.id || button.textContent.trim()}`);
                }
            }
        }
    }
    window.scrollTo({ top: start, behavior: 'instant' });
    return met;
}"""


def refuse_next_order(page: Page) -> None:
    """The next order POST is answered with the API's refusal of an order of no funds."""
    refused: list[str] = []

    def refuse(route: Route) -> None:
        if route.request.method != "POST" or refused:
            route.fallback()
            return
        refused.append(route.request.url)
        body: dict[str, Any] = {
            "code": -2010,
            "msg": "Account has insufficient balance for requested action.",
        }
        route.fulfill(status=400, json=body)

    page.route(ORDER_URL, refuse)


def assert_clear_of_the_form(page: Page, size: dict[str, int]) -> None:
    toast = page.locator("#toast")
    expect(toast).to_be_visible()
    submit = page.locator("#submit-order")
    toast_box = toast.bounding_box()
    submit_box = submit.bounding_box()
    assert toast_box is not None and submit_box is not None
    assert not boxes_intersect(toast_box, submit_box), (toast_box, submit_box)
    # Within the screen, at its bottom.
    assert toast_box["y"] + toast_box["height"] <= size["height"] + 0.5
    assert toast_box["y"] >= size["height"] * 0.6
    if size == PHONE:
        assert page.evaluate(CONTROLS_UNDER_TOAST) == []
    else:
        assert page.evaluate(FORM_BUTTONS_UNDER_TOASTS) == []


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_toasts_stay_clear_of_the_order_forms_buttons(
    browser: Browser, exchange: ExchangeServer, size: dict[str, int]
) -> None:
    phone = size == PHONE
    page = new_page(browser, width=size["width"], height=size["height"])
    log_in_with_funds(page, exchange)
    if phone:
        page.evaluate("window.scrollTo(0, 0)")
        page.click("#phone-buy")
    else:
        page.click("#side-buy")
    page.select_option("#order-type", "LIMIT")
    price = (best_bid(page) * Decimal("0.9") / TICK).to_integral_value(ROUND_FLOOR) * TICK
    page.fill("#price", str(price))
    page.fill("#quantity", "0.1")

    # An order placed: its toast.
    page.click("#submit-order")
    page.click("#confirm-ok")
    expect(page.locator("#toast")).to_contain_text(re.compile("order placed"))
    expect(page.locator("#toast")).to_have_class(re.compile("success"))
    assert_clear_of_the_form(page, size)
    if not phone:
        # A desktop's toasts float in the bottom-right quarter of the screen, left of the form.
        toast_box = page.locator("#toast").bounding_box()
        form_box = page.locator("#order-form").bounding_box()
        assert toast_box is not None and form_box is not None
        assert toast_box["x"] + toast_box["width"] <= form_box["x"]
        assert toast_box["x"] >= size["width"] / 2
    screenshot(page, f"trade-toast-placed-{'phone' if phone else 'desktop'}")

    # A refused order: an error toast, on top of the first on a desktop (stacked, the
    # newest lowest); on a phone the newest alone.
    refuse_next_order(page)
    page.fill("#quantity", "0.1")
    page.click("#submit-order")  # no force: nothing covers it
    page.click("#confirm-ok")
    expect(page.locator("#toast")).to_have_class(re.compile("error"))
    # The form's message and the toast say the same.
    expect(page.locator("#order-message")).to_have_class(re.compile("error-text"))
    expect(page.locator("#toast")).to_have_text(page.locator("#order-message").inner_text())
    assert_clear_of_the_form(page, size)
    toasts = page.locator(".toast")
    expect(toasts).to_have_count(2)
    if phone:
        expect(toasts.first).to_be_hidden()
    else:
        expect(toasts.first).to_be_visible()
        first, newest = toasts.first.bounding_box(), toasts.last.bounding_box()
        assert first is not None and newest is not None
        assert first["y"] + first["height"] <= newest["y"]
    screenshot(page, f"trade-toast-error-{'phone' if phone else 'desktop'}")

    # The submit button still takes a plain click while the toasts show.
    page.fill("#quantity", "0.1")
    page.click("#submit-order")
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.click("#confirm-cancel")
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    # The toasts go by themselves.
    expect(page.locator(".toast")).to_have_count(0, timeout=10_000)
    if phone:
        expect(page.locator("#phone-buy")).to_be_visible()
    # The resting buy leaves the book with the test.
    page.click("#cancel-all")
    page.click("#confirm-ok")
    expect(page.locator("#open-orders .open-order")).to_have_count(0)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
