"""Price alerts by email on the trading page (issue #15): a verified account ticks "Also
email me", sees the alert listed from the server, a trade placed through the API crosses
it, the page marks it sent, and the mail (with the anti-phishing code) is in the sandbox's
mailbox, in English and in Korean. A visitor and an unverified account see why the box is
unavailable."""

import uuid
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect
from test_accessibility import BLOCKING, axe_violations, describe

from conftest import (
    PASSWORD,
    find_mail,
    log_in_on_page,
    new_page,
    screenshot,
    sign_up,
    submit_sign_up,
)

SYMBOL = "KGLDKRW"
TICK = Decimal("10")

TEXTS = {
    "en-US": {
        "box": "Also email me",
        "rises": "Rises to {price} KRW",
        "waiting": "Email when reached",
        "sent": "Emailed: trade at",
        "subject": "Price alert: KGLD/KRW rose to {price} KRW",
        "code": "Your anti-phishing code: {code}",
        "visitor": "Log in to get alerts by email as well.",
        "unverified": "Verify your email address to get alerts by email as well.",
    },
    "ko-KR": {
        "box": "이메일로도 받기",
        "rises": "{price} KRW 이상으로 상승",
        "waiting": "도달 시 이메일 발송",
        "sent": "이메일 발송됨: 체결가",
        "subject": "가격 알림: KGLD/KRW {price} KRW 이상 상승",
        "code": "피싱 방지 코드: {code}",
        "visitor": "로그인하면 알림을 이메일로도 받을 수 있습니다.",
        "unverified": "이메일 주소를 인증하면 알림을 이메일로도 받을 수 있습니다.",
    },
}

# The page's own session and CSRF token, for calls the test makes as the person would
# through the API (the cookie is HttpOnly: only the page's fetch sends it).
API_CALL = """async ([method, path, body]) => {
    const session = await (await fetch('/api/v1/account/session')).json();
    const headers = { 'X-CSRF-Token': session.csrfToken };
    if (body) headers['Content-Type'] = 'application/json';
    const sent = body ? JSON.stringify(body) : undefined;
    const answer = await fetch(path, { method, headers, body: sent });
    return [answer.status, await answer.json()];
}"""


def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    status, answer = page.evaluate(API_CALL, [method, path, body])
    assert status == 200, answer
    return answer


def open_trade_page(page: Page, exchange: ExchangeServer) -> None:
    page.goto(f"{exchange.base_url}/trade/{SYMBOL}")
    expect(page.locator("#order-book")).to_have_attribute("data-synced", "1")


def assert_accessible(page: Page) -> None:
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert blocking == [], describe(blocking)


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_an_email_alert_is_set_crossed_and_mailed(
    browser: Browser, exchange: ExchangeServer, locale: str
) -> None:
    texts = TEXTS[locale]
    page = new_page(browser, locale=locale)
    sign_up(page, exchange, f"mail-alert-{uuid.uuid4().hex[:10]}@example.com")
    api(page, "POST", "/api/v1/account/anti-phishing", {"code": "Kite88", "password": PASSWORD})
    open_trade_page(page, exchange)
    page.click("#faucet")
    expect(page.locator("#balance-KRW .free")).to_have_text("10,000,000")

    box = page.locator("#alert-email")
    expect(box).to_be_enabled()
    expect(page.locator("label[for=alert-email]")).to_have_text(texts["box"])
    expect(page.locator("#alert-email-note")).to_be_hidden()
    # Just above both the best ask and the last trade: a rise, reached by the buy below.
    best_ask, last = page.evaluate(
        """() => {
            const asks = document.querySelectorAll('#book-asks .book-row:not(.empty)');
            return [asks[asks.length - 1].dataset.price,
                    document.querySelector('#book-last').textContent.replace(/,/g, '')];
        }"""
    )
    target = max(Decimal(best_ask), Decimal(last)) + TICK
    shown = f"{target:,.0f}"
    page.fill("#alert-price", shown)
    box.check()
    page.click("#alert-add")
    alert = page.locator("#email-alerts-list .email-alert")
    expect(alert).to_have_count(1)
    expect(alert).to_have_attribute("data-fired", "0")
    expect(alert).to_contain_text(texts["rises"].format(price=shown))
    expect(alert).to_contain_text(texts["waiting"])
    # Kept on the server: listed from the API after a reload.
    open_trade_page(page, exchange)
    expect(alert).to_have_count(1)
    [kept] = api(page, "GET", "/api/v1/account/price-alerts")["priceAlerts"]
    assert (kept["price"], kept["direction"], kept["fired"]) == (str(target), "up", False)
    screenshot(page, f"price-alert-email-set-{locale}")
    assert_accessible(page)

    # A limit buy 1 % above the alert's price, for more than the asks up to it hold, placed
    # through the API: what it does not take at once rests as the best bid, and the makers'
    # next quotes trade against it. Either way a trade reaches the alert's price.
    limit = (target * Decimal("1.01") / TICK).to_integral_value(ROUND_FLOOR) * TICK
    query = f"symbol={SYMBOL}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=25&price={limit}"
    api(page, "POST", f"/api/v3/order?{query}")
    expect(alert).to_have_attribute("data-fired", "1", timeout=20_000)
    expect(alert).to_contain_text(texts["sent"])
    screenshot(page, f"price-alert-email-fired-{locale}")
    api(page, "DELETE", f"/api/v3/openOrders?symbol={SYMBOL}")

    subject = texts["subject"].format(price=str(target))
    mail = find_mail(page, exchange, f'.mail-subject:has-text("{subject}")')
    expect(mail).to_have_text(f"[Kite88] Assetport: {subject}")
    page.wait_for_timeout(1000)  # time for a second mail, were one sent
    page.click("#mail-refresh")
    article = page.locator("article.mail", has=page.locator(f'.mail-subject:has-text("{subject}")'))
    expect(article).to_have_count(1)  # one mail, however many trades crossed the price
    expect(article.locator(".mail-text")).to_contain_text(texts["code"].format(code="Kite88"))

    # Removed from the trading page, it leaves the server too.
    open_trade_page(page, exchange)
    alert.locator(".remove-alert").click()
    expect(alert).to_have_count(0)
    assert api(page, "GET", "/api/v1/account/price-alerts")["priceAlerts"] == []
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_visitors_and_unverified_accounts_see_why_not(
    browser: Browser, exchange: ExchangeServer, locale: str
) -> None:
    texts = TEXTS[locale]
    page = new_page(browser, locale=locale)
    open_trade_page(page, exchange)
    expect(page.locator("#alert-email")).to_be_disabled()
    expect(page.locator("#alert-email-note")).to_have_text(texts["visitor"])
    expect(page.locator("#email-alerts-list")).to_be_hidden()

    email = f"unverified-alert-{uuid.uuid4().hex[:10]}@example.com"
    submit_sign_up(page, exchange, email)
    page.goto(exchange.base_url + "/login")
    log_in_on_page(page, email)
    open_trade_page(page, exchange)
    expect(page.locator("#alert-email")).to_be_disabled()
    expect(page.locator("#alert-email-note")).to_have_text(texts["unverified"])
    assert_accessible(page)
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
