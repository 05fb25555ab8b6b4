"""The trading page's tools (issue #15, "The tools traders expect"): order book grouping,
the user's own orders marked in the book, the chart's OHLC legend, moving averages and price
lines, the depth chart, in-page price alerts, and the order form and toasts on a phone.

The demo's market makers move the book every two seconds. Where a test compares the page's
figures with the API's, it holds the page's market streams (Playwright answers the
WebSocket itself and sends nothing), so the page shows exactly the REST answer it fetched,
and the test reads that very answer: the comparison is exact, not a race."""

import re
import uuid
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, Route, WebSocketRoute, expect
from test_accessibility import BLOCKING, axe_violations, describe

from conftest import new_page, screenshot, sign_up

SYMBOL = "KGLDKRW"
TICK = Decimal("10")


def hold_market_streams(page: Page) -> None:
    """The page's market streams open but stay silent: nothing changes what REST gave."""

    def silent(socket: WebSocketRoute) -> None:
        socket.on_message(lambda message: None)

    page.route_web_socket(re.compile(r"/stream\?"), silent)


def record_answers(page: Page, path: str) -> list[dict[str, Any]]:
    """Every answer the page gets from `path` (an /api/v3 path), with its query, in order."""
    answers: list[dict[str, Any]] = []

    def record(route: Route) -> None:
        response = route.fetch()
        answers.append({"url": route.request.url, "body": response.json()})
        route.fulfill(response=response)

    page.route(re.compile(re.escape(path) + r"\?"), record)
    return answers


def assert_accessible(page: Page) -> None:
    """No serious or critical axe violation in the page as drawn now (the tools' states:
    a marked level, the depth tab, a list of alerts, a price line)."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert blocking == [], describe(blocking)


def open_trade_page(page: Page, exchange: ExchangeServer, symbol: str = SYMBOL) -> None:
    page.goto(f"{exchange.base_url}/trade/{symbol}")
    expect(page.locator("#order-book")).to_have_attribute("data-synced", "1")


def snapshot_shown(page: Page, snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    """The depth snapshot the page's book was drawn from (its lastUpdateId is on the book)."""
    update_id = page.locator("#order-book").get_attribute("data-update-id")
    found = [s["body"] for s in snapshots if str(s["body"]["lastUpdateId"]) == update_id]
    assert found, f"no snapshot with lastUpdateId {update_id}"
    return found[-1]


def grouped(levels: list[list[str]], size: Decimal, side: str) -> list[tuple[Decimal, Decimal]]:
    """The book's levels merged in buckets of `size`, best first: bids down, asks up."""
    rounding = ROUND_FLOOR if side == "bid" else ROUND_CEILING
    buckets: dict[Decimal, Decimal] = {}
    for price, qty in levels:
        bucket = (Decimal(price) / size).to_integral_value(rounding=rounding) * size
        buckets[bucket] = buckets.get(bucket, Decimal(0)) + Decimal(qty)
    return sorted(buckets.items(), reverse=side == "bid")


def shown_levels(page: Page, side: str) -> list[tuple[Decimal, Decimal, Decimal]]:
    """The book's rows of one side as drawn, best first: (price, quantity, total)."""
    rows = page.evaluate(
        """(side) => [...document.querySelectorAll(`#book-${side}s .book-row:not(.empty)`)]
            .map((row) => [row.dataset.price, row.querySelector('.book-qty').textContent,
                           row.querySelector('.book-total').textContent])""",
        side,
    )
    levels = [
        (Decimal(p), Decimal(q.replace(",", "")), Decimal(t.replace(",", ""))) for p, q, t in rows
    ]
    # Asks are drawn best (lowest) at the bottom, next to the middle.
    return levels[::-1] if side == "ask" else levels


