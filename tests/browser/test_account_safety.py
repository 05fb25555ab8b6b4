"""Account safety on the account page, in English and Korean: the recovery codes shown once
when two-factor login is turned on, logging in with one, new codes and turning two-factor
login off only with the password and a second factor, and the warning on a trading key
open to any address (at a phone's size too). The test is the authenticator app: it computes
the codes from the secret the page shows."""

import re
import time

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect

from assetport.accounts.totp import STEP_S, code_at
from conftest import PASSWORD, new_page, open_account_page, screenshot, sign_up, unique_email

CODE = re.compile(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}")

TEXTS = {
    "en": {
        "shown": "Save your recovery codes",
        "left10": "Recovery codes left: 10.",
        "left9": "Recovery codes left: 9.",
        "password": "Enter your password to confirm.",
        "code": "Enter a code from your authenticator app or a recovery code.",
        "invalid": "recovery code is not valid",
        "on": "Two-factor login is on.",
        "off": "Two-factor login is off.",
        "open": "Can trade from any IP address",
        "asked": "Two-factor login is on for this account",
    },
    "ko": {
        "shown": "복구 코드를 저장하세요",
        "left10": "남은 복구 코드: 10개.",
        "left9": "남은 복구 코드: 9개.",
        "password": "확인을 위해 비밀번호를 입력하세요.",
        "code": "인증 앱의 코드나 복구 코드를 입력하세요.",
        "invalid": "복구 코드가 올바르지 않거나",
        "on": "2단계 인증이 켜졌습니다.",
        "off": "2단계 인증이 꺼졌습니다.",
        "open": "모든 IP 주소에서 거래 가능",
        "asked": "이 계정은 2단계 인증을 사용합니다",
    },
}
LOCALES = {"en": "en-US", "ko": "ko-KR"}


