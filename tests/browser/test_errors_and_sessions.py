"""Errors in plain words, sessions that end, loading and failure states, proper 404s (#15).

In English and Korean: a refused request shows the error catalogue's text (web/src/messages/
errors.js), never the server's English; a session ended in another tab says so with a login
link back, keeping what was typed; the markets page shows its failure state while the API
cannot be reached and recovers by itself; unknown addresses and markets answer 404 with a
page; "Live" shows only while stream data flows. And every code the server can answer has a
text of its own in both languages.
"""

import json
import re
from typing import Any

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, Route, WebSocketRoute, expect

from conftest import (
    PASSWORD,
    ROOT,
    log_in_on_page,
    new_page,
    screenshot,
    sign_up,
    unique_email,
)

LOCALES = {"en": "en-US", "ko": "ko-KR"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")

# What a person reads, per language (the catalogue's words, so a change there shows here).
TEXTS = {
    "en": {
        "badLogin": "The email or password is not correct. Check both and try again.",
        "ended": "Your session has ended.",
        "loadFailed": "Couldn't load. Retrying…",
        "notFound": "Page not found",
        "noMarket": "No market NOPE",
        "live": "Live",
    },
    "ko": {
        "badLogin": "이메일 또는 비밀번호가 올바르지 않습니다. 둘 다 확인한 후 다시 시도하세요.",
        "ended": "세션이 종료되었습니다.",
        "loadFailed": "불러오지 못했습니다. 다시 시도하는 중…",
        "notFound": "페이지를 찾을 수 없습니다",
        "noMarket": "NOPE 마켓이 없습니다",
        "live": "실시간",
    },
}


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as drawn now."""
    # Evaluated, not added as a <script>: the pages' Content-Security-Policy refuses inline.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target) }))"""
    )
    return [f"{v['id']} {v['nodes']}" for v in found if v["impact"] in ("serious", "critical")]


def catalogue_texts(lang: str) -> dict[str, str]:
    """The catalogue's texts of one language (web/src/messages/errors.js: `en: {...}` then
    `ko: {...}`, one `"key": "text",` a line)."""
    source = (ROOT / "web" / "src" / "messages" / "errors.js").read_text(encoding="utf-8")
    english, korean = source.split("\n  ko: {", 1)
    section = english if lang == "en" else korean
    return dict(re.findall(r'^\s+"([^"]+)": "((?:[^"\\]|\\.)*)",?$', section, re.MULTILINE))


