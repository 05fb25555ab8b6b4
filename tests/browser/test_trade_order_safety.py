"""The order form's guards against orders a person did not mean (issue #15): the chosen side
is plain to see and its text readable (WCAG AA), an order is confirmed with its figures before
it is sent (unless the person turned that off, which the browser remembers), "Cancel all"
asks first, and the form checks figures before sending: prices onto the tick and quantities
onto the step with a note, letters refused, thousands grouped as typed, Submit disabled with
the reason under the market's minimum or over the free balance, 100 % selling everything
sellable (on a won market the fee is paid in KRW, so a buy leaves no unsellable dust). In
English and Korean, and at a phone's size."""

import re
import uuid
from decimal import ROUND_DOWN, ROUND_UP, Decimal

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, Request, expect

from conftest import new_page, screenshot, sign_up

SYMBOL = "KGLDKRW"  # tick 10 KRW, step 0.1 KGLD, minimum order 5,000 KRW
STEP = Decimal("0.1")

# The texts a test reads, in each language it runs in.
TEXTS = {
    "en-US": {
        "buy": "Buy",
        "sell": "Sell",
        "limit": "Limit",
        "placed": "Buy order placed (Limit).",
        "no_open": "No open orders",
        "not_sent": "Not sent.",
        "numbers_only": "Only numbers",
        "one_decimal": "Decimals here: at most 1.",
        "interval_1h": "1h",
        "market_price": "Best market price",
    },
    "ko-KR": {
        "buy": "매수",
        "sell": "매도",
        "limit": "지정가",
        "placed": "매수 주문이 접수되었습니다 (지정가).",
        "no_open": "미체결 주문이 없습니다",
        "not_sent": "주문을 보내지 않았습니다.",
        "numbers_only": "숫자와 소수점 하나만",
        "one_decimal": "소수점 아래 1자리까지",
        "interval_1h": "1시간",
        "market_price": "시장 최우선 가격",
    },
}
LOCALES = list(TEXTS)
# base.css's --danger: an error or a warning is red whichever colour means "down".
DANGER_RED = "rgb(246, 70, 93)"


def open_trade_page(page: Page, exchange: ExchangeServer) -> None:
    page.goto(f"{exchange.base_url}/trade/{SYMBOL}")
    expect(page.locator("#order-book")).to_have_attribute("data-synced", "1")


def log_in_with_funds(page: Page, exchange: ExchangeServer) -> None:
    """A new, verified account, then the faucet's 10,000,000 KRW and 50 KGLD."""
    sign_up(page, exchange, f"careful-{uuid.uuid4().hex[:10]}@example.com")
    open_trade_page(page, exchange)
    expect(page.locator("#user-panel")).to_have_attribute("data-loaded", "1")
    page.click("#faucet")
    expect(page.locator("#balance-KRW .free")).to_have_text("10,000,000")
    expect(page.locator("#balance-KGLD .free")).to_have_text("50")


def order_requests(page: Page) -> list[Request]:
    """Every order the page sends from now on (POST /api/v3/order)."""
    sent: list[Request] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request)
            if request.method == "POST" and "/api/v3/order?" in request.url
            else None
        ),
    )
    return sent


def luminance(css_colour: str) -> float:
    """WCAG's relative luminance of a computed "rgb(r, g, b)" colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+(?:\.\d+)?", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(page: Page, selector: str) -> float:
    """The contrast ratio of the element's text on its own background, as computed."""
    colour, background = page.eval_on_selector(
        selector,
        "node => { const s = getComputedStyle(node); return [s.color, s.backgroundColor]; }",
    )
    assert "rgba" not in background or background.endswith(", 1)"), background
    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def background(page: Page, selector: str) -> str:
    return str(page.eval_on_selector(selector, "node => getComputedStyle(node).backgroundColor"))


