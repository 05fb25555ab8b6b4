"""The portfolio page (#15): a user's holdings valued in KRW, the average cost of what they
bought and the profit or loss, in English and Korean; a visitor is asked to log in.

The user takes the faucet's test funds and buys KGLD at market from the demo makers through
the API, as the page itself would (session cookie and CSRF token). The figures on the page
are then checked against the user's own trades: the makers' prices drift, so the price is
read from the same row as the value and the profit, in one look at the page."""

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect

from conftest import call_module, new_page, screenshot, serve_sources, sign_up, unique_email

SYMBOL = "KGLDKRW"
BOUGHT = "1.5"
FAUCET_KGLD = Decimal("50")


def _api(page: Page, exchange: ExchangeServer, method: str, path: str, **params: str) -> Any:
    """A call of the page's own kind: the session cookie, and its CSRF token on a change."""
    session = page.request.get(exchange.base_url + "/api/v1/account/session").json()
    answer = page.request.fetch(
        exchange.base_url + path,
        method=method,
        params=params,
        headers={"X-CSRF-Token": session["csrfToken"]},
    )
    assert answer.ok, answer.text()
    return answer.json()


def _won(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1), ROUND_HALF_UP):,}"


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("+", "").strip())


def _row(page: Page, asset: str) -> dict[str, str]:
    """The cells of one asset's row, read in one go (the page redraws on every ticker)."""
    cells: dict[str, str] = page.eval_on_selector(
        f'#portfolio-rows tr[data-asset="{asset}"]',
        """row => Object.fromEntries([...row.cells].slice(1).map(
            cell => [cell.className.split(' ')[1], cell.textContent]))""",
    )
    return cells


def _funded_buyer(browser: Browser, exchange: ExchangeServer, locale: str) -> Page:
    page = new_page(browser, locale=locale)
    sign_up(page, exchange, unique_email("portfolio"))
    _api(page, exchange, "POST", "/api/v1/sandbox/faucet")
    order = _api(
        page, exchange, "POST", "/api/v3/order",
        symbol=SYMBOL, side="BUY", type="MARKET", quantity=BOUGHT, newOrderRespType="FULL",
    )  # fmt: skip
    assert order["status"] == "FILLED", order
    return page


