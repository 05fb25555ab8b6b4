"""The sandbox's whole story in the browser (issue #6): sign up, take the faucet's test
funds, place a limit buy and see it in the book and in the open orders, cancel it; then a
second user's crossing sell fills it, and both see the trade and their new balances.

The demo market makers quote five levels on each side of a drifting reference price, so
the test places its buy far below the best bid (it rests, and no maker trades with it).
A sell at that price would first meet every maker bid above it (price priority), so the
second user sells more than the makers can ever bid: five levels of at most 2.7 KGLD each
(sandbox/market_makers.py: 20 times the smallest order). Whatever the makers quote at that
moment, the sell goes through all their bids and then fills the first user's buy whole, at
the buy's price; what is left of it rests and the makers take it later."""

import re
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Locator, Page, expect

from conftest import PASSWORD, new_page, screenshot, sign_up, unique_email, verify_and_log_in

SYMBOL = "KGLDKRW"
TICK = Decimal("10")  # KGLDKRW's tick size, in KRW
BUY_QTY = "0.5"
# More than the makers' five bid levels can hold (5 x 2.7 KGLD), plus the buy; the faucet
# gives 50 KGLD.
SELL_QTY = "20"


def exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def krw(amount: Decimal) -> str:
    """KRW as the page shows it: whole won, grouped in thousands."""
    return f"{amount:,.0f}"


def number(locator: Locator) -> Decimal:
    return Decimal(locator.inner_text().replace(",", "").strip())


def open_trade_page(page: Page, exchange: ExchangeServer) -> None:
    page.goto(f"{exchange.base_url}/trade/{SYMBOL}")
    expect(page.locator("#order-book")).to_have_attribute("data-synced", "1")
    expect(page.locator("#user-panel")).to_have_attribute("data-loaded", "1")


def take_test_funds(page: Page) -> None:
    expect(page.locator("#balances")).to_contain_text("No funds yet")
    page.click("#faucet")
    expect(page.locator("#faucet-message")).to_contain_text("Test funds credited")
    expect(page.locator("#balance-KRW .free")).to_have_text("10,000,000")
    expect(page.locator("#balance-KGLD .free")).to_have_text("50")


def place_limit(page: Page, side: str, price: Decimal, quantity: str) -> None:
    page.click("#side-buy" if side == "BUY" else "#side-sell")
    page.select_option("#order-type", "LIMIT")
    page.fill("#price", str(price))
    page.fill("#quantity", quantity)
    page.click("#submit-order")
    # The confirmation is on by default: a person checks the figures and sends.
    page.click("#confirm-ok")


def book_bid(page: Page, price: Decimal) -> Locator:
    return page.locator("#book-bids .book-bid").filter(
        has=page.locator(".book-price", has_text=exact(krw(price)))
    )


def far_below_the_book(page: Page) -> Decimal:
    """A price on the tick, 20 % under the best bid now: the makers' quotes stay within
    half a percent of their reference, which drifts slowly back towards its start."""
    best_bid = page.locator("#book-bids .book-bid:not(.empty)").first.get_attribute("data-price")
    assert best_bid, "the demo makers quote no bid"
    price = (Decimal(best_bid) * Decimal("0.8") / TICK).quantize(Decimal(1), ROUND_DOWN) * TICK
    assert price > 0
    return price


