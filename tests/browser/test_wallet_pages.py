"""The wallet pages (issue #16) in Chromium, against a real `assetport serve --demo` whose
custody runs on its embedded anvil: a learner opens /wallet/deposit, sees their address in
both forms with its QR code, asks the chain's faucet for test funds and watches the deposit
wait for its confirmations, then be credited; on /wallet/withdraw they add an address to
the book, withdraw to it and watch the withdrawal complete on chain. Bad input shows the
server's refusal in words and moves nothing.

The server here is this module's own: its listing asks for more confirmations than the
shared demo's two, so that a pending deposit stays on the page long enough to be seen at
the page's refresh (a block a second), and one test starts another with a day's cooldown
on new addresses."""

import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect
from test_accessibility import check_page
from test_account_two_factor import current_code, enrol, next_code, wrong_code

from assetport.chain.addresses import parse_address, to_bech32
from conftest import (
    demo_listing_with_room,
    new_page,
    open_account_page,
    screenshot,
    sign_up,
    unique_email,
)

CONFIRMATIONS = 6
# Blocks come a second apart; a deposit or withdrawal needs CONFIRMATIONS of them, and the
# pages read again every two seconds: what the tests wait for comes well within this.
CHAIN_WAIT_MS = 60_000
PREFIX = "busan"
DEPOSIT = "/wallet/deposit"
WITHDRAW = "/wallet/withdraw"
TX_HASH = re.compile(r"^0x[0-9a-f]{64}$")
ASK_FOR_CODE = "Enter the code from your authenticator app."


def chain_table(cooldown_hours: int) -> str:
    """The sandbox chain's [chain] table with ETH and KGLD, as the demo's but slower to
    confirm (and with the given cooldown on new withdrawal addresses)."""
    return f"""
[chain]
network = "BUSAN"
name = "Busan City Chain (test)"
bech32_prefix = "{PREFIX}"
address_cooldown_hours = {cooldown_hours}
approvals_required = 2

[[chain.assets]]
asset = "ETH"
contract = "native"
chain_decimals = 18
confirmations = {CONFIRMATIONS}
min_deposit = "0.0001"
withdraw_fee = "0.0005"
withdraw_min = "0.001"
daily_limit = "100"
approval_threshold = "10"

[[chain.assets]]
asset = "KGLD"
contract = "deploy"
chain_decimals = 18
confirmations = {CONFIRMATIONS}
min_deposit = "0.1"
withdraw_fee = "1"
withdraw_min = "2"
daily_limit = "1000000"
approval_threshold = "100000"
"""


def wallet_server(root: Path, cooldown_hours: int) -> ExchangeServer:
    listing = demo_listing_with_room(root / "listing.toml")
    with listing.open("a", encoding="utf-8") as file:
        file.write(chain_table(cooldown_hours))
    return ExchangeServer(
        root / "data", "--demo", "--config", str(listing), "--signups-per-hour", "100000"
    )


