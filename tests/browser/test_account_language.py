"""The account pages in Korean and English, switched with the header's language select."""

import json
import re
from pathlib import Path

from exchange_server import ExchangeServer
from playwright.sync_api import Browser, expect

from conftest import PASSWORD, new_page, open_account_page, screenshot, sign_up, unique_email


def test_signup_and_login_pages_in_korean(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser, locale="ko-KR")
    page.goto(exchange.base_url + "/signup")
    expect(page.locator("h1")).to_have_text("계정 만들기")
    expect(page.locator("label[for=password]")).to_have_text("비밀번호")
    expect(page.locator("#password-rule")).to_contain_text("10자 이상")
    expect(page.locator("#password-count")).to_have_text("10자 중 0자")
    page.fill("#email", unique_email("korean"))
    page.fill("#password", PASSWORD)
    page.fill("#password-confirm", PASSWORD + "x")
    page.click("#signup-submit")
    expect(page.locator("#form-error")).to_have_text("두 비밀번호가 다릅니다.")
    screenshot(page, "account-signup-ko")

    page.click("#to-login")
    expect(page.locator("h1")).to_have_text("로그인")
    page.fill("#email", unique_email("nobody"))
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#form-error")).to_have_text(
        "이메일 또는 비밀번호가 올바르지 않습니다. 둘 다 확인한 후 다시 시도하세요."
    )
    page.select_option("#language", "en")
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page.locator("#login-submit")).to_have_text("Log in")
    page.context.close()


def test_account_page_switches_between_korean_and_english(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser, locale="ko-KR")
    sign_up(page, exchange, unique_email("bilingual"))
    open_account_page(page, exchange)
    expect(page.locator("h1")).to_have_text("계정")
    expect(page.locator("#profile h2")).to_have_text("프로필")
    expect(page.locator("#funds h2")).to_have_text("테스트 자금")
    expect(page.locator("#two-factor h2")).to_have_text("2단계 인증")
    expect(page.locator("#profile-totp")).to_have_text("꺼짐")
    expect(page.locator("#api-keys-empty")).to_have_text("아직 API 키가 없습니다.")
    expect(page.locator("#faucet")).to_have_text("테스트 자금 받기")
    page.click("#account-faucet")
    expect(page.locator("#account-faucet-message")).to_contain_text("입금됨:")
    page.fill("#api-key-label", "봇")
    page.click("#api-key-create")
    expect(page.locator("#api-key-created .secret-warning")).to_contain_text("이번 한 번만")
    screenshot(page, "account-page-ko")

    page.select_option("#language", "en")
    expect(page.locator("h1")).to_have_text("Account")
    expect(page.locator("#funds h2")).to_have_text("Test funds")
    expect(page.locator("#profile-totp")).to_have_text("Off")
    expect(page.locator("#api-key-created .secret-warning")).to_contain_text("shown only this once")
    expect(page.locator("tr.api-key-row .api-key-delete")).to_have_text("Delete")
    expect(page.locator("#faucet")).to_have_text("Get test funds")
    screenshot(page, "account-page-en")

    # The choice is kept: the next page load is in English although the browser is Korean.
    page.reload()
    expect(page.locator("h1")).to_have_text("Account")
    page.select_option("#language", "ko")
    expect(page.locator("h1")).to_have_text("계정")
    expect(page.locator("tr.api-key-row .api-key-delete")).to_have_text("삭제")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_every_account_text_has_its_korean_translation() -> None:
    """The catalog's two languages have the same keys (a missing Korean text would show
    English on a Korean page)."""
    source = (Path(__file__).resolve().parents[2] / "web/src/messages/account.js").read_text()
    english, korean = re.split(r"\n  ko: \{", source.split("\n  en: {", 1)[1], maxsplit=1)
    keys = [
        {json.loads(key) for key in re.findall(r'^\s+("[^"]+"):', part, re.M)}
        for part in (english, korean)
    ]
    assert keys[0] == keys[1], keys[0] ^ keys[1]
    assert len(keys[0]) > 100
