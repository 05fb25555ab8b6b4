"""A first visit that explains itself (#15): the landing hero and its three steps, the footer
and the pages it links, consent to the terms at sign-up (refused by the server without it),
the welcome after sign-up pointing at the faucet, the sandbox explainer linked from the
banner, and the asset page of a tokenized real-world asset. In English and Korean, the hero
at a phone's size too."""

import re
import sqlite3

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, Route, expect
from test_accessibility import check_page

from assetport.accounts.terms import TERMS_VERSION
from assetport.listings import DEMO_FEES_BPS, DEMO_MARKETS
from conftest import (
    PASSWORD,
    new_page,
    screenshot,
    sign_up,
    submit_sign_up,
    unique_email,
    verify_and_log_in,
)

SIGNUP_API = "/api/v1/account/signup"

# The footer's pages and the heading each shows, per language.
FOOTER_PAGES = {
    "/help": ("Help", "도움말"),
    "/fees": ("Fees", "수수료"),
    "/api-guide": ("Using the API", "API 사용하기"),
    "/terms": ("Terms of use", "이용약관"),
    "/risk-disclosure": ("Risk disclosure", "위험 고지"),
    "/proof-of-reserves": ("Proof of reserves", "준비금 증명"),
    "/sandbox": ("About the sandbox", "샌드박스 안내"),
}


def open_markets(page: Page, exchange: ExchangeServer) -> None:
    page.goto(exchange.base_url + "/")
    expect(page.locator("#landing-hero")).to_be_visible()