@pytest.fixture(scope="module")
def wallet_exchange(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with wallet_server(tmp_path_factory.mktemp("wallet"), cooldown_hours=0) as server:
        yield server


def a_new_address() -> str:
    """An address nobody uses: a fresh random 20 bytes, in EIP-55 form."""
    return str(parse_address("0x" + secrets.token_hex(20), PREFIX))


def give(exchange: ExchangeServer, page: Page, asset: str, amount: str) -> None:
    """An operator's deposit to the page's logged-in account (off chain)."""
    user_id = page.request.get(exchange.base_url + "/api/v1/account/session").json()["userId"]
    exchange.admin("/api/v1/admin/deposits", user_id=user_id, asset=asset, amount=amount)


def open_withdraw(page: Page, exchange: ExchangeServer, asset: str) -> None:
    page.goto(exchange.base_url + WITHDRAW)
    expect(page.locator("#book-form")).to_be_visible()
    page.select_option("#withdraw-asset", asset)
    expect(page.locator("#withdraw-network")).to_have_text("BUSAN")
    expect(page.locator("#book-empty, #book-table").first).to_be_visible()  # the book is in


def add_address(page: Page, name: str, address: str) -> None:
    page.fill("#book-label", name)
    page.fill("#book-address", address)
    page.click("#book-add")


def withdraw(page: Page, amount: str) -> None:
    """Types `amount`, continues and confirms."""
    page.fill("#withdraw-amount", amount)
    page.click("#withdraw-continue")
    expect(page.locator("#withdraw-confirm-text")).to_be_visible()
    page.click("#withdraw-send")


def test_a_learner_sends_test_funds_and_watches_the_deposit_arrive(
    browser: Browser, wallet_exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, wallet_exchange, unique_email("deposit"))
    expect(page.locator('#header a.nav-link[href="/wallet/deposit"]')).to_have_text(
        "Deposit & withdraw"
    )
    page.goto(wallet_exchange.base_url + DEPOSIT)
    page.select_option("#deposit-asset", "KGLD")
    expect(page.locator("#deposit-network")).to_have_text("BUSAN")
    expect(page.locator("#deposit-address-title")).to_have_text(
        "Your KGLD deposit address on BUSAN"
    )
    address = page.locator("#deposit-address").inner_text()
    assert re.fullmatch(r"0x[0-9a-fA-F]{40}", address), address
    # The same account in its Cosmos form, converted exactly.
    expect(page.locator("#deposit-address-bech32")).to_have_text(
        to_bech32(parse_address(address, PREFIX), PREFIX)
    )
    page.wait_for_function("document.getElementById('deposit-qr').naturalWidth > 0")
    expect(page.locator("#deposit-qr")).to_have_attribute("alt", re.compile(address))
    expect(page.locator("#deposit-minimum")).to_have_text("0.1 KGLD")
    expect(page.locator("#deposit-confirmations")).to_have_text(f"{CONFIRMATIONS} confirmations")
    expect(page.locator("#deposit-warning")).to_contain_text("Send only KGLD on the BUSAN network")
    expect(page.locator("#deposit-empty")).to_be_visible()
    expect(page.locator("#deposit-balance")).to_have_text("0.0000 KGLD")

    page.click("#deposit-faucet")
    expect(page.locator("#deposit-faucet-message")).to_contain_text(
        f"It is credited after {CONFIRMATIONS} confirmations"
    )
    pending = page.locator('#deposit-rows tr[data-coin="KGLD"][data-status="0"]')
    expect(pending.locator(".deposit-status-word")).to_have_text("Pending", timeout=CHAIN_WAIT_MS)
    expect(pending.locator(".deposit-confirmations")).to_contain_text(
        re.compile(rf"confirmations \d/{CONFIRMATIONS}")
    )
    screenshot(page, "wallet-deposit-pending")
    credited = page.locator('#deposit-rows tr[data-coin="KGLD"][data-status="1"]')
    expect(credited.locator(".deposit-status-word")).to_have_text("Credited", timeout=CHAIN_WAIT_MS)
    expect(credited.locator(".deposit-amount")).to_have_text("100.0000")
    expect(credited.locator(".tx-hash")).to_have_attribute(
        "data-tx", re.compile(r"^0x[0-9a-f]{64}$")
    )
    expect(page.locator("#deposit-balance")).to_have_text("100.0000 KGLD")
    screenshot(page, "wallet-deposit-credited")

    # The faucet gives each asset once a minute: the page says when to come back.
    page.click("#deposit-faucet")
    expect(page.locator("#deposit-faucet-message")).to_contain_text("Try again in")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_withdrawal_to_an_address_of_the_book_completes_on_chain(
    browser: Browser, wallet_exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, wallet_exchange, unique_email("withdraw"))
    give(wallet_exchange, page, "KGLD", "100")
    open_withdraw(page, wallet_exchange, "KGLD")
    expect(page.locator("#withdraw-available")).to_have_text("100.0000 KGLD")
    expect(page.locator("#withdraw-no-addresses")).to_be_visible()
    expect(page.locator("#withdraw-continue")).to_be_disabled()

    # Added in its bech32 form, listed in its 0x form: the same address.
    recipient = a_new_address()
    add_address(page, "cold storage", to_bech32(parse_address(recipient, PREFIX), PREFIX))
    expect(page.locator("#book-message")).to_have_text("Address added.")
    row = page.locator(f'#book-table tr[data-address="{recipient}"]')
    expect(row.locator(".book-name")).to_have_text("cold storage")
    expect(row.locator(".book-usable")).to_have_text("usable now")
    expect(page.locator("#withdraw-address")).to_have_value(recipient)

    page.fill("#withdraw-amount", "10")
    expect(page.locator("#withdraw-fee")).to_have_text("1 KGLD")
    expect(page.locator("#withdraw-total")).to_have_text("11 KGLD")
    expect(page.locator("#withdraw-arrives")).to_have_text("10 KGLD")
    expect(page.locator("#withdraw-minimum")).to_have_text("2 KGLD")
    page.click("#withdraw-max")
    expect(page.locator("#withdraw-amount")).to_have_value("99.0000")
    expect(page.locator("#withdraw-total")).to_have_text("100 KGLD")

    page.fill("#withdraw-amount", "10")
    page.click("#withdraw-continue")
    expect(page.locator("#withdraw-confirm-text")).to_contain_text(
        f"Send 10 KGLD on BUSAN to {recipient}? 11 KGLD leaves your balance"
    )
    page.click("#withdraw-back")
    expect(page.locator("#withdraw-confirm-text")).to_have_count(0)
    expect(page.locator("#withdraw-empty")).to_be_visible()  # going back sent nothing

    withdraw(page, "10")
    expect(page.locator("#withdraw-message")).to_have_text(
        "Withdrawal requested. It appears below as it goes through."
    )
    expect(page.locator("#withdraw-available")).to_have_text("89.0000 KGLD")
    sent = page.locator('#withdraw-rows tr[data-coin="KGLD"]')
    expect(sent).to_have_count(1)
    expect(sent.locator(".withdraw-amount")).to_have_text("10.0000")
    expect(sent.locator(".withdraw-fee")).to_have_text("1.0000")
    expect(sent.locator(".withdraw-status")).to_have_text("Completed", timeout=CHAIN_WAIT_MS)
    expect(sent.locator(".tx-hash")).to_have_attribute("data-tx", TX_HASH)
    expect(sent.locator(".withdraw-cancel")).to_have_count(0)
    screenshot(page, "wallet-withdraw-completed")

    # Removed from the book: nothing left to withdraw to.
    row.locator(".book-remove").click()
    expect(page.locator("#book-message")).to_have_text("Address removed.")
    expect(page.locator("#book-empty")).to_be_visible()
    expect(page.locator("#withdraw-no-addresses")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_large_withdrawal_awaits_approval_and_can_be_cancelled(
    browser: Browser, wallet_exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, wallet_exchange, unique_email("cancel"))
    give(wallet_exchange, page, "ETH", "20")
    open_withdraw(page, wallet_exchange, "ETH")
    add_address(page, "exchange", a_new_address())
    expect(page.locator("#book-message")).to_have_text("Address added.")
    withdraw(page, "11")  # above the approval threshold of 10 ETH
    expect(page.locator("#withdraw-available")).to_have_text("8.99950000 ETH")
    held = page.locator('#withdraw-rows tr[data-coin="ETH"]')
    expect(held.locator(".withdraw-status")).to_have_text("Awaiting approval")
    held.locator(".withdraw-cancel").click()
    expect(page.locator("#withdraw-history-message")).to_have_text(
        "Withdrawal cancelled: its funds are back in your balance."
    )
    expect(held.locator(".withdraw-status")).to_have_text("Cancelled")
    expect(held.locator(".withdraw-cancel")).to_have_count(0)
    expect(page.locator("#withdraw-available")).to_have_text("20.00000000 ETH")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("0x1234", "This address has the wrong length"),
        ("cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu", "This is an address of another chain"),
        ("0x" + "0" * 40, "This is the zero address"),
    ],
)
def test_an_address_the_chain_cannot_take_is_refused_and_not_added(
    browser: Browser, wallet_exchange: ExchangeServer, typed: str, said: str
) -> None:
    page = new_page(browser)
    sign_up(page, wallet_exchange, unique_email("book"))
    open_withdraw(page, wallet_exchange, "ETH")
    add_address(page, "typo", typed)
    expect(page.locator("#book-message")).to_contain_text(said)
    expect(page.locator("#book-empty")).to_be_visible()
    page.reload()
    expect(page.locator("#book-empty")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        ("1", "The amount is below the minimum withdrawal of 2 KGLD."),
        ("50", "Not enough KGLD: you have 20.0000 KGLD, and the amount with its fee is 51 KGLD."),
        ("2.00001", "The amount has more decimals than KGLD allows (4)."),
    ],
)
def test_a_withdrawal_the_rules_refuse_says_why_and_moves_nothing(
    browser: Browser, wallet_exchange: ExchangeServer, amount: str, said: str
) -> None:
    page = new_page(browser)
    sign_up(page, wallet_exchange, unique_email("refused"))
    give(wallet_exchange, page, "KGLD", "20")
    open_withdraw(page, wallet_exchange, "KGLD")
    add_address(page, "mine", a_new_address())
    expect(page.locator("#book-message")).to_have_text("Address added.")
    withdraw(page, amount)
    expect(page.locator("#withdraw-message")).to_have_text(said)
    expect(page.locator("#withdraw-available")).to_have_text("20.0000 KGLD")
    page.reload()
    expect(page.locator("#withdraw-empty")).to_be_visible()
    page.select_option("#withdraw-asset", "KGLD")
    expect(page.locator("#withdraw-available")).to_have_text("20.0000 KGLD")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_with_two_factor_on_moving_money_asks_for_a_code(
    browser: Browser, wallet_exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    sign_up(page, wallet_exchange, unique_email("wallet-totp"))
    give(wallet_exchange, page, "KGLD", "20")
    open_account_page(page, wallet_exchange)
    secret = enrol(page)
    page.fill("#totp-confirm-code", current_code(secret))
    page.click("#totp-confirm")
    expect(page.locator("#profile-totp")).to_have_text("On")

    open_withdraw(page, wallet_exchange, "KGLD")
    address = a_new_address()
    page.fill("#book-label", "mine")
    page.fill("#book-address", address)
    page.click("#book-add")
    expect(page.locator("#book-message")).to_have_text(
        "Enter the code from your authenticator app."
    )
    page.fill("#book-code", wrong_code(secret))
    page.click("#book-add")
    expect(page.locator("#book-message")).to_contain_text("That two-factor code is not valid")
    expect(page.locator("#book-empty")).to_be_visible()
    page.fill("#book-code", next_code(secret))
    page.click("#book-add")
    expect(page.locator("#book-message")).to_have_text("Address added.")

    page.fill("#withdraw-amount", "5")
    page.click("#withdraw-continue")
    expect(page.locator("#withdraw-message")).to_have_text(ASK_FOR_CODE)
    page.fill("#withdraw-code", wrong_code(secret))
    withdraw(page, "5")
    expect(page.locator("#withdraw-message")).to_contain_text("That two-factor code is not valid")
    expect(page.locator("#withdraw-available")).to_have_text("20.0000 KGLD")
    expect(page.locator("#withdraw-empty")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_new_address_waits_for_its_cooldown(browser: Browser, tmp_path: Path) -> None:
    with wallet_server(tmp_path, cooldown_hours=24) as server:
        page = new_page(browser)
        sign_up(page, server, unique_email("cooldown"))
        open_withdraw(page, server, "ETH")
        address = a_new_address()
        add_address(page, "new", address)
        expect(page.locator("#book-message")).to_have_text("Address added.")
        row = page.locator(f'#book-table tr[data-address="{address}"]')
        expect(row.locator(".book-usable")).to_contain_text("usable from")
        expect(page.locator(f'#withdraw-address option[value="{address}"]')).to_be_disabled()
        expect(page.locator("#withdraw-waiting")).to_be_visible()
        expect(page.locator("#withdraw-continue")).to_be_disabled()
        screenshot(page, "wallet-withdraw-cooldown")
        page.context.close()


def test_a_visitor_is_asked_to_log_in(browser: Browser, wallet_exchange: ExchangeServer) -> None:
    page = new_page(browser)
    for path in (DEPOSIT, WITHDRAW):
        page.goto(wallet_exchange.base_url + path)
        expect(page.locator("#wallet-login a")).to_have_attribute(
            "href", "/login?" + urlencode({"next": path})
        )
    page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
@pytest.mark.parametrize(("name", "path", "ready"), [
    ("wallet-deposit", DEPOSIT, "#deposit-address"),
    ("wallet-withdraw", WITHDRAW, "#book-form"),
])  # fmt: skip
def test_the_wallet_pages_have_no_serious_accessibility_violation(
    browser: Browser, wallet_exchange: ExchangeServer, name: str, path: str, ready: str,
    locale: str,
) -> None:  # fmt: skip
    page = new_page(browser, locale=locale)
    sign_up(page, wallet_exchange, unique_email("axe"))
    check_page(page, wallet_exchange, f"{name}-{locale}", path, ready)
    page.context.close()


def test_every_wallet_text_has_its_korean_translation() -> None:
    """The wallet catalog's two languages have the same keys (a missing Korean text would
    show English on a Korean page)."""
    source = (Path(__file__).resolve().parents[2] / "web/src/messages/wallet.js").read_text()
    english, korean = re.split(r"\n  ko: \{", source.split("\n  en: {", 1)[1], maxsplit=1)
    keys = [
        {json.loads(key) for key in re.findall(r'^\s+("[^"]+"):', part, re.M)}
        for part in (english, korean)
    ]
    assert keys[0] == keys[1], keys[0] ^ keys[1]
    assert len(keys[0]) > 100
