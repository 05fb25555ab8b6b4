"""The trading page /trade/{symbol}: chart, order book, recent trades, the order form and the
user's panels, against a real `assetport serve --demo` whose market makers keep the books
moving (so the tests read what they need in one step and let Playwright's expect wait)."""

import os
import re
import signal
import uuid
from pathlib import Path

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect

from conftest import new_page, screenshot, sign_up

SYMBOL = "KGLDKRW"


def open_trade_page(page: Page, exchange: ExchangeServer, symbol: str = SYMBOL) -> None:
    page.goto(f"{exchange.base_url}/trade/{symbol}")
    # The book is in sync once the snapshot and the diff stream agree.
    expect(page.locator("#order-book")).to_have_attribute("data-synced", "1")


def log_in_with_funds(page: Page, exchange: ExchangeServer) -> None:
    """A new, verified account (signed up in this browser), then the page's faucet."""
    sign_up(page, exchange, f"trader-{uuid.uuid4().hex[:10]}@example.com")
    open_trade_page(page, exchange)
    expect(page.locator("#balances")).to_contain_text("No funds yet")
    page.click("#faucet")
    expect(page.locator("#balance-KRW .free")).to_have_text("10,000,000")
    expect(page.locator("#available")).to_have_text("10,000,000 KRW")


def place_limit_buy(page: Page, price: str, quantity: str) -> None:
    """A limit buy through the order form, as its default side and type, confirmed."""
    page.fill("#price", price)
    page.fill("#quantity", quantity)
    page.click("#submit-order")
    page.click("#confirm-ok")
    expect(page.locator("#order-message")).to_have_text("Buy order placed (Limit).")


