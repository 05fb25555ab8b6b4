"""API keys from the account page: an HMAC key's secret is shown once (and works on the
REST API), the list never shows it; an Ed25519 public key is registered; keys are deleted
after a confirmation."""

import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from exchange_server import ExchangeServer, Trader
from playwright.sync_api import Browser, expect

from conftest import PASSWORD, new_page, open_account_page, screenshot, sign_up, unique_email


def test_hmac_key_secret_shown_once_listed_without_it_then_deleted(
    browser: Browser, exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_up(page, exchange, unique_email("keys"))
    open_account_page(page, exchange)
    expect(page.locator("#api-keys-empty")).to_have_text("No API keys yet.")

    page.fill("#api-key-label", "trading bot")
    page.check("#api-key-trade")
    # Trading from any address is warned of until addresses are named.
    expect(page.locator("#api-key-open-warning")).to_be_visible()
    page.fill("#api-key-ips", "127.0.0.1, 10.0.0.0/8")
    expect(page.locator("#api-key-open-warning")).to_be_hidden()
    page.click("#api-key-create")
    # A key that may trade takes the password again.
    expect(page.locator("#api-key-message")).to_have_text("Enter your password to confirm.")
    page.fill("#api-key-password", PASSWORD)
    page.click("#api-key-create")
    created = page.locator("#api-key-created")
    expect(created).to_be_visible()
    expect(created.locator(".secret-warning")).to_contain_text("shown only this once")
    api_key = page.locator("#new-api-key").inner_text()
    secret = page.locator("#new-api-secret").inner_text()
    assert re.fullmatch(r"[A-Za-z0-9]{20,}", api_key), api_key
    assert len(secret) >= 32
    page.click("#copy-new-api-secret")
    expect(page.locator("#toast")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    row = page.locator(f"tr.api-key-row[data-api-key='{api_key}']")
    expect(row).to_be_visible()
    expect(row.locator(".key-label")).to_have_text("trading bot")
    expect(row.locator(".key-type")).to_have_text("HMAC")
    expect(row.locator(".key-permissions")).to_have_text("readtrade")
    expect(row.locator(".key-ips")).to_contain_text("127.0.0.1/32")
    expect(row.locator(".key-ips")).to_contain_text("10.0.0.0/8")
    expect(row.locator(".key-warning")).to_have_count(0)
    expect(row).not_to_contain_text(secret)
    screenshot(page, "account-api-key-created")

    # The key works on the Binance API from an allowed address.
    user_id = int(page.locator("#profile-user-id").inner_text())
    status, answer = Trader(exchange, user_id, api_key, secret).get("/api/v3/account")
    assert status == 200, answer

    # Closed, the secret is gone from the page for good; the list still has the key.
    page.click("#api-key-created-done")
    expect(created).to_be_hidden()
    assert secret not in page.content()
    page.reload()
    expect(row).to_be_visible()
    assert secret not in page.content()
    screenshot(page, "account-api-key-listed")

    row.locator(".api-key-delete").click()
    expect(row).to_contain_text("Delete this key?")
    row.locator(".api-key-delete-cancel").click()
    expect(row.locator(".api-key-delete")).to_be_visible()
    row.locator(".api-key-delete").click()
    screenshot(page, "account-api-key-delete-confirm")
    row.locator(".api-key-delete-confirm").click()
    expect(row).to_have_count(0)
    expect(page.locator("#api-keys-empty")).to_be_visible()
    status, answer = Trader(exchange, user_id, api_key, secret).get("/api/v3/account")
    assert status == 401, answer
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_register_an_ed25519_public_key(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("ed25519"))
    open_account_page(page, exchange)
    pem = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    expect(page.locator("#api-key-public-key")).to_be_hidden()
    page.select_option("#api-key-type", "ED25519")
    page.fill("#api-key-label", "signing key")
    page.click("#api-key-create")
    expect(page.locator("#api-key-message")).to_have_text(
        "Paste the public key (PEM) for an Ed25519 key."
    )
    page.fill(
        "#api-key-public-key", "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----"
    )
    page.click("#api-key-create")
    expect(page.locator("#api-key-message")).to_contain_text("The API key request is not valid")

    page.fill("#api-key-public-key", pem)
    page.click("#api-key-create")
    expect(page.locator("#api-key-created")).to_contain_text("Your Ed25519 key is registered.")
    expect(page.locator("#new-api-secret")).to_have_count(0)
    row = page.locator("tr.api-key-row")
    expect(row).to_have_count(1)
    expect(row.locator(".key-type")).to_have_text("ED25519")
    expect(row.locator(".key-label")).to_have_text("signing key")
    expect(row.locator(".key-permissions")).to_have_text("read")
    expect(row.locator(".key-ips")).to_have_text("Any address")
    screenshot(page, "account-api-key-ed25519")
    page.context.close()


def test_a_key_needs_a_permission(browser: Browser, exchange: ExchangeServer) -> None:
    page = new_page(browser)
    sign_up(page, exchange, unique_email("no-permission"))
    open_account_page(page, exchange)
    page.uncheck("#api-key-read")
    page.click("#api-key-create")
    expect(page.locator("#api-key-message")).to_have_text("Choose at least one permission.")
    expect(page.locator("tr.api-key-row")).to_have_count(0)
    page.context.close()