def test_sign_up_faucet_limit_order_cancel_then_a_second_user_fills_it(
    browser: Browser, exchange: ExchangeServer
) -> None:
    # --- the first user signs up from the trading page and lands back on it ---------------
    alice = new_page(browser)
    alice.goto(f"{exchange.base_url}/trade/{SYMBOL}")
    alice.click("#signup-link")
    email = unique_email("alice")
    alice.fill("#email", email)
    alice.fill("#password", PASSWORD)
    alice.fill("#password-confirm", PASSWORD)
    alice.check("#signup-terms")
    alice.click("#signup-submit")
    # "Check your mail": the sandbox's mailbox has the link; then the login.
    expect(alice.locator("#signup-check-mail")).to_contain_text("Open its link")
    alice.click("#open-mailbox")
    verify_and_log_in(alice, exchange, email)
    open_trade_page(alice, exchange)
    take_test_funds(alice)
    screenshot(alice, "flow-1-alice-funded")

    # --- a limit buy far below the book rests: in the book and in the open orders ----------
    price = far_below_the_book(alice)
    # The order holds its cost and its fee, paid in KRW on a won market (0.05 %, rounded up).
    cost = price * Decimal(BUY_QTY)
    cost += (cost * Decimal("0.0005")).to_integral_value(ROUND_UP)
    place_limit(alice, "BUY", price, BUY_QTY)
    expect(alice.locator("#order-message")).to_have_text("Buy order placed (Limit).")
    order = alice.locator("#open-orders .open-order")
    expect(order).to_have_count(1)
    expect(order.locator(".price")).to_have_text(krw(price))
    expect(order.locator(".qty")).to_have_text(BUY_QTY)
    expect(order.locator(".side")).to_have_text("Buy")
    expect(book_bid(alice, price)).to_have_count(1)
    expect(book_bid(alice, price).locator(".book-qty")).to_have_text(BUY_QTY)
    expect(alice.locator("#balance-KRW .locked")).to_have_text(krw(cost))
    expect(alice.locator("#balance-KRW .free")).to_have_text(krw(Decimal(10_000_000) - cost))
    screenshot(alice, "flow-2-alice-order-resting")

    # --- cancelled: gone from the book and the open orders, the KRW free again ------------
    order.locator(".cancel-order").click()
    expect(alice.locator("#open-orders .open-order")).to_have_count(0)
    expect(alice.locator("#open-orders")).to_contain_text("No open orders in this market.")
    expect(book_bid(alice, price)).to_have_count(0)
    expect(alice.locator("#balance-KRW .free")).to_have_text("10,000,000")
    expect(alice.locator("#balance-KRW .locked")).to_have_text("0")
    screenshot(alice, "flow-3-alice-order-cancelled")

    # --- the buy again, resting until the second user crosses it -------------------------
    place_limit(alice, "BUY", price, BUY_QTY)
    expect(alice.locator("#open-orders .open-order")).to_have_count(1)
    expect(book_bid(alice, price)).to_have_count(1)

    bob = new_page(browser)
    sign_up(bob, exchange, unique_email("bob"))
    open_trade_page(bob, exchange)
    take_test_funds(bob)
    # The second user sees the first user's bid in the book.
    expect(book_bid(bob, price)).to_have_count(1)
    screenshot(bob, "flow-4-bob-sees-the-bid")
    place_limit(bob, "SELL", price, SELL_QTY)

    # --- the first user's buy is filled at its price; both see the trade ------------------
    expect(alice.locator("#open-orders .open-order")).to_have_count(0)
    expect(book_bid(alice, price)).to_have_count(0)
    alice.click("#tab-trade-history")
    trade = alice.locator("#trade-history .my-trade")
    expect(trade).to_have_count(1)
    expect(trade.locator(".side")).to_have_text("Buy")
    expect(trade).to_contain_text(krw(price))
    expect(trade).to_contain_text("Maker")
    alice.click("#tab-order-history")
    expect(alice.locator("#order-history .history-order").first.locator(".status")).to_have_text(
        "Filled"
    )
    # The new balances: the buy's KRW paid with its maker fee (in KRW, the hold exactly:
    # maker and taker rates are alike here), and every unit of KGLD bought received.
    expect(alice.locator("#balance-KRW .free")).to_have_text(krw(Decimal(10_000_000) - cost))
    expect(alice.locator("#balance-KRW .locked")).to_have_text("0")
    expect(alice.locator("#balance-KGLD .free")).to_have_text("50.5")
    screenshot(alice, "flow-5-alice-filled")

    bob.click("#tab-trade-history")
    # The sell met the makers' bids first, then the first user's buy, at its price, as the
    # taker. What is left of it rests at that price, and the makers may buy it later: those
    # trades are the sell's too, but as the maker.
    bob_trade = (
        bob.locator("#trade-history .my-trade")
        .filter(has=bob.locator("td", has_text=exact(krw(price))))
        .filter(has_text="Taker")
    )
    expect(bob_trade).to_have_count(1)
    expect(bob_trade.locator(".side")).to_have_text("Sell")
    expect(bob_trade.locator("td", has_text=exact(BUY_QTY))).to_have_count(1)
    # All 20 KGLD left the free balance (sold, or still on offer); KRW came in.
    expect(bob.locator("#balance-KGLD .free")).to_have_text("30")
    expect(bob.locator("#balance-KRW .free")).not_to_have_text("10,000,000")
    assert number(bob.locator("#balance-KRW .free")) > Decimal(10_000_000)
    screenshot(bob, "flow-6-bob-sold")

    assert alice.script_errors == []  # type: ignore[attr-defined]
    assert bob.script_errors == []  # type: ignore[attr-defined]
    alice.context.close()
    bob.context.close()