def test_logged_out_visitor_sees_book_trades_and_chart(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    open_trade_page(page, exchange)
    expect(page.locator("#market-symbol")).to_have_text("KGLD/KRW")
    expect(page.locator("#market-name")).to_have_text("Tokenized gold")
    expect(page.locator("#last-price")).to_have_text(re.compile(r"^\d{1,3}(,\d{3})*$"))
    expect(page.locator("#order-book .book-ask:not(.empty)").first).to_be_visible()
    expect(page.locator("#order-book .book-bid:not(.empty)").first).to_be_visible()
    expect(page.locator("#book-spread")).to_contain_text("Spread")
    expect(page.locator("#recent-trades .trade-row").first).to_be_visible()
    # The chart drew the klines of its interval: candles and volume on canvases.
    expect(page.locator("#chart")).to_have_attribute("data-interval", "1m")
    expect(page.locator("#chart")).not_to_have_attribute("data-bars", "0")
    expect(page.locator("#chart canvas").first).to_be_visible()
    # No form for a visitor: an invitation instead, and no private panels.
    expect(page.locator("#order-form #login-to-trade")).to_have_text("Log in / Sign up to trade")
    expect(page.locator("#submit-order")).to_have_count(0)
    expect(page.locator("#open-orders")).to_contain_text("to see your orders")
    screenshot(page, "trade-logged-out")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_interval_buttons_reload_the_chart(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser)
    open_trade_page(page, exchange)
    expect(page.locator("#chart")).to_have_attribute("data-interval", "1m")
    for interval in ("5m", "1h", "1d"):
        with page.expect_response(lambda r, i=interval: f"interval={i}" in r.url and r.ok):
            page.click(f".interval-button[data-interval='{interval}']")
        expect(page.locator("#chart")).to_have_attribute("data-interval", interval)
        expect(page.locator(".interval-button.active")).to_have_text(interval)
        expect(page.locator("#chart")).not_to_have_attribute("data-bars", "0")
    # The choice is remembered for the next visit.
    page.reload()
    expect(page.locator("#chart")).to_have_attribute("data-interval", "1d")
    screenshot(page, "trade-chart-1d")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_language_switch_translates_the_order_form(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    log_in_with_funds(page, exchange)
    expect(page.locator("#side-buy")).to_have_text("Buy")
    expect(page.locator("#submit-order")).to_have_text("Buy KGLD")
    page.select_option("#language", "ko")
    expect(page.locator("#side-buy")).to_have_text("매수")
    expect(page.locator("#side-sell")).to_have_text("매도")
    expect(page.locator("#submit-order")).to_have_text("KGLD 매수")
    expect(page.locator("label[for='price']")).to_have_text("가격")
    expect(page.locator("label[for='quantity']")).to_have_text("수량")
    expect(page.locator("#order-type option[value='LIMIT']")).to_have_text("지정가")
    expect(page.locator("#order-type option[value='STOP_LOSS_LIMIT']")).to_have_text("스탑 지정가")
    expect(page.locator("#tab-open-orders")).to_contain_text("미체결")
    expect(page.locator("#market-name")).to_have_text("토큰화 금")
    screenshot(page, "trade-korean")
    page.select_option("#language", "en")
    expect(page.locator("#submit-order")).to_have_text("Buy KGLD")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_phone_stacks_the_panels_without_sideways_scrolling(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, width=390, height=844)
    log_in_with_funds(page, exchange)
    expect(page.locator("#recent-trades .trade-row").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The bar at the bottom brings the form into view with the side chosen.
    page.click("#phone-sell")
    expect(page.locator("#submit-order")).to_be_in_viewport()
    expect(page.locator("#submit-order")).to_have_text("Sell KGLD")
    screenshot(page, "trade-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_order_form_places_cancels_and_reports_refusals(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    log_in_with_funds(page, exchange)
    expect(page.locator("#fee-rates")).to_have_text("Maker 0.05% · Taker 0.05%")

    # A level of the book fills the price (read and clicked in one step: the book moves).
    picked, filled = page.evaluate(
        """() => {
            const row = document.querySelector('#order-book .book-bid:not(.empty)');
            const price = row.dataset.price;
            row.click();
            return [price, document.querySelector('#price').value];
        }"""
    )
    assert filled.replace(",", "") == picked.split(".")[0]

    # Percent buttons: a quarter of 10,000,000 KRW at 100,000, with room for the fee paid in
    # KRW (0.05 %), is 24.9 KGLD on the 0.1 step.
    page.fill("#price", "100000")
    page.click(".percent-button[data-percent='25']")
    expect(page.locator("#quantity")).to_have_value("24.9")
    expect(page.locator("#total")).to_have_value("2,490,000")
    expect(page.locator("#estimate-total")).to_have_text("2,490,000 KRW")
    expect(page.locator("#estimate-fee")).to_have_text("≤ 1,245 KRW")

    # A limit buy far below the market rests in the book: it shows under open orders.
    page.fill("#quantity", "0.5")
    expect(page.locator("#estimate-total")).to_have_text("50,000 KRW")
    page.click("#submit-order")
    page.click("#confirm-ok")
    expect(page.locator("#order-message")).to_have_text("Buy order placed (Limit).")
    row = page.locator("#open-orders .open-order")
    expect(row).to_have_count(1)
    expect(row.locator(".price")).to_have_text("100,000")
    expect(row.locator(".qty")).to_have_text("0.5")
    # Its time carries the date and the year, as an order can rest for months.
    expect(row.locator("td").first).to_have_text(re.compile(r"^\d\d/\d\d/20\d\d, \d\d:\d\d:\d\d$"))
    expect(page.locator("#balance-KRW .locked")).to_have_text("50,025")  # with its fee in KRW
    expect(page.locator("#available")).to_have_text("9,949,975 KRW")

    # A stop-limit sell rests too, not yet working.
    page.click("#side-sell")
    page.select_option("#order-type", "STOP_LOSS_LIMIT")
    expect(page.locator("#stop-price")).to_be_visible()
    page.fill("#stop-price", "90000")
    page.fill("#price", "89000")
    page.click(".percent-button[data-percent='50']")
    expect(page.locator("#quantity")).to_have_value("25.0")
    page.fill("#quantity", "1")
    page.click("#submit-order")
    page.click("#confirm-ok")
    expect(page.locator("#order-message")).to_have_text("Sell order placed (Stop-limit).")
    expect(row).to_have_count(2)
    expect(page.locator("#balance-KGLD .locked")).to_have_text("1")

    # More than the balance is refused before sending, with the figures.
    page.select_option("#order-type", "LIMIT")
    page.fill("#price", "200000")
    page.fill("#quantity", "10000")
    expect(page.locator("#submit-order")).to_be_disabled()
    expect(page.locator("#order-blocked")).to_contain_text("10,000 KGLD")
    screenshot(page, "trade-open-orders")

    # Cancel one, then cancel all.
    page.locator("#open-orders .open-order .cancel-order").first.click()
    expect(row).to_have_count(1)
    page.click("#cancel-all")
    page.click("#confirm-ok")
    expect(page.locator("#open-orders")).to_contain_text("No open orders")
    expect(page.locator("#balance-KRW .locked")).to_have_text("0")

    # A market buy by amount spends KRW at once; the histories show the order and trade.
    page.click("#side-buy")
    page.select_option("#order-type", "MARKET")
    page.select_option("#market-by", "total")
    page.fill("#total", "20000")
    expect(page.locator("#estimate-total")).to_contain_text("KGLD")
    page.click("#submit-order")
    page.click("#confirm-ok")
    expect(page.locator("#order-message")).to_contain_text("Buy filled")
    page.click("#tab-trade-history")
    expect(page.locator("#trade-history .my-trade").first).to_be_visible()
    page.click("#tab-order-history")
    expect(page.locator("#order-history .history-order")).to_have_count(3)
    expect(page.locator("#order-history .history-order").first).to_contain_text("Filled")
    screenshot(page, "trade-logged-in")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def _read_model_pid(exchange: ExchangeServer) -> int:
    """The server's SQL read model child (see server/read_model.py)."""
    assert exchange.process is not None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == exchange.process.pid and b"assetport.server.read_model" in command:
            return int(entry.name)
    raise AssertionError("the server runs no read model process")


def test_balances_and_open_orders_do_not_wait_for_a_slow_history(
    browser: Browser, exchange: ExchangeServer
) -> None:
    # The history panels read the SQL read model, which may lag under load; the balances and
    # open orders come from the engine and must show at once whatever the history does.
    page = new_page(browser)
    log_in_with_funds(page, exchange)
    stalled = _read_model_pid(exchange)
    os.kill(stalled, signal.SIGSTOP)
    try:
        # An order the stalled read model has not written: the history must wait for it.
        place_limit_buy(page, "100000", "0.5")
        page.reload()
        # 50,000 KRW and its fee in KRW (0.05 %: 25 KRW).
        expect(page.locator("#balance-KRW .locked")).to_have_text("50,025", timeout=2000)
        expect(page.locator("#open-orders .open-order")).to_have_count(1, timeout=2000)
        screenshot(page, "trade-history-stalled")
    finally:
        os.kill(stalled, signal.SIGCONT)
    # Once it catches up, the history shows the order too.
    page.click("#tab-order-history")
    expect(page.locator("#order-history")).to_contain_text("100,000")
    page.context.close()


def test_balances_follow_the_user_stream_itself(browser: Browser, exchange: ExchangeServer) -> None:
    # The user stream's outboundAccountPosition carries the balances that moved: the page
    # shows them from the event, even when it cannot read /api/v3/account at all.
    page = new_page(browser)
    log_in_with_funds(page, exchange)
    page.route("**/api/v3/account*", lambda route: route.abort())
    place_limit_buy(page, "100000", "0.5")
    expect(page.locator("#balance-KRW .locked")).to_have_text("50,025")  # with its KRW fee
    expect(page.locator("#balance-KRW .free")).to_have_text("9,949,975")
    expect(page.locator("#available")).to_have_text("9,949,975 KRW")
    page.unroute("**/api/v3/account*")
    page.context.close()


# The up and down colours of each convention (base.css), as a canvas pixel reads them.
CONVENTIONS = {"green": ((14, 203, 129), (246, 70, 93)), "red": ((247, 84, 103), (76, 141, 255))}

# How many opaque pixels of the chart's canvases have each convention's up or down colour:
# the candles' bodies (the volume bars below them are see-through, so never exact).
COUNT_CHART_COLOURS = """(conventions) => {
    const counts = Object.fromEntries(Object.keys(conventions).map((name) => [name, 0]));
    for (const canvas of document.querySelectorAll('#chart canvas')) {
        if (!canvas.width || !canvas.height) continue;
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] !== 255) continue;
            const [r, g, b] = data.subarray(i, i + 3);
            for (const [name, colours] of Object.entries(conventions)) {
                if (colours.some((c) => c[0] === r && c[1] === g && c[2] === b)) counts[name]++;
            }
        }
    }
    return counts;
}"""


def wait_for_candles_in(page: Page, convention: str) -> None:
    """Waits until the chart shows candles drawn in `convention`'s colours ("green" up or
    "red" up) and not one pixel in the other's."""
    expect(page.locator("#chart")).to_have_attribute("data-bars", re.compile(r"^[1-9]"))
    page.wait_for_function(
        f"""([convention, conventions]) => {{
            const counts = ({COUNT_CHART_COLOURS})(conventions);
            return counts[convention] > 0 && Object.entries(counts).every(
                ([name, count]) => name === convention || count === 0);
        }}""",
        arg=[convention, CONVENTIONS],
    )


def test_the_chart_draws_candles_in_the_users_up_and_down_colours(
    browser: Browser, exchange: ExchangeServer
) -> None:
    # Green up and red down in English; in Korean red up and blue down, as the rest of the
    # page (the chart is a canvas: it cannot follow the style sheet by itself).
    page = new_page(browser)
    open_trade_page(page, exchange)
    wait_for_candles_in(page, "green")
    expect(page.locator("#chart")).to_have_attribute("data-up-colour", "#0ecb81")
    expect(page.locator("#chart")).to_have_attribute("data-down-colour", "#f6465d")
    # Switching the language switches the convention, and the candles with it.
    page.select_option("#language", "ko")
    wait_for_candles_in(page, "red")
    expect(page.locator("#chart")).to_have_attribute("data-up-colour", "#f75467")
    expect(page.locator("#chart")).to_have_attribute("data-down-colour", "#4c8dff")
    screenshot(page, "trade-chart-korean-colours")
    page.select_option("#language", "en")
    wait_for_candles_in(page, "green")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()

    # A Korean visitor gets red and blue from the first drawing, on a phone too.
    page = new_page(browser, width=390, height=844, locale="ko-KR")
    open_trade_page(page, exchange)
    wait_for_candles_in(page, "red")
    screenshot(page, "trade-chart-korean-colours-phone")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def switcher_options(page: Page) -> list[str]:
    return page.locator("#market-options .market-option .market-option-pair").all_inner_texts()


def test_the_market_switcher_finds_markets_as_a_trader_types_them(
    browser: Browser, exchange: ExchangeServer
) -> None:
    # Korean, on a phone: 금 (gold) finds the tokenized gold market, Enter opens it.
    page = new_page(browser, width=390, height=844, locale="ko-KR")
    open_trade_page(page, exchange, "BTCKRW")
    switcher = page.locator("#market-select")
    expect(switcher).to_have_attribute("aria-label", "마켓 바꾸기")
    expect(switcher).to_have_attribute("placeholder", re.compile("금"))
    switcher.fill("금")
    expect(page.locator("#market-options")).to_be_visible()
    assert switcher_options(page) == ["KGLD/KRW"]
    expect(page.locator("#market-option-KGLDKRW")).to_contain_text("토큰화 금")
    expect(page.locator("#market-option-KGLDKRW")).to_have_attribute("aria-selected", "true")
    expect(switcher).to_have_attribute("aria-activedescendant", "market-option-KGLDKRW")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "trade-switcher-korean-phone")
    switcher.press("Enter")
    expect(page).to_have_url(re.compile(r"/trade/KGLDKRW$"))
    expect(page.locator("#market-symbol")).to_have_text("KGLD/KRW")
    # Words that find nothing say so.
    switcher.fill("도지코인")
    expect(page.locator("#market-options")).to_be_hidden()
    expect(page.locator("#market-none")).to_have_text("“도지코인”에 맞는 마켓이 없습니다.")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()

    # English: the pair as written, then a code whose markets the arrows move through.
    page = new_page(browser)
    open_trade_page(page, exchange)
    switcher = page.locator("#market-select")
    switcher.fill("BTC/KRW")
    assert switcher_options(page) == ["BTC/KRW"]
    switcher.fill("btc")
    assert switcher_options(page) == ["BTC/KRW", "BTC/USDT"]
    switcher.press("ArrowDown")
    expect(page.locator("#market-option-BTCUSDT")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#market-option-BTCKRW")).to_have_attribute("aria-selected", "false")
    # Escape closes the list without leaving the page.
    switcher.press("Escape")
    expect(page.locator("#market-options")).to_be_hidden()
    expect(switcher).to_have_attribute("aria-expanded", "false")
    # A pointer works too.
    switcher.fill("gold")
    page.click("#market-option-KGLDKRW")
    expect(page).to_have_url(re.compile(r"/trade/KGLDKRW$"))
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_recent_trades_scroll_from_the_keyboard(browser: Browser, exchange: ExchangeServer) -> None:
    # The recent trades scroll in their own box: Tab reaches it (named in the page's
    # language) and the arrow keys scroll it.
    page = new_page(browser, width=390, height=844, locale="ko-KR")
    open_trade_page(page, exchange)
    trades = page.locator(".trades-scroll")
    expect(trades).to_have_attribute("aria-label", "최근 체결 목록 (최신순)")
    expect(trades).to_have_attribute("tabindex", "0")
    # The market makers trade all the time: enough trades come to overflow the box.
    page.wait_for_function(
        "() => { const box = document.querySelector('.trades-scroll');"
        " return box.scrollHeight > box.clientHeight; }"
    )
    trades.focus()
    expect(trades).to_be_focused()
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('.trades-scroll').scrollTop > 0")
    page.select_option("#language", "en")
    expect(trades).to_have_attribute("aria-label", "Recent trades, newest first")
    page.context.close()


def test_the_order_book_is_reached_and_used_from_the_keyboard(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    log_in_with_funds(page, exchange)
    # One Tab stop for the whole book, on the best bid; the sides are named groups.
    expect(page.locator("#order-book [tabindex='0']")).to_have_count(1)
    best_bid = page.locator("#book-bids .book-row").first
    expect(best_bid).to_have_attribute("tabindex", "0")
    expect(best_bid).to_have_attribute("role", "button")
    expect(page.locator("#book-bids")).to_have_attribute("aria-label", "Bids (buy orders)")
    expect(page.locator("#book-asks")).to_have_attribute("aria-label", "Asks (sell orders)")
    # An empty level is no button.
    expect(page.locator("#order-book .book-row.empty[role]")).to_have_count(0)
    best_bid.focus()
    # Up from the best bid is the best ask, just above the middle.
    page.keyboard.press("ArrowUp")
    expect(page.locator("#book-asks .book-row").last).to_be_focused()
    page.keyboard.press("Home")
    expect(page.locator("#order-book .book-row:not(.empty)").first).to_be_focused()
    page.keyboard.press("End")
    expect(page.locator("#order-book .book-row:not(.empty)").last).to_be_focused()
    # Enter fills the form's price with the level's, as a click does (read and pressed in one
    # step: the book moves).
    picked, filled = page.evaluate(
        """() => {
            const row = document.activeElement;
            const price = row.dataset.price;
            row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
            return [price, document.querySelector('#price').value];
        }"""
    )
    assert filled.replace(",", "") == picked.split(".")[0]
    # The tab stop follows the row last focused.
    expect(page.locator("#order-book [tabindex='0']")).to_have_count(1)
    assert page.evaluate("document.activeElement.tabIndex") == 0
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