def error_codes() -> set[int]:
    """Every code the server's catalogues can answer with (api/errors.py, accounts/errors.py,
    and the -1000 of edge/errors.py), read from their source."""
    codes: set[int] = set()
    for name in ("api/errors.py", "accounts/errors.py", "edge/errors.py"):
        source = (ROOT / "src" / "assetport" / name).read_text()
        codes.update(int(code) for code in re.findall(r"(?:ErrorSpec|ApiError)\(\s*(-\d+)", source))
    return codes


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_refused_login_shows_the_catalogue_text(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    page = new_page(browser, locale=LOCALES[lang])
    page.goto(exchange.base_url + "/login")
    page.fill("#email", unique_email("nobody"))
    page.fill("#password", "not the password at all")
    page.click("#login-submit")
    message = page.locator("#form-error")
    expect(message).to_have_text(TEXTS[lang]["badLogin"])
    expect(message).not_to_contain_text("Invalid email or password.")
    screenshot(page, f"errors-login-refused-{lang}")
    assert page.script_errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_server_error_code_has_its_own_text(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    """Every code has a text of its own in the catalogue (read from its source), and a code
    answered to the login form (intercepted) shows it: not the generic one for unknown codes,
    not the server's message, Korean in Korean. The form is tried with codes of every range,
    not all of them: each try is a whole round trip."""
    codes = error_codes()
    assert {-1003, -1015, -2010, -7005, -8004, -8008} <= codes  # the parse found them
    catalogue = catalogue_texts(lang)
    for code in codes:
        text = catalogue.get(f"apiError.{code}")
        assert text, f"{code} has no text of its own in {lang}"
        if lang == "ko":
            assert HANGUL.search(text), f"{code} is not in Korean: {text}"
    page = new_page(browser, locale=LOCALES[lang])
    answer: dict[str, Any] = {}

    def refuse(route: Route) -> None:
        route.fulfill(status=answer["status"], json={"code": answer["code"], "msg": answer["msg"]})

    page.route("**/api/v1/account/login", refuse)
    page.goto(exchange.base_url + "/login")
    page.fill("#email", unique_email("codes"))
    generic = "(error {})" if lang == "en" else "(오류 {})"
    message = page.locator("#form-error")
    seen: dict[int, str] = {}
    # Empty, or the form's own "Logging in…" while the answer is on its way.
    waiting = re.compile(r"^(|.*…)$")

    def answered_with(status: int, code: int, msg: str) -> str:
        answer.update(status=status, code=code, msg=msg)
        page.evaluate("document.querySelector('#form-error').textContent = ''")
        page.fill("#password", "whatever password")  # -8004 empties it
        if page.locator("#totp-code").is_visible():  # -8006 asked for the code
            page.fill("#totp-code", "123456")
        page.click("#login-submit")
        expect(message).not_to_have_text(waiting)
        return message.inner_text()

    tried = {-1001, -1003, -1013, -1015, -1102, -1194, -2010, -2011, -4026, -7005, -7110,
             -8004, -8006, -8008}  # fmt: skip
    for code in sorted(codes & tried):
        server_text = f"server words for {code}"
        text = answered_with(400, code, server_text)
        assert server_text not in text, code
        assert generic.format(code) not in text, f"{code} has no text of its own"
        if lang == "ko":
            assert HANGUL.search(text), f"{code} is not in Korean: {text}"
        seen[code] = text
    # A code nobody knows gets the generic text, with its number.
    assert generic.format(-4321) in answered_with(400, -4321, "made up")
    # Where one code covers several refusals, the reason picks the text.
    balance = answered_with(400, -2010, "Account has insufficient balance for requested action.")
    assert balance != seen[-2010]
    assert ("Not enough" if lang == "en" else "잔고가 부족합니다") in balance
    banned = answered_with(418, -1003, "Way too much request weight used; IP banned until 1.")
    assert banned != seen[-1003]
    # The server unreachable: the page's own words, not a code.
    page.route("**/api/v1/account/login", lambda route: route.abort("connectionrefused"))
    assert (
        "server cannot be reached" if lang == "en" else "서버에 연결할 수 없습니다"
    ) in answered_with(0, 0, "")
    assert page.script_errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_session_ended_in_another_tab_keeps_the_typed_order(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    page = new_page(browser, locale=LOCALES[lang])
    email = unique_email(f"ended-{lang}")
    sign_up(page, exchange, email)
    trade_url = exchange.base_url + "/trade/KGLDKRW"
    page.goto(trade_url)
    page.fill("#price", "150000")
    page.fill("#quantity", "2")
    typed = (page.input_value("#price"), page.input_value("#quantity"))

    other = page.context.new_page()
    other.goto(exchange.base_url + "/account")
    other.click("#logout")
    other.wait_for_url(exchange.base_url + "/")  # the log-out is done when it leaves
    other.close()

    notice = page.locator("#session-ended")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(TEXTS[lang]["ended"])
    # Told, not reloaded: what was typed is still there, and the header is a visitor's.
    assert (page.input_value("#price"), page.input_value("#quantity")) == typed
    expect(page.locator("#login-link")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("API-key format invalid")
    screenshot(page, f"errors-session-ended-{lang}")

    page.click("#session-login")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Ftrade%2FKGLDKRW$"))
    log_in_on_page(page, email)
    expect(page).to_have_url(trade_url)
    expect(page.locator("#price")).to_have_value(typed[0])
    expect(page.locator("#quantity")).to_have_value(typed[1])
    expect(page.locator("#session-ended")).to_have_count(0)
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_a_session_ended_at_the_phone_size(browser: Browser, exchange: ExchangeServer) -> None:
    """The notice found on a request of the page itself (the faucet), at a phone's width."""
    page = new_page(browser, width=390, height=844, locale=LOCALES["ko"])
    sign_up(page, exchange, unique_email("ended-phone"))
    page.goto(exchange.base_url + "/")
    expect(page.locator("#faucet")).to_be_visible()
    # The cookie goes away without any tab saying so: the page learns it from its request.
    page.context.clear_cookies()
    page.click("#faucet")
    expect(page.locator("#session-ended")).to_contain_text(TEXTS["ko"]["ended"])
    expect(page.locator("#session-login")).to_be_visible()
    expect(page.locator("#session-login")).to_have_attribute("href", "/login?next=%2F")
    # The page is a visitor's now: the banner keeps its words, without the faucet.
    expect(page.locator(".sandbox-banner")).to_contain_text("샌드박스")
    expect(page.locator("#faucet")).to_have_count(0)
    screenshot(page, "errors-session-ended-phone-ko")
    assert serious_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_markets_page_shows_loading_then_failure_and_recovers(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    page = new_page(browser, locale=LOCALES[lang])
    held: list[Route] = []
    mode = {"now": "hold"}

    def tickers(route: Route) -> None:
        if mode["now"] == "hold":
            held.append(route)
        elif mode["now"] == "fail":
            route.abort("connectionrefused")
        else:
            route.continue_()

    page.route("**/api/v3/ticker/24hr", tickers)
    page.goto(exchange.base_url + "/")
    # While the snapshot is on its way: grey rows, no "no market matches".
    expect(page.locator("#markets-body .skeleton-row").first).to_be_visible()
    expect(page.locator("#markets-body")).not_to_contain_text("No market matches")
    screenshot(page, f"errors-markets-loading-{lang}")
    mode["now"] = "fail"
    for route in held:
        route.abort("connectionrefused")

    failed = page.locator("#markets-failed")
    expect(failed).to_contain_text(TEXTS[lang]["loadFailed"])
    expect(page.locator("#markets-body .skeleton-row")).to_have_count(0)
    screenshot(page, f"errors-markets-failed-{lang}")
    assert serious_violations(page) == []

    # The API is back: the page gets there by itself, without a reload or a click.
    mode["now"] = "pass"
    expect(page.locator("#market-KGLDKRW")).to_be_visible(timeout=20000)
    expect(failed).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_unknown_pages_and_markets_answer_404_with_a_page(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    page = new_page(browser, locale=LOCALES[lang])
    response = page.goto(exchange.base_url + "/nope")
    assert response is not None and response.status == 404
    expect(page.locator("#not-found h1")).to_have_text(TEXTS[lang]["notFound"])
    expect(page.locator("#to-markets")).to_have_attribute("href", "/")
    expect(page.locator("#header .brand")).to_be_visible()
    screenshot(page, f"errors-404-page-{lang}")

    response = page.goto(exchange.base_url + "/trade/NOPE")
    assert response is not None and response.status == 404
    expect(page.locator("#not-found h1")).to_have_text(TEXTS[lang]["noMarket"])
    expect(page).to_have_title(re.compile(re.escape(TEXTS[lang]["noMarket"])))
    screenshot(page, f"errors-404-market-{lang}")
    assert serious_violations(page) == []
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_api_paths_keep_their_json_answers(browser: Browser, exchange: ExchangeServer) -> None:
    """The catch-all page is for browsers' visits: the API's unknown paths and methods
    answer as before."""
    page = new_page(browser)
    request = page.request
    unknown = request.get(exchange.base_url + "/api/v3/nope")
    assert unknown.status == 404 and unknown.json()["code"] == -1000
    posted = request.post(exchange.base_url + "/nope")
    assert posted.status == 404 and posted.json()["code"] == -1000
    wrong_method = request.get(exchange.base_url + "/api/v1/account/login")
    assert wrong_method.status == 405, wrong_method.text()
    slashed = request.get(exchange.base_url + "/login/")  # still led to the page
    assert slashed.status == 200 and slashed.url == exchange.base_url + "/login"
    korean = request.get(exchange.base_url + "/nope", headers={"Accept-Language": "ko,en;q=0.8"})
    assert korean.status == 404 and "페이지를 찾을 수 없습니다" in korean.text()


def test_live_only_while_stream_data_flows(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser)
    page.goto(exchange.base_url + "/")
    expect(page.locator("#live-state")).to_have_text(TEXTS["en"]["live"])

    # A stream that connects but passes nothing: the page asks it, hears nothing, no "Live".
    blocked = new_page(browser, locale=LOCALES["ko"])
    asked: list[str] = []

    def swallow(socket: WebSocketRoute) -> None:
        socket.on_message(lambda message: asked.append(str(message)))

    blocked.route_web_socket(re.compile(r".*/stream\?.*"), swallow)
    blocked.goto(exchange.base_url + "/")
    expect(blocked.locator("#market-KGLDKRW")).to_be_visible()
    for _ in range(50):
        if asked:
            break
        blocked.wait_for_timeout(100)
    assert asked and json.loads(asked[0])["method"] == "LIST_SUBSCRIPTIONS"
    expect(blocked.locator("#live-state")).not_to_have_text(TEXTS["ko"]["live"])
    expect(blocked.locator("#live-state")).not_to_have_text(TEXTS["en"]["live"])
    screenshot(blocked, "errors-markets-stream-blocked-ko")


def test_a_session_renewed_elsewhere_is_followed_without_a_word(
    browser: Browser, exchange: ExchangeServer
) -> None:
    """A login from elsewhere in this browser gives a new session cookie, and the page's CSRF
    token goes stale: its next change is sent again with the new session's token, so the
    person sees the result, not a "reload the page" or a session-ended notice."""
    page = new_page(browser)
    email = unique_email("renewed")
    sign_up(page, exchange, email)
    page.goto(exchange.base_url + "/")
    expect(page.locator("#faucet")).to_be_visible()
    again = page.context.request.post(
        exchange.base_url + "/api/v1/account/login",
        data={"email": email, "password": PASSWORD},
    )
    assert again.ok, again.text()
    faucet_answers: list[int] = []
    page.on(
        "response",
        lambda response: (
            faucet_answers.append(response.status)
            if response.url.endswith("/api/v1/sandbox/faucet")
            else None
        ),
    )
    page.click("#faucet")
    expect(page.locator("#faucet-message")).to_contain_text("Test funds credited")
    expect(page.locator("#session-ended")).to_have_count(0)
    assert faucet_answers == [403, 200]  # refused for the stale token, then sent again