def test_a_visitor_sees_what_assetport_is_and_three_steps_with_their_links(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    open_markets(page, exchange)
    hero = page.locator("#landing-hero")
    expect(hero.locator("#hero-lead")).to_have_text(
        "Assetport is a sandbox exchange where you buy and sell tokens backed by gold, silver, "
        "copper and oil, with test money only."
    )
    steps = hero.locator(".hero-step")
    expect(steps).to_have_count(3)
    expect(steps.locator(".hero-step-title")).to_have_text(
        ["Sign up", "Get test funds", "Buy tokenized gold"]
    )
    expect(steps.nth(0).locator("a")).to_have_attribute("href", "/signup")
    expect(steps.nth(1).locator("a")).to_have_attribute("href", "/login?next=%2F")
    expect(steps.nth(2).locator("a")).to_have_attribute("href", "/trade/KGLDKRW")
    expect(hero.locator("#hero-dismiss")).to_have_count(0)  # a visitor's hero stays
    screenshot(page, "first-visit-hero")
    steps.nth(0).locator("a").click()
    expect(page).to_have_url(exchange.base_url + "/signup")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_the_hero_in_korean_on_a_phone_stacks_its_steps(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, width=390, height=844, locale="ko-KR")
    open_markets(page, exchange)
    hero = page.locator("#landing-hero")
    expect(hero.locator("#hero-title")).to_have_text("토큰화된 실물 자산을 거래하세요")
    steps = hero.locator(".hero-step")
    expect(steps.locator(".hero-step-title")).to_have_text(
        ["회원가입", "테스트 자금 받기", "토큰화된 금 사기"]
    )
    expect(steps.nth(2).locator("a")).to_have_text("KGLD/KRW 거래하기")
    # One above the other, each inside the screen: nothing to scroll sideways for.
    boxes = [steps.nth(n).bounding_box() for n in range(3)]
    assert all(box is not None for box in boxes)
    tops = [box["y"] for box in boxes if box]
    assert tops == sorted(tops) and len(set(tops)) == 3
    assert all(box["x"] + box["width"] <= 390 for box in boxes if box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "first-visit-hero-ko-phone")
    page.context.close()


def test_the_footer_links_pages_that_answer_in_both_languages(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    open_markets(page, exchange)
    links = page.locator("#footer a")
    expect(links).to_have_count(len(FOOTER_PAGES))
    assert [links.nth(n).get_attribute("href") for n in range(len(FOOTER_PAGES))] == list(
        FOOTER_PAGES
    )
    for path, (english, _) in FOOTER_PAGES.items():
        answer = page.request.get(exchange.base_url + path)
        assert answer.status == 200, path
        page.goto(exchange.base_url + path)
        expect(page.locator("#info-title")).to_have_text(english)
        expect(page.locator(".info-section").first).to_be_visible()
        expect(page).to_have_title(f"{english} · Assetport")
        expect(page.locator("#footer")).to_be_visible()  # every page has it, these too
    # The terms say what the sandbox is not, and carry the version a sign-up accepts.
    page.goto(exchange.base_url + "/terms")
    expect(page.locator("#info-page")).to_contain_text("Test funds and tokens have no value")
    expect(page.locator("#terms-version")).to_have_text(f"Version of {TERMS_VERSION}")
    screenshot(page, "first-visit-terms")
    # The API guide names this server's own addresses for a Binance client.
    page.goto(exchange.base_url + "/api-guide")
    ws_origin = exchange.base_url.replace("http", "ws", 1)
    expect(page.locator("#info-page")).to_contain_text(f'API_URL = "{exchange.base_url}/api"')
    expect(page.locator("#info-page")).to_contain_text(f"{ws_origin}/ws-api/v3")
    page.select_option("#language", "ko")
    expect(page.locator("#info-title")).to_have_text("API 사용하기")
    page.context.close()

    korean = new_page(browser, locale="ko-KR")
    for path, (_, title) in FOOTER_PAGES.items():
        korean.goto(exchange.base_url + path)
        expect(korean.locator("#info-title")).to_have_text(title)
        expect(korean).to_have_title(f"{title} · Assetport")
        expect(korean.locator("#footer a").first).to_have_text("도움말")
    expect(korean.locator("#info-page")).to_contain_text("데모 마켓 메이커")  # /sandbox, last
    korean.goto(exchange.base_url + "/risk-disclosure")
    expect(korean.locator("#info-page")).to_contain_text("토큰은 자산 그 자체가 아닙니다")
    screenshot(korean, "first-visit-risk-ko")
    assert korean.script_errors == []  # type: ignore[attr-defined]
    korean.context.close()


def test_the_fees_page_reads_the_rates_the_exchange_charges(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/fees")
    # A visitor: every market, and where to log in for the rates of an account.
    expect(page.locator("#fees-table tbody tr")).to_have_count(len(DEMO_MARKETS))
    expect(page.locator("#fees-login")).to_have_attribute("href", "/login?next=/fees")
    # A visitor sees the markets' standard rates (the demo's 5 basis points).
    visitor_row = page.locator('#fees-table tr[data-symbol="KGLDKRW"]')
    expect(visitor_row.locator(".fee-maker")).to_have_text("0.05 %")
    expect(visitor_row.locator(".fee-taker")).to_have_text("0.05 %")
    expect(page.locator("#fees-note")).to_contain_text("standard rates")
    sign_up(page, exchange, unique_email("fees"))
    page.goto(exchange.base_url + "/fees")
    percent = f"{DEMO_FEES_BPS / 100:g} %"  # 5 basis points: "0.05 %"
    row = page.locator('#fees-table tr[data-symbol="KGLDKRW"]')
    expect(row.locator("th")).to_have_text("KGLD/KRW")
    expect(row.locator(".fee-maker")).to_have_text(percent)
    expect(row.locator(".fee-taker")).to_have_text(percent)
    expect(page.locator("#fees-note")).to_contain_text("rates below are those of your account")
    screenshot(page, "first-visit-fees")
    page.context.close()


def test_sign_up_without_consent_is_refused_by_the_page_and_by_the_server(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, locale="ko-KR")
    page.goto(exchange.base_url + "/signup")
    expect(page.locator("#signup-terms-link")).to_have_attribute("href", "/terms")
    expect(page.locator("#signup-risk-link")).to_have_attribute("href", "/risk-disclosure")
    expect(page.locator("label[for=signup-terms]")).to_have_text(
        "이용약관에 동의하며 위험 고지를 읽었습니다."
    )
    email = unique_email("no-consent")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password-confirm", PASSWORD)
    page.click("#signup-submit")
    expect(page.locator("#form-error")).to_have_text(
        "이용약관과 위험 고지에 동의하는 칸을 체크하세요."
    )
    expect(page.locator("#signup-done")).to_have_count(0)
    screenshot(page, "first-visit-signup-consent-ko")

    # The server itself: no consent, or consent to terms no longer in force, is -8027.
    for refused in ({}, {"termsVersion": ""}, {"termsVersion": "2000-01-01"}):
        answer = page.request.post(
            exchange.base_url + SIGNUP_API,
            data={"email": email, "password": PASSWORD, **refused},
        )
        assert answer.status == 400, refused
        assert answer.json()["code"] == -8027, refused

    # The server's refusal shows in the person's words, never the server's text: here the
    # terms changed while the page was open (the request names a version no longer in force).
    def older_terms(route: Route) -> None:
        sent = route.request.post_data or ""
        route.continue_(post_data=sent.replace(TERMS_VERSION, "2000-01-01"))

    page.route(exchange.base_url + SIGNUP_API, older_terms)
    page.check("#signup-terms")
    page.click("#signup-submit")
    expect(page.locator("#form-error")).to_contain_text("페이지를 연 뒤 약관이 바뀐 것입니다")
    page.unroute(exchange.base_url + SIGNUP_API)

    # Ticked, the sign-up goes through, and the account keeps the version and its time.
    page.click("#signup-submit")
    expect(page.locator("#signup-check-mail")).to_contain_text(email)
    with sqlite3.connect(f"file:{exchange.data_dir / 'accounts.sqlite3'}?mode=ro", uri=True) as db:
        version, accepted_ms, created_ms = db.execute(
            "SELECT terms_version, terms_accepted_ms, created_ms FROM accounts WHERE email = ?",
            (email,),
        ).fetchone()
    assert version == TERMS_VERSION
    assert accepted_ms == created_ms
    page.context.close()


def test_the_welcome_after_sign_up_points_at_the_faucet(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    email = unique_email("welcome")
    submit_sign_up(page, exchange, email)
    welcome = page.locator("#signup-welcome")
    expect(welcome.locator("h2")).to_have_text("Welcome to Assetport")
    expect(page.locator("#signup-welcome-faucet")).to_contain_text(
        "log in, then press “Get test funds” in the sandbox banner"
    )
    expect(page.locator("#signup-welcome-explainer")).to_have_attribute("href", "/sandbox")
    screenshot(page, "first-visit-welcome")
    # The button the welcome names is there once logged in, and does what it says.
    verify_and_log_in(page, exchange, email)
    open_markets(page, exchange)
    steps = page.locator("#landing-hero .hero-step")
    expect(steps.nth(0)).to_have_class(re.compile(r"\bdone\b"))  # signed up
    expect(steps.nth(1)).not_to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#faucet")).to_have_text("Get test funds")
    page.click("#hero-faucet")  # the hero's button presses the banner's
    expect(page.locator("#faucet-message")).to_contain_text("Test funds credited")
    expect(steps.nth(1)).to_have_class(re.compile(r"\bdone\b"))
    expect(steps.nth(1).locator(".hero-step-done")).to_have_text("✓ Done")
    screenshot(page, "first-visit-hero-funded")
    # Hidden, it stays hidden for this user.
    page.click("#hero-dismiss")
    expect(page.locator("#landing-hero")).to_have_count(0)
    page.reload()
    expect(page.locator("#markets-body tr").first).to_be_visible()
    expect(page.locator("#landing-hero")).to_have_count(0)
    page.context.close()


def test_the_hero_leaves_once_the_user_has_bought_gold(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("gold-buyer"))
    open_markets(page, exchange)
    page.click("#hero-faucet")
    expect(page.locator("#landing-hero .hero-step.done")).to_have_count(2)
    # The third step, as the trade page would send it: a market buy of the smallest lot.
    status = page.evaluate(
        """async () => {
            const session = await (await fetch("/api/v1/account/session")).json();
            const body = new URLSearchParams({
                symbol: "KGLDKRW", side: "BUY", type: "MARKET", quantity: "0.1",
            });
            const answer = await fetch("/api/v3/order", {
                method: "POST", body, headers: { "X-CSRF-Token": session.csrfToken },
            });
            return answer.status;
        }"""
    )
    assert status == 200
    page.reload()
    expect(page.locator("#markets-body tr").first).to_be_visible()
    expect(page.locator("#landing-hero")).to_have_count(0)
    page.context.close()

    korean = new_page(browser, locale="ko-KR")
    submit_sign_up(korean, exchange, unique_email("welcome-ko"))
    expect(korean.locator("#signup-welcome h2")).to_have_text("Assetport에 오신 것을 환영합니다")
    expect(korean.locator("#signup-welcome-faucet")).to_contain_text(
        "‘테스트 자금 받기’를 누르세요"
    )
    korean.context.close()


def test_the_banner_links_the_sandbox_explainer(browser: Browser, exchange: ExchangeServer) -> None:
    for locale, link, title, makers in (
        ("en-US", "What is the sandbox?", "About the sandbox", "The demo market makers"),
        ("ko-KR", "샌드박스란?", "샌드박스 안내", "데모 마켓 메이커"),
    ):
        page = new_page(browser, locale=locale)
        page.goto(exchange.base_url + "/trade/KGLDKRW")
        explainer = page.locator("#banner #sandbox-explainer")
        expect(explainer).to_have_text(link)
        explainer.click()
        expect(page).to_have_url(exchange.base_url + "/sandbox")
        expect(page.locator("#info-title")).to_have_text(title)
        expect(page.locator("#info-page h2")).to_contain_text([makers])
        screenshot(page, f"first-visit-sandbox-{locale}")
        page.context.close()


def test_the_asset_page_of_kgld_says_what_one_token_is(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/")
    link = page.locator("#market-KGLDKRW a.asset-page-link")
    expect(link).to_have_text("About KGLD")
    expect(page.locator("#market-BTCKRW a.asset-page-link")).to_have_count(0)  # crypto: none
    link.click()
    expect(page).to_have_url(exchange.base_url + "/assets/KGLD")
    expect(page.locator("#info-title")).to_have_text("KGLD: Tokenized gold")
    expect(page.locator("#asset-unit td")).to_have_text("1 gram of gold")
    # What the exchange lists for its market, read from it.
    expect(page.locator("#asset-market td")).to_have_text("KGLD/KRW")
    expect(page.locator("#asset-tick td")).to_have_text("10 KRW")
    expect(page.locator("#asset-step td")).to_have_text("0.1 KGLD")
    expect(page.locator("#asset-min-order td")).to_have_text("5,000 KRW")
    expect(page.locator("#asset-last td")).to_contain_text("KRW")
    expect(page.locator("#info-page")).to_contain_text("not backed by any real asset")
    screenshot(page, "first-visit-asset-kgld")
    page.select_option("#language", "ko")
    expect(page.locator("#info-title")).to_have_text("KGLD: 토큰화된 금")
    expect(page.locator("#asset-unit td")).to_have_text("금 1그램")
    expect(page.locator("#asset-trade")).to_have_text("KGLD/KRW 거래하기")
    page.click("#asset-trade")
    expect(page).to_have_url(exchange.base_url + "/trade/KGLDKRW")
    # And back: the market's trading page links the asset page, in the page's language.
    expect(page.locator("#trade-asset-link")).to_have_attribute("href", "/assets/KGLD")
    expect(page.locator("#trade-asset-link")).to_have_text("KGLD 소개")
    page.goto(exchange.base_url + "/trade/BTCKRW")
    expect(page.locator("#market-symbol")).to_have_text("BTC/KRW")
    expect(page.locator("#trade-asset-link")).to_have_count(0)  # crypto: no asset page

    assert page.request.get(exchange.base_url + "/assets/kgld").url.endswith("/assets/KGLD")
    assert page.request.get(exchange.base_url + "/assets/BTC").status == 404
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
@pytest.mark.parametrize("path", [*FOOTER_PAGES, "/assets/KGLD"])
def test_the_information_pages_have_no_serious_accessibility_violation(
    browser: Browser, exchange: ExchangeServer, path: str, locale: str
) -> None:
    page = new_page(browser, locale=locale)
    name = "info" + path.replace("/", "-").lower() + "-" + locale[:2]
    check_page(page, exchange, name, path, ".info-section")
    page.context.close()


def test_the_asset_page_has_no_serious_accessibility_violation_on_a_phone(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, width=390, height=844, locale="ko-KR")
    check_page(page, exchange, "info-assets-kgld-phone-ko", "/assets/KGLD", "#asset-table")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