def confirm_row(page: Page, field: str) -> str:
    return page.locator(f"#confirm-dialog dd[data-field='{field}']").inner_text()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_chosen_side_shows_with_readable_text(
    browser: Browser, exchange: ExchangeServer, locale: str
) -> None:
    page = new_page(browser, locale=locale)
    words = TEXTS[locale]
    log_in_with_funds(page, exchange)
    buy, sell = page.locator("#side-buy"), page.locator("#side-sell")
    expect(buy).to_have_attribute("role", "tab")
    expect(buy).to_have_attribute("aria-selected", "true")
    expect(sell).to_have_attribute("aria-selected", "false")
    expect(buy).to_have_text(words["buy"])
    # Filled with its colour when chosen, an outline when not: the two must look different.
    assert background(page, "#side-buy") != background(page, "#side-sell")
    for selector in ("#side-buy", "#submit-order", "#phone-buy"):
        assert contrast(page, selector) >= 4.5, selector
    screenshot(page, f"trade-safety-side-buy-{locale}")

    sell.click()
    expect(sell).to_have_attribute("aria-selected", "true")
    expect(buy).to_have_attribute("aria-selected", "false")
    expect(page.locator("#submit-order")).to_have_class(re.compile(r"\bsell\b"))
    assert background(page, "#side-buy") != background(page, "#side-sell")
    for selector in ("#side-sell", "#submit-order", "#phone-sell"):
        assert contrast(page, selector) >= 4.5, selector

    # The page's own labels are in the page's language, for screen readers too.
    expect(page.locator(".interval-button[data-interval='1h']")).to_have_text(words["interval_1h"])
    label = page.get_attribute("#chart-intervals", "aria-label")
    assert label and label != "trade.chart.intervals"
    tick_label = page.locator(".tick-button").first.get_attribute("aria-label")
    assert tick_label and "10 KRW" in tick_label
    if locale == "ko-KR":
        assert re.search("[가-힣]", label) and re.search("[가-힣]", tick_label)
        assert re.search("[가-힣]", page.get_attribute("#market-select", "aria-label") or "")
    screenshot(page, f"trade-safety-side-sell-{locale}")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_an_order_is_confirmed_with_its_figures_and_cancel_all_asks(
    browser: Browser, exchange: ExchangeServer, locale: str
) -> None:
    page = new_page(browser, locale=locale)
    words = TEXTS[locale]
    log_in_with_funds(page, exchange)
    sent = order_requests(page)
    expect(page.locator("#confirm-orders")).to_be_checked()

    # A limit buy far below the market (it rests): the dialog names every figure.
    page.fill("#price", "100000")
    page.fill("#quantity", "0.5")
    fee = page.locator("#estimate-fee").inner_text()
    assert fee == "≤ 25 KRW"  # 0.05 % of 50,000 KRW, paid in KRW on a won market
    page.click("#submit-order")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_contain_text(words["buy"])
    assert confirm_row(page, "side") == words["buy"]
    assert confirm_row(page, "type") == words["limit"]
    assert confirm_row(page, "price") == "100,000 KRW"
    assert confirm_row(page, "quantity") == "0.5 KGLD"
    assert confirm_row(page, "total") == "50,000 KRW"
    assert confirm_row(page, "fee") == fee
    assert contrast(page, "#confirm-ok") >= 4.5
    screenshot(page, f"trade-safety-confirm-{locale}")

    # Going back sends nothing: no request, no open order, the figures still in the form.
    page.click("#confirm-cancel")
    expect(dialog).to_be_hidden()
    expect(page.locator("#order-message")).to_have_text(words["not_sent"])
    expect(page.locator("#open-orders")).to_contain_text(words["no_open"])
    expect(page.locator("#quantity")).to_have_value("0.5")
    assert sent == []

    # Escape is a "no" too.
    page.click("#submit-order")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert sent == []

    # Confirming places it.
    page.click("#submit-order")
    page.click("#confirm-ok")
    expect(page.locator("#order-message")).to_have_text(words["placed"])
    expect(page.locator("#open-orders .open-order")).to_have_count(1)
    assert len(sent) == 1

    # "Cancel all" asks first; going back keeps the order.
    page.click("#cancel-all")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("data-purpose", "cancel-all")
    expect(page.locator("#confirm-text")).to_contain_text("1")
    # A warning's red in either convention (a sell's colour would be blue in Korean), readable.
    assert background(page, "#confirm-ok") == DANGER_RED
    assert contrast(page, "#confirm-ok") >= 4.5
    screenshot(page, f"trade-safety-cancel-all-{locale}")
    page.click("#confirm-cancel")
    expect(dialog).to_be_hidden()
    expect(page.locator("#open-orders .open-order")).to_have_count(1)
    page.click("#cancel-all")
    page.click("#confirm-ok")
    expect(page.locator("#open-orders")).to_contain_text(words["no_open"])
    expect(page.locator("#balance-KRW .locked")).to_have_text("0")

    # A market buy by amount: the total is exact, the quantity an estimate from the book.
    page.select_option("#order-type", "MARKET")
    page.select_option("#market-by", "total")
    page.fill("#total", "20000")
    expect(page.locator("#total")).to_have_value("20,000")
    page.click("#submit-order")
    expect(dialog).to_be_visible()
    assert confirm_row(page, "price") == words["market_price"]
    assert confirm_row(page, "total") == "20,000 KRW"
    assert re.fullmatch(r"≈ \d+(\.\d+)? KGLD", confirm_row(page, "quantity"))
    page.click("#confirm-cancel")
    assert len(sent) == 1
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_turning_confirmation_off_sends_at_once_and_is_remembered(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    log_in_with_funds(page, exchange)
    sent = order_requests(page)
    page.uncheck("#confirm-orders")
    page.fill("#price", "100000")
    page.fill("#quantity", "0.5")
    page.click("#submit-order")
    expect(page.locator("#order-message")).to_have_text(TEXTS["en-US"]["placed"])
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    # The sent figures are plain decimals, without the grouping the inputs show.
    assert len(sent) == 1
    assert "price=100000&" in sent[0].url and "quantity=0.5" in sent[0].url

    page.reload()
    expect(page.locator("#order-book")).to_have_attribute("data-synced", "1")
    expect(page.locator("#confirm-orders")).not_to_be_checked()
    # 50,000 KRW held for the order and 25 KRW for its fee (0.05 %, paid in KRW).
    expect(page.locator("#available")).to_have_text("9,949,975 KRW")
    page.fill("#price", "100000")
    page.fill("#quantity", "0.7")
    page.click("#submit-order")
    expect(page.locator("#open-orders .open-order")).to_have_count(2)
    expect(page.locator("#confirm-dialog")).to_have_count(0)
    assert len(sent) == 2
    screenshot(page, "trade-safety-no-confirmation")
    sent.clear()

    # A refusal from the server is said in the shared catalogue's words, never the raw text.
    page.route(
        "**/api/v3/order?*",
        lambda route: route.fulfill(
            status=400,
            content_type="application/json",
            body='{"code": -1013, "msg": "Filter failure: PRICE_FILTER"}',
        ),
    )
    page.fill("#quantity", "0.5")
    page.click("#submit-order")
    expect(page.locator("#order-message")).to_contain_text("10 KRW")
    expect(page.locator("#order-message")).not_to_contain_text("PRICE_FILTER")
    page.unroute("**/api/v3/order?*")

    # Turned back on, it asks again.
    page.check("#confirm-orders")
    page.fill("#quantity", "0.5")
    page.click("#submit-order")
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.click("#confirm-cancel")
    assert len(sent) == 1  # the refused one, nothing after
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize(("locale", "width", "height"), [("en-US", 1280, 860), ("ko-KR", 390, 844)])
def test_the_form_checks_figures_before_sending(
    browser: Browser, exchange: ExchangeServer, locale: str, width: int, height: int
) -> None:
    page = new_page(browser, locale=locale, width=width, height=height)
    words = TEXTS[locale]
    log_in_with_funds(page, exchange)
    sent = order_requests(page)
    price, quantity, submit = (
        page.locator("#price"),
        page.locator("#quantity"),
        page.locator("#submit-order"),
    )
    expect(page.locator("#price-hint")).to_contain_text("10 KRW")
    expect(page.locator("#quantity-hint")).to_contain_text("0.1 KGLD")

    # Thousands are grouped as the digits are typed; what is sent has no commas.
    price.fill("")
    price.press_sequentially("1234567")
    expect(price).to_have_value("1,234,567")
    # A price off the 10 KRW tick moves onto it when the field is left: down for a buy...
    price.fill("")
    price.press_sequentially("100005")
    quantity.click()
    expect(price).to_have_value("100,000")
    expect(page.locator("#price-note")).to_contain_text("100,000")
    # ... and up for a sell, never a worse price than typed.
    page.click("#side-sell")
    price.fill("100005")
    quantity.click()
    expect(price).to_have_value("100,010")
    expect(page.locator("#price-note")).to_contain_text("100,010")
    page.click("#side-buy")

    # Letters are refused with a note; the digits stay.
    quantity.fill("")
    quantity.press_sequentially("1x2")
    expect(quantity).to_have_value("12")
    expect(page.locator("#quantity-note")).to_contain_text(words["numbers_only"])
    # More decimals than the 0.1 step has are cut as typed (the note of the letter goes when
    # the person comes back to the field).
    price.click()
    quantity.click()
    expect(page.locator("#quantity-note")).to_be_empty()
    quantity.fill("")
    quantity.press_sequentially("0.55")
    expect(quantity).to_have_value("0.5")
    expect(page.locator("#quantity-note")).to_contain_text(words["one_decimal"])

    # Under the 5,000 KRW minimum: Submit is disabled and says why.
    price.fill("10000")
    quantity.fill("0.2")
    expect(page.locator("#estimate-total")).to_have_text("2,000 KRW")
    expect(submit).to_be_disabled()
    expect(page.locator("#order-blocked")).to_contain_text("5,000")
    # Over the free 10,000,000 KRW: disabled, with both figures.
    quantity.fill("1000")
    price.fill("100000")
    expect(price).to_have_value("100,000")
    expect(page.locator("#estimate-total")).to_have_text("100,000,000 KRW")
    expect(submit).to_be_disabled()
    # The total and its fee in KRW (0.05 %): what the order would hold.
    expect(page.locator("#order-blocked")).to_contain_text("100,050,000")
    expect(page.locator("#order-blocked")).to_contain_text("10,000,000")
    screenshot(page, f"trade-safety-over-balance-{locale}-{width}")
    # A sell is held in KGLD: 60 of the 50 free is refused the same way.
    page.click("#side-sell")
    quantity.fill("60")
    expect(submit).to_be_disabled()
    expect(page.locator("#order-blocked")).to_contain_text("60")
    expect(page.locator("#order-blocked")).to_contain_text("KGLD")
    # Within both, Submit comes back and the reason goes.
    page.click("#side-buy")
    quantity.fill("0.5")
    expect(submit).to_be_enabled()
    expect(page.locator("#order-blocked")).to_be_empty()

    # A quantity off the step typed in one go is snapped on submit and not yet sent.
    page.fill("#price", "100000")
    page.evaluate(
        """() => {
            const q = document.querySelector('#quantity');
            q.value = '0.75';
            q.dispatchEvent(new Event('change'));
        }"""
    )
    expect(quantity).to_have_value("0.7")
    expect(page.locator("#quantity-note")).to_contain_text("0.7")
    submit.click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    assert confirm_row(page, "quantity") == "0.7 KGLD"
    assert confirm_row(page, "total") == "70,000 KRW"
    # On a phone the dialog fits the screen, both its buttons in reach.
    expect(page.locator("#confirm-ok")).to_be_in_viewport()
    expect(page.locator("#confirm-cancel")).to_be_in_viewport()
    screenshot(page, f"trade-safety-confirm-{locale}-{width}")
    page.click("#confirm-cancel")
    assert sent == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_one_hundred_percent_means_everything_sellable(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    log_in_with_funds(page, exchange)
    # A market buy on a won market pays its fee in KRW: every unit of KGLD bought arrives,
    # so the balance stays a whole number of steps and all of it can be sold again.
    page.uncheck("#confirm-orders")
    page.select_option("#order-type", "MARKET")
    page.select_option("#market-by", "qty")
    page.fill("#quantity", "0.3")
    page.click("#submit-order")
    expect(page.locator("#order-message")).to_contain_text("Buy filled")
    free_text = page.locator("#balance-KGLD .free")
    expect(free_text).to_have_text("50.3")

    # 100 % of a sell: the whole free balance, nothing left behind.
    page.click("#side-sell")
    page.select_option("#order-type", "LIMIT")
    page.fill("#price", "1000000")
    page.click(".percent-button[data-percent='100']")
    expect(page.locator("#quantity")).to_have_value("50.3")
    expect(page.locator("#order-blocked")).to_be_empty()
    expect(page.locator("#submit-order")).to_be_enabled()
    screenshot(page, "trade-safety-sell-all")

    # 100 % of a buy: the most the free KRW affords at the price with its fee (0.05 %,
    # rounded up to a won) on top, on the step.
    page.click("#side-buy")
    krw = Decimal(page.locator("#balance-KRW .free").inner_text().replace(",", ""))
    page.fill("#price", "130000")
    page.click(".percent-button[data-percent='100']")
    affordable = (krw / Decimal("1.0005") / Decimal(130000)).quantize(STEP, rounding=ROUND_DOWN)
    total = affordable * 130000
    assert total + (total * Decimal("0.0005")).to_integral_value(ROUND_UP) <= krw
    expect(page.locator("#quantity")).to_have_value(f"{affordable:,}")
    expect(page.locator("#order-blocked")).to_be_empty()
    expect(page.locator("#submit-order")).to_be_enabled()
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_fee_is_shown_in_the_asset_each_market_charges_it_in(
    browser: Browser, exchange: ExchangeServer, locale: str
) -> None:
    """A won market charges buyers in KRW (Upbit's rule), BTC/USDT in the BTC received
    (Binance's): the estimate, the confirmation and the balance check follow the market."""
    page = new_page(browser, locale=locale)
    log_in_with_funds(page, exchange)
    page.fill("#price", "100000")
    page.fill("#quantity", "0.5")
    expect(page.locator("#estimate-fee")).to_have_text("≤ 25 KRW")
    # All of the free KRW on the price leaves nothing for the fee: refused before sending.
    page.fill("#quantity", "100")
    expect(page.locator("#estimate-total")).to_have_text("10,000,000 KRW")
    expect(page.locator("#submit-order")).to_be_disabled()
    expect(page.locator("#order-blocked")).to_contain_text("10,005,000")
    screenshot(page, f"trade-fee-in-krw-{locale}")

    page.goto(f"{exchange.base_url}/trade/BTCUSDT")
    expect(page.locator("#order-book")).to_have_attribute("data-synced", "1")
    page.fill("#price", "50000")
    page.fill("#quantity", "0.1")
    expect(page.locator("#estimate-fee")).to_have_text("≤ 0.00005 BTC")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