def turn_two_factor_on(page: Page, texts: dict[str, str]) -> tuple[str, list[str]]:
    """Sets up two-factor login on the open account page: the secret and the recovery
    codes the page shows once."""
    page.click("#totp-enroll")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("#totp-confirm-code", code_at(secret, int(time.time())))
    page.click("#totp-confirm")
    expect(page.locator("#totp-done")).to_have_text(texts["on"])
    box = page.locator("#recovery-codes")
    expect(box).to_be_visible()
    expect(box.locator("h3")).to_have_text(texts["shown"])
    codes = page.locator("#recovery-code-list li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    assert all(CODE.fullmatch(code) for code in codes), codes
    return secret, codes


def save_codes(page: Page, codes: list[str]) -> None:
    page.click("#recovery-saved")
    expect(page.locator("#recovery-codes")).to_have_count(0)
    content = page.content()
    assert not any(code in content for code in codes)  # shown once: gone once saved


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_codes_are_shown_once_renewed_and_two_factor_goes_off_only_with_password_and_code(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    texts = TEXTS[lang]
    page = new_page(browser, locale=LOCALES[lang])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_up(page, exchange, unique_email(f"safety-{lang}"))
    open_account_page(page, exchange)
    secret, codes = turn_two_factor_on(page, texts)
    screenshot(page, f"account-safety-recovery-codes-{lang}")
    page.click("#recovery-copy")
    assert page.evaluate("navigator.clipboard.readText()") == "\n".join(codes) + "\n"
    save_codes(page, codes)
    expect(page.locator("#recovery-left")).to_contain_text(texts["left10"])

    # New codes: the password and a second factor (here a recovery code, used up by it).
    page.click("#recovery-new-open")
    page.click("#recovery-new")
    expect(page.locator("#recovery-message")).to_have_text(texts["password"])
    page.fill("#recovery-new-password", PASSWORD)
    page.click("#recovery-new")
    expect(page.locator("#recovery-message")).to_have_text(texts["code"])
    page.fill("#recovery-new-password", PASSWORD)
    page.fill("#recovery-new-code", codes[0])
    page.click("#recovery-new")
    expect(page.locator("#recovery-code-list li")).to_have_count(10)
    new_codes = page.locator("#recovery-code-list li").all_inner_texts()
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    save_codes(page, new_codes)

    # Turning it off: refused without the password, and with a code that is no longer good.
    page.fill("#totp-disable-code", code_at(secret, int(time.time()) + STEP_S))
    page.click("#totp-disable")
    expect(page.locator("#totp-message")).to_have_text(texts["password"])
    page.fill("#totp-disable-password", PASSWORD)
    page.fill("#totp-disable-code", codes[1])  # an old code: the new set replaced it
    page.click("#totp-disable")
    expect(page.locator("#totp-message")).to_contain_text(texts["invalid"])
    expect(page.locator("#profile-totp")).not_to_have_text(re.compile("Off|꺼짐"))
    screenshot(page, f"account-safety-disable-refused-{lang}")
    page.fill("#totp-disable-password", PASSWORD)
    page.fill("#totp-disable-code", code_at(secret, int(time.time()) + STEP_S))
    page.click("#totp-disable")
    expect(page.locator("#totp-done")).to_have_text(texts["off"])
    expect(page.locator("#totp-enroll")).to_be_visible()
    # With two-factor login off, a change asks for the password alone.
    expect(page.locator("#phishing-code")).to_be_visible()
    expect(page.locator("#phishing-confirm-reauth .reauth-code")).to_be_hidden()
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_log_in_with_a_recovery_code_once(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    texts = TEXTS[lang]
    email = unique_email(f"rescue-{lang}")
    page = new_page(browser, locale=LOCALES[lang])
    sign_up(page, exchange, email)
    open_account_page(page, exchange)
    _, codes = turn_two_factor_on(page, texts)
    save_codes(page, codes)

    # The phone is lost: log in with a recovery code in the two-factor field.
    page.click("#logout")
    expect(page).to_have_url(exchange.base_url + "/")
    page.goto(exchange.base_url + "/login?next=/account")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#form-error")).to_contain_text(texts["asked"])
    page.fill("#totp-code", codes[0])
    # The field must take a whole recovery code (xxxx-xxxx-xxxx), not only 6 digits.
    expect(page.locator("#totp-code")).to_have_value(codes[0])
    page.click("#login-submit")
    page.wait_for_url(exchange.base_url + "/account")
    expect(page.locator("#recovery-left")).to_contain_text(texts["left9"])
    screenshot(page, f"account-safety-recovery-login-{lang}")

    # The same code again is refused.
    page.click("#logout")
    expect(page).to_have_url(exchange.base_url + "/")
    page.goto(exchange.base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#totp-row")).to_be_visible()
    page.fill("#totp-code", codes[0])
    page.click("#login-submit")
    expect(page.locator("#form-error")).to_contain_text(texts["invalid"])
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_trading_key_open_to_any_address_is_warned_of(
    browser: Browser, exchange: ExchangeServer, lang: str
) -> None:
    texts = TEXTS[lang]
    page = new_page(browser, width=390, height=844, locale=LOCALES[lang])
    sign_up(page, exchange, unique_email(f"open-key-{lang}"))
    open_account_page(page, exchange)
    page.check("#api-key-trade")
    warning = page.locator("#api-key-open-warning")
    expect(warning).to_be_visible()
    page.fill("#api-key-label", "anywhere bot")
    page.click("#api-key-create")
    expect(page.locator("#api-key-message")).to_have_text(texts["password"])
    page.fill("#api-key-password", PASSWORD)
    page.click("#api-key-create")
    expect(page.locator("#new-api-key-warning")).to_have_text(texts["open"])
    row = page.locator("tr.api-key-row")
    expect(row).to_have_count(1)
    expect(row.locator(".key-warning")).to_have_text(texts["open"])
    expect(row.locator(".key-warning")).to_be_visible()  # in the column a phone shows
    row.locator(".key-warning").scroll_into_view_if_needed()
    screenshot(page, f"account-safety-open-key-phone-{lang}")

    # A key that only reads is no danger from anywhere: no warning, no password.
    page.click("#api-key-created-done")
    page.uncheck("#api-key-trade")
    expect(warning).to_be_hidden()
    page.fill("#api-key-label", "reader")
    page.click("#api-key-create")
    expect(page.locator("#api-key-created")).to_be_visible()
    expect(page.locator("#new-api-key-warning")).to_have_count(0)
    expect(page.locator("tr.api-key-row")).to_have_count(2)
    expect(page.locator("tr.api-key-row .key-warning")).to_have_count(1)
    page.context.close()