def test_holdings_are_valued_with_their_average_cost_and_profit(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = _funded_buyer(browser, exchange, "en-US")
    trades = _api(page, exchange, "GET", "/api/v3/myTrades", symbol=SYMBOL)
    assert trades and all(trade["isBuyer"] for trade in trades)
    # What the buy brought (all of it: on a won market the fee is paid in KRW) and what it
    # cost, the fee included.
    received = sum(Decimal(t["qty"]) for t in trades)
    paid = sum(Decimal(t["quoteQty"]) + Decimal(t["commission"]) for t in trades)
    assert {t["commissionAsset"] for t in trades} == {"KRW"}
    balances = {
        b["asset"]: Decimal(b["free"]) + Decimal(b["locked"])
        for b in _api(page, exchange, "GET", "/api/v3/account")["balances"]
    }

    page.goto(exchange.base_url + "/portfolio")
    expect(page.locator('#portfolio-rows tr[data-asset="KGLD"]')).to_be_visible()
    expect(page).to_have_title(re.compile("Portfolio"))
    kgld = _row(page, "KGLD")
    assert _number(kgld["amount"]) == balances["KGLD"] == FAUCET_KGLD + received
    assert kgld["average-cost"] == _won(paid / received)
    price = _number(kgld["price"])
    holding = balances["KGLD"]
    assert kgld["value"] == _won(holding * price)
    # Only the bought part has a cost: the faucet's 50 KGLD are valued, not in the profit.
    assert _number(kgld["profit"]) == (received * price - paid).quantize(Decimal(1), ROUND_HALF_UP)
    expect(page.locator("#portfolio-notes")).to_contain_text("50 KGLD came without a trade here")
    krw = _row(page, "KRW")
    assert _number(krw["amount"]) == balances["KRW"]
    assert krw["value"] == _won(balances["KRW"])
    assert krw["average-cost"] == "–"
    expect(page.locator("#portfolio-total")).to_contain_text("KRW")
    link = page.locator('#portfolio-rows tr[data-asset="KGLD"] a.portfolio-trade')
    expect(link).to_have_attribute("href", f"/trade/{SYMBOL}")
    screenshot(page, "portfolio-en")
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_the_portfolio_speaks_korean(browser: Browser, exchange: ExchangeServer) -> None:
    page = _funded_buyer(browser, exchange, "ko-KR")
    page.goto(exchange.base_url + "/portfolio")
    expect(page.locator('#portfolio-rows tr[data-asset="KGLD"]')).to_be_visible()
    expect(page.locator("#portfolio-table thead")).to_contain_text("매수평균가")
    expect(page.locator("#portfolio-table thead")).to_contain_text("평가손익")
    expect(page.locator("#portfolio-notes")).to_contain_text("이동평균")
    screenshot(page, "portfolio-ko")
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_a_visitor_is_asked_to_log_in_and_brought_back(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/portfolio")
    link = page.locator("#portfolio-login a")
    expect(link).to_have_attribute("href", "/login?next=%2Fportfolio")
    assert page.script_errors == []  # type: ignore[attr-defined]


MARKETS = [
    {"symbol": "KGLDKRW", "base": "KGLD", "quote": "KRW"},
    {"symbol": "BTCKRW", "base": "BTC", "quote": "KRW"},
    {"symbol": "BTCUSDT", "base": "BTC", "quote": "USDT"},
    {"symbol": "ETHKRW", "base": "ETH", "quote": "KRW"},
]


def _trade(id_: int, buyer: bool, qty: str, quote: str, fee: str, fee_asset: str) -> dict[str, Any]:
    return {"id": id_, "time": id_, "isBuyer": buyer, "qty": qty, "quoteQty": quote,
            "commission": fee, "commissionAsset": fee_asset}  # fmt: skip


def test_the_average_cost_is_a_moving_average_and_cross_rates_price_the_rest(
    browser: Browser, exchange: ExchangeServer
) -> None:
    """lib/portfolio.js on figures worked by hand."""
    page = new_page(browser)
    serve_sources(page, exchange)
    page.goto(exchange.base_url + "/markets")
    trades = [
        # 2 KGLD for 260,000 KRW, 0.001 KGLD fee: 1.999 KGLD cost 260,000.
        _trade(1, True, "2", "260000", "0.001", "KGLD"),
        # Half sold: the cost goes down by half, the average stays.
        _trade(2, False, "0.9995", "140000", "70", "KRW"),
        # 1 more for 120,000 KRW with a 60 KRW fee (fee in KRW, as on Upbit).
        _trade(3, True, "1", "120000", "60", "KRW"),
    ]
    basis = call_module(
        page, "portfolio.js",
        """const b = lib.costBasis(args[0], "KGLD", "KRW");
           return [lib.text(b.quantity), lib.text(b.cost)];""",
        trades,
    )  # fmt: skip
    quantity, cost = (Decimal(value) for value in basis)
    assert quantity == Decimal("1.9995")
    assert cost == Decimal("130000") + Decimal("120060")
    prices = {"BTCKRW": "140000000", "BTCUSDT": "100000.00", "ETHKRW": "0.000", "KGLDKRW": "0"}
    priced = call_module(
        page, "portfolio.js",
        """return ["USDT", "BTC", "ETH", "KGLD", "KRW", "XYZ"].map(asset => {
             const price = lib.homePrice(asset, args[0], args[1]);
             return price === null ? null : lib.text(price);
           });""",
        MARKETS, prices,
    )  # fmt: skip
    usdt, btc, eth, kgld, krw, unknown = (None if p is None else Decimal(p) for p in priced)
    assert usdt == Decimal(1400)  # through BTCUSDT and BTCKRW
    assert btc == Decimal(140_000_000)
    assert eth is None and kgld is None  # markets that never traded price nothing
    assert krw == 1 and unknown is None


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_small_balances_are_converted_to_krw_after_asking(
    browser: Browser, exchange: ExchangeServer, locale: str
) -> None:
    """A balance too small to sell (here 0.0005 KGLD, worth under the 5,000 KRW minimum order)
    is offered for conversion, ticked, confirmed once more, and becomes KRW."""
    page = new_page(browser, locale=locale)
    sign_up(page, exchange, unique_email("dust"))
    user_id = page.request.get(exchange.base_url + "/api/v1/account/session").json()["userId"]
    exchange.admin("/api/v1/admin/deposits", user_id=user_id, asset="KRW", amount="1000000")
    # A round trip on the gold market: a last price to value gold at, fees in KRW for the
    # exchange to pay with, and not a unit of gold left over (the fee was paid in KRW).
    for side in ("BUY", "SELL"):
        order = _api(page, exchange, "POST", "/api/v3/order", symbol=SYMBOL, side=side,
                     type="MARKET", quantity="0.1")  # fmt: skip
        assert order["status"] == "FILLED", order
    balances = {b["asset"]: b for b in _api(page, exchange, "GET", "/api/v3/account")["balances"]}
    assert balances["KGLD"]["free"] == "0.0000"
    exchange.admin("/api/v1/admin/deposits", user_id=user_id, asset="KGLD", amount="0.0005")

    page.goto(exchange.base_url + "/portfolio")
    row = page.locator('#dust-table tr[data-asset="KGLD"]')
    expect(row).to_be_visible()
    expect(page.locator("#dust-pick-KGLD")).to_be_checked()
    expect(row.locator(".dust-amount")).to_have_text("0.0005")
    expect(page.locator("#dust-title")).to_have_text(
        "Small balances" if locale == "en-US" else "소액 자산"
    )
    screenshot(page, f"portfolio-dust-offer-{locale}")
    # Unticked, there is nothing to convert; ticked again, it asks before it converts.
    page.uncheck("#dust-pick-KGLD")
    expect(page.locator("#dust-convert")).to_be_disabled()
    page.check("#dust-pick-KGLD")
    page.click("#dust-convert")
    expect(page.locator("#dust-confirm")).to_be_visible()
    page.click("#dust-back")
    expect(page.locator("#dust-confirm")).to_have_count(0)
    balances = {b["asset"]: b for b in _api(page, exchange, "GET", "/api/v3/account")["balances"]}
    assert balances["KGLD"]["free"] == "0.0005"  # nothing was sent
    page.click("#dust-convert")
    page.click("#dust-yes")
    expect(page.locator("#dust-message")).to_be_visible()
    expect(page.locator("#dust-none")).to_be_visible()
    balances = {b["asset"]: b for b in _api(page, exchange, "GET", "/api/v3/account")["balances"]}
    assert balances["KGLD"]["free"] == "0.0000"
    screenshot(page, f"portfolio-dust-done-{locale}")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