def test_grouping_merges_the_book_levels_exactly(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    hold_market_streams(page)
    snapshots = record_answers(page, "/api/v3/depth")
    open_trade_page(page, exchange)
    for _ in range(10):  # a book of several levels a side: at the very start it may be thin
        book = snapshot_shown(page, snapshots)
        if min(len(book["bids"]), len(book["asks"])) >= 3:
            break
        page.wait_for_timeout(500)
        open_trade_page(page, exchange)
    # The steps offered: the tick (10 KRW) and ten, a hundred, ... times it.
    options = page.locator("#book-grouping option").all_inner_texts()
    assert options == ["10", "100", "1,000", "10,000", "100,000"]
    expect(page.locator("#order-book")).to_have_attribute("data-grouping", "10")

    page.select_option("#book-grouping", label="1,000")
    expect(page.locator("#order-book")).to_have_attribute("data-grouping", "1000")
    book = snapshot_shown(page, snapshots)
    for side, levels in (("bid", book["bids"]), ("ask", book["asks"])):
        expected = grouped(levels, Decimal(1000), side)
        shown = shown_levels(page, side)
        assert shown, side
        assert [(price, qty) for price, qty, _ in shown] == expected[: len(shown)], side
        # The total column is the bucket's price times its quantity.
        assert all(total == price * qty for price, qty, total in shown), side
        # A bucket holds several of the makers' levels (8 basis points apart): merged.
        assert len(shown) < len(levels)
    # The best bid bucket is at or below the best bid, the best ask bucket at or above.
    assert shown_levels(page, "bid")[0][0] <= Decimal(book["bids"][0][0])
    assert shown_levels(page, "ask")[0][0] >= Decimal(book["asks"][0][0])
    screenshot(page, "trade-tools-grouping")

    # Kept per market: back on this market the choice stays; another market has its own.
    open_trade_page(page, exchange)
    expect(page.locator("#book-grouping")).to_have_value("2")
    open_trade_page(page, exchange, "KSLVKRW")
    expect(page.locator("#book-grouping")).to_have_value("0")
    assert page.locator("#book-grouping option").first.inner_text() == "1"
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def log_in_with_funds(page: Page, exchange: ExchangeServer) -> None:
    """A new, verified account (signed up in this browser), funded by the page's faucet."""
    sign_up(page, exchange, f"tools-{uuid.uuid4().hex[:10]}@example.com")
    open_trade_page(page, exchange)
    page.click("#faucet")
    expect(page.locator("#balance-KRW .free")).to_have_text("10,000,000")


def place_limit_buy(
    page: Page, price: Decimal, quantity: str, result: str = "Buy order placed|매수 주문"
) -> None:
    page.click("#side-buy")
    page.select_option("#order-type", "LIMIT")
    page.fill("#price", str(price))
    page.fill("#quantity", quantity)
    page.click("#submit-order")
    page.click("#confirm-ok")
    expect(page.locator("#order-message")).to_contain_text(re.compile(result))


def best_bid(page: Page) -> Decimal:
    return Decimal(
        page.locator("#book-bids .book-row:not(.empty)").first.get_attribute("data-price") or "0"
    )


def test_own_orders_are_marked_in_the_book(browser: Browser, exchange: ExchangeServer) -> None:
    for locale, mine in (("en-US", "(your order)"), ("ko-KR", "(내 주문)")):
        page = new_page(browser, locale=locale)
        log_in_with_funds(page, exchange)
        expect(page.locator("#order-book .book-row.mine")).to_have_count(0)
        # Half a percent under the best bid: far from being filled, near enough to be shown.
        price = (best_bid(page) * Decimal("0.995") / TICK).to_integral_value(ROUND_FLOOR) * TICK
        place_limit_buy(page, price, "0.1")
        marked = page.locator("#book-bids .book-row.mine")
        expect(marked).to_have_count(1)
        assert Decimal(marked.get_attribute("data-price") or "0") == price
        # Seen as a dot and a bar, read by a screen reader as part of the level's name.
        expect(marked).to_have_accessible_name(re.compile(re.escape(mine) + "$"))
        expect(page.locator("#book-asks .book-row.mine")).to_have_count(0)
        # Grouped, the mark moves to the bucket that holds the order.
        page.select_option("#book-grouping", label="1,000")
        bucket = (price / 1000).to_integral_value(ROUND_FLOOR) * 1000
        expect(marked).to_have_count(1)
        expect(marked).to_have_attribute("data-price", str(bucket))
        screenshot(page, f"trade-tools-own-order-{locale}")
        assert_accessible(page)
        # Canceled, the mark goes.
        page.locator("#open-orders .open-order .cancel-order").first.click()
        expect(marked).to_have_count(0)
        assert page.script_errors == []  # type: ignore[attr-defined]
        page.context.close()


def test_the_chart_legend_averages_and_price_lines(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    hold_market_streams(page)
    klines = record_answers(page, "/api/v3/klines")
    open_trade_page(page, exchange)
    expect(page.locator("#chart")).to_have_attribute("data-bars", re.compile(r"^[1-9]"))
    # The legend shows the last candle: exactly /api/v3/klines' last row.
    last = klines[-1]["body"][-1]
    legend = page.locator("#chart-legend")
    expect(legend).to_have_attribute("data-time", str(last[0]))
    for name, value in zip(("open", "high", "low", "close", "volume"), last[1:6], strict=True):
        expect(legend).to_have_attribute(f"data-{name}", value)
    close = f"{Decimal(last[4]):,.0f}"
    expect(legend).to_contain_text(f"C {close}")
    expect(legend).to_contain_text("MA7")
    # Under the pointer, the legend follows the candle there, whichever it is, and comes back
    # to the last one when the pointer leaves.
    rows = {str(row[0]): row for row in klines[-1]["body"]}
    chart_box = page.locator("#chart").bounding_box()
    assert chart_box is not None
    page.mouse.move(chart_box["x"] + chart_box["width"] * 0.75, chart_box["y"] + 100)
    page.wait_for_function(
        "(times) => times.includes(document.querySelector('#chart-legend').dataset.time)",
        arg=list(rows),
    )
    hovered = rows[legend.get_attribute("data-time") or ""]
    assert legend.get_attribute("data-close") == hovered[4]
    assert legend.get_attribute("data-high") == hovered[2]
    page.mouse.move(1, 1)
    expect(legend).to_have_attribute("data-time", str(last[0]))

    # MA 7 and 25 by default; MA 99 switched on and MA 7 off, remembered after a reload.
    expect(page.locator("#chart")).to_have_attribute("data-averages", "7,25")
    expect(page.locator("#ma-99")).to_have_attribute("aria-pressed", "false")
    page.click("#ma-99")
    expect(page.locator("#ma-99")).to_have_attribute("aria-pressed", "true")
    expect(legend).to_contain_text("MA99")
    page.click("#ma-7")
    expect(page.locator("#chart")).to_have_attribute("data-averages", "25,99")
    expect(legend).not_to_contain_text("MA7 ")
    open_trade_page(page, exchange)
    expect(page.locator("#chart")).to_have_attribute("data-averages", "25,99")
    expect(page.locator("#ma-7")).to_have_attribute("aria-pressed", "false")

    # The line tool: a click on the chart places a price line on the tick, listed below.
    expect(page.locator("#chart")).to_have_attribute("data-bars", re.compile(r"^[1-9]"))
    page.click("#chart-line-tool")
    expect(page.locator("#chart-line-tool")).to_have_attribute("aria-pressed", "true")
    box = page.locator("#chart").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 3, box["y"] + box["height"] * 0.4)
    expect(page.locator("#chart")).to_have_attribute("data-price-lines", "1")
    expect(page.locator("#chart-line-tool")).to_have_attribute("aria-pressed", "false")
    line = page.locator("#chart-lines .chart-line")
    expect(line).to_have_count(1)
    price = Decimal(line.get_attribute("data-price") or "0")
    assert price > 0 and price % TICK == 0
    screenshot(page, "trade-tools-chart")
    assert_accessible(page)
    line.locator(".remove-line").click()
    expect(page.locator("#chart")).to_have_attribute("data-price-lines", "0")
    expect(line).to_have_count(0)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()

    # In Korean the legend's labels are Korean, and so are the tools' names.
    page = new_page(browser, locale="ko-KR")
    open_trade_page(page, exchange)
    expect(page.locator("#chart-legend")).to_contain_text("종 ")
    expect(page.locator("#chart-line-tool")).to_have_text("가격선")
    expect(page.locator("#tab-depth-view")).to_have_text("뎁스")
    expect(page.locator("label[for='book-grouping']")).to_have_text("호가 단위")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def cumulative_depth(book: dict[str, Any]) -> tuple[str, str]:
    """The levels within 5 % of the mid price, each with its running total, as the page
    writes them: "price:total;..." best first."""
    bids = [(Decimal(p), Decimal(q)) for p, q in book["bids"]]
    asks = [(Decimal(p), Decimal(q)) for p, q in book["asks"]]
    mid = (bids[0][0] + asks[0][0]) / 2
    sides = []
    for levels, inside in (
        (bids, lambda p: p >= mid * Decimal("0.95")),
        (asks, lambda p: p <= mid * Decimal("1.05")),
    ):
        total = Decimal(0)
        points = []
        for price, qty in levels:
            if not inside(price):
                break
            total += qty
            points.append(f"{price.normalize():f}:{total.normalize():f}")
        sides.append(";".join(points))
    return sides[0], sides[1]


def test_the_depth_chart_draws_the_books_cumulative_totals(
    browser: Browser, exchange: ExchangeServer
) -> None:
    for locale, tab in (("en-US", "Depth"), ("ko-KR", "뎁스")):
        page = new_page(browser, locale=locale)
        hold_market_streams(page)
        snapshots = record_answers(page, "/api/v3/depth")
        open_trade_page(page, exchange)
        expect(page.locator("#depth-view")).to_be_hidden()
        page.get_by_role("tab", name=tab).click()
        expect(page.locator("#tab-depth-view")).to_have_attribute("aria-selected", "true")
        expect(page.locator("#price-view")).to_be_hidden()
        depth = page.locator("#depth-chart")
        expect(depth).to_have_attribute("data-drawn", "1")
        book = snapshot_shown(page, snapshots)
        assert depth.get_attribute("data-update-id") == str(book["lastUpdateId"])
        bids, asks = cumulative_depth(book)
        assert depth.get_attribute("data-bids") == bids
        assert depth.get_attribute("data-asks") == asks
        # Both curves are drawn, in the convention's up (bids) and down (asks) colours.
        colours = {"en-US": ("#0ecb81", "#f6465d"), "ko-KR": ("#f75467", "#4c8dff")}[locale]
        assert depth.locator("path.depth-bid").get_attribute("fill") == colours[0]
        assert depth.locator("path.depth-ask").get_attribute("fill") == colours[1]
        assert len(depth.locator("path.depth-bid").get_attribute("d") or "") > 20
        bid_total = f"{Decimal(bids.split(';')[-1].split(':')[1]):,f}"
        expect(page.locator("#depth-view .depth-summary")).to_contain_text(bid_total)
        screenshot(page, f"trade-tools-depth-{locale}")
        assert_accessible(page)
        # Back to the candles.
        page.click("#tab-price-view")
        expect(page.locator("#price-view")).to_be_visible()
        expect(page.locator("#chart-intervals")).to_be_visible()
        assert page.script_errors == []  # type: ignore[attr-defined]
        page.context.close()


def test_a_price_alert_fires_when_a_trade_reaches_it(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    # The person allowed notifications: the page sends one besides its own notice (recorded
    # here as the page creates it).
    page.context.grant_permissions(["notifications"], origin=exchange.base_url)
    page.add_init_script(
        """(() => {
            const Real = window.Notification;
            window.shownNotifications = [];
            class Recorded extends Real {
                constructor(title, options) {
                    window.shownNotifications.push([title, options && options.body]);
                    super(title, options);
                }
            }
            Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
            window.Notification = Recorded;
        })()"""
    )
    log_in_with_funds(page, exchange)
    expect(page.locator("#alerts-list")).to_contain_text("No alerts for this market.")
    # Above both the best ask and the last trade, by 0.5 %: a rise, reached by the buy below.
    # The makers' quotes walk up to 0.2 % every two seconds and their taker trades at the
    # asks, so a target only a tick above could be passed before the alert is added (it then
    # reads as a fall, already reached).
    best_ask, last = page.evaluate(
        """() => {
            const asks = document.querySelectorAll('#book-asks .book-row:not(.empty)');
            return [asks[asks.length - 1].dataset.price,
                    document.querySelector('#book-last').textContent.replace(/,/g, '')];
        }"""
    )
    target = (max(Decimal(best_ask), Decimal(last)) * Decimal("1.005") / TICK).to_integral_value(
        ROUND_CEILING
    ) * TICK
    page.fill("#alert-price", f"{target:,.0f}")
    page.click("#alert-add")
    alert = page.locator("#alerts-list .price-alert")
    expect(alert).to_have_count(1)
    expect(alert).to_have_attribute("data-direction", "up")
    expect(alert).to_contain_text(f"Rises to {target:,.0f} KRW")
    # A second one, far below, removed by its button.
    page.fill("#alert-price", "1000")
    page.click("#alert-add")
    expect(alert).to_have_count(2)
    page.get_by_role("button", name="Remove alert: Falls to 1,000 KRW").click()
    expect(alert).to_have_count(1)
    # Kept in the browser: after a reload it is still there.
    open_trade_page(page, exchange)
    expect(alert).to_have_count(1)
    screenshot(page, "trade-tools-alert-set")
    assert_accessible(page)

    # Every toast the page shows from now on (another may replace the alert's quickly).
    page.evaluate(
        """() => {
            window.toastTexts = [];
            new MutationObserver(() => {
                const toast = document.querySelector('#toast');
                if (toast) window.toastTexts.push(toast.textContent);
            }).observe(document.body, { subtree: true, childList: true, characterData: true });
        }"""
    )
    # A limit buy 1 % above the alert's price, for more than the asks up to that price hold:
    # what it does not take at once rests as the best bid, and the makers' next quotes trade
    # against it at its price. Either way a trade reaches the alert's price.
    limit = (target * Decimal("1.01") / TICK).to_integral_value(ROUND_FLOOR) * TICK
    place_limit_buy(page, limit, "25", "Buy (order placed|partly filled|filled)")
    fired = page.locator("#alert-message")
    expect(fired).to_contain_text(f"KGLD/KRW alert: Rises to {target:,.0f} KRW")
    page.wait_for_function("window.toastTexts.some((text) => text.includes('KGLD/KRW alert'))")
    title, body = page.evaluate("window.shownNotifications")[0]
    assert title == "Assetport · KGLD/KRW"
    assert f"Rises to {target:,.0f} KRW" in body
    # Fired alerts leave the list, here and in storage.
    expect(alert).to_have_count(0)
    assert page.evaluate("JSON.parse(localStorage.getItem('assetport.priceAlerts'))") == []
    screenshot(page, "trade-tools-alert-fired")
    # What is left of the buy leaves the book with the test.
    if page.locator("#cancel-all").is_enabled():
        page.click("#cancel-all")
        page.click("#confirm-ok")
    expect(page.locator("#open-orders .open-order")).to_have_count(0)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_price_alerts_in_korean(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser, locale="ko-KR")
    open_trade_page(page, exchange)
    expect(page.locator("#alerts-panel h2")).to_have_text("가격 알림")
    page.fill("#alert-price", "abc")
    page.click("#alert-add")
    expect(page.locator("#alert-message")).to_have_text("0보다 큰 가격을 숫자로 입력하세요.")
    page.fill("#alert-price", "1000")
    page.click("#alert-add")
    expect(page.locator("#alerts-list .price-alert")).to_contain_text("1,000 KRW 이하로 하락")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


# The controls a tap at their centre reaches, with the toast shown and with it hidden for a
# moment: those the toast hides from a tap, at every scroll position of the page (all in
# one step, while the toast shows; the book's rows change every two seconds). The phone
# bar's buttons step aside for the toast by design.
CONTROLS_UNDER_TOAST = """() => {
    const controls = 'button, input, select, a[href], [role=button]';
    const reachable = () => new Set([...document.querySelectorAll(controls)]
        .filter((node) => node.checkVisibility({ visibilityProperty: true }))
        .filter((node) => {
            const box = node.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
            const hit = document.elementFromPoint(x, y);
            return hit !== null && (hit === node || node.contains(hit));
        }));
    const toast = document.querySelector('#toast');
    const start = scrollY;
    const covered = [];
    for (let top = 0; top < document.documentElement.scrollHeight; top += innerHeight / 3) {
        window.scrollTo({ top, behavior: 'instant' });
        const withToast = reachable();
        toast.classList.add('hidden'); // as the page hides it when its time is up
        const withoutToast = reachable();
        toast.classList.remove('hidden');
        for (const node of withoutToast) {
            if (!withToast.has(node) && !node.closest('#phone-actions')) {
                const name = node.id || node.textContent.trim() || node.outerHTML.slice(0, 80);
                covered.push(`${top}: ${name}`);
            }
        }
    }
    window.scrollTo({ top: start, behavior: 'instant' });
    return covered;
}"""


def test_on_a_phone_the_form_is_one_tap_away_and_toasts_cover_no_button(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, width=390, height=844)
    log_in_with_funds(page, exchange)
    page.evaluate("window.scrollTo(0, 0)")
    # One tap on the Buy bar: the whole form down to its Submit button is on the screen,
    # above the bar.
    page.click("#phone-buy")
    submit = page.locator("#submit-order")
    expect(submit).to_be_in_viewport(ratio=1)
    page.wait_for_function(
        """() => {
            const submit = document.querySelector('#submit-order').getBoundingClientRect();
            const bar = document.querySelector('#phone-actions').getBoundingClientRect();
            return submit.top >= 0 && submit.bottom <= bar.top;
        }"""
    )
    # A toast (the order's result) takes the bar's place and hides no control from a tap.
    price = (best_bid(page) * Decimal("0.9") / TICK).to_integral_value(ROUND_FLOOR) * TICK
    page.fill("#price", str(price))
    page.fill("#quantity", "0.1")
    page.click("#submit-order")
    page.click("#confirm-ok")
    toast = page.locator("#toast")
    expect(toast).to_be_visible()
    assert page.evaluate(CONTROLS_UNDER_TOAST) == []
    expect(page.locator("#phone-buy")).to_be_hidden()
    # It lies in the strip the bar had, which the page keeps free at its end.
    toast_box = toast.bounding_box()
    assert toast_box is not None and toast_box["y"] + toast_box["height"] <= 844 + 0.5
    assert toast_box["y"] >= 844 - 80
    screenshot(page, "trade-tools-phone-toast")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
