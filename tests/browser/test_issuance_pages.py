"""The issuance pages (issue #17) in Chromium, against a real `assetport serve --demo` whose
listing names two real-world-asset tokens, gold (KGLD, 250 attested bars of 1 kg) and carbon
credits (KCO2), set up by their issuer through the operator endpoints as
tests/integration/api/test_assets_rest.py does: an attestor's key, the terms, a signed
reserve attestation, subscription terms.

A visitor reads what backs the gold, bar by bar, and its supply against its reserve; a
holder subscribes (the cost and fee shown before confirming), redeems a bar and the rest in
cash; the operator confirms it in the issuer console, and the holder sees it completed. The
console keeps its admin token in the tab only, mints and reads the holder register. A
holder retires carbon credits and anyone opens the certificate. Korean throughout, and axe
on every state of the pages."""

import json
import re
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect
from test_accessibility import check_page
from test_assets_rest import KEY, admin, attestation, ok

from assetport.api.ratelimit import DEFAULT_RATE_LIMITS, RateLimitType
from assetport.domain.issuance.attestations import ReserveLot, public_key_hex
from conftest import new_page, screenshot, sign_up, unique_email

BAR = 9_999_000  # 999.9 g of fine gold in KGLD's units (4 decimals)
BARS = tuple(
    ReserveLot(f"KB{n:04d}", "Heraeus 1 kg", "Busan vault 1", BAR, 10_000_000, 9_999)
    for n in range(1, 251)
)
CREDITS = tuple(
    ReserveLot(f"DCR-1077-{n}", "Demo registry 1077, vintage 2023", "Demo registry", 1_000_000)
    for n in range(1, 4)
)
DOCUMENT = "c0ffee" + "ab" * 29
GOLD = {
    "asset": "KGLD", "issuer": 101, "kind": "metal", "unit": "1 g of 999.9 fine gold",
    "custodian": "Korea Minting", "vault": "Busan vault 1",
    "redemption": {"minimum": 10_000, "fee_bps": 25, "physical_lot": BAR},
    "documents": [{"name": "Terms of the token", "sha256": DOCUMENT}],
}  # fmt: skip
# The supply line's path: a move to the first point, a horizontal and a vertical move to the
# second, a horizontal one to the chart's right edge.
SUPPLY_STEPS = re.compile(r"^M8\.0,\d+\.\dH\d+\.\dV\d+\.\dH632$")
CARBON = {
    "asset": "KCO2", "issuer": 106, "kind": "carbon", "unit": "1 t CO2e, registry 1077, 2023",
    "custodian": "Demo registry", "vault": "Demo registry", "redemption": {"minimum": 1_000},
}  # fmt: skip


def listing(path: Path) -> Path:
    """KRW and the two tokens, with a request weight budget 100 times Binance's (the
    pages of a whole module come from 127.0.0.1)."""
    lines = ["[[assets]]", 'code = "KRW"', "precision = 0", ""]
    for code, precision, issuer in (("KGLD", 4, 101), ("KCO2", 3, 106)):
        lines += ["[[assets]]", f'code = "{code}"', f"precision = {precision}"]
        lines += ['kind = "rwa_token"', f"issuer = {issuer}", ""]
    for limit in DEFAULT_RATE_LIMITS:
        room = 100 if limit.type is RateLimitType.REQUEST_WEIGHT else 1
        lines += ["[[rate_limits]]", f'rateLimitType = "{limit.type.value}"',
                  f'interval = "{limit.interval.value}"', f"intervalNum = {limit.interval_num}",
                  f"limit = {limit.limit * room}", ""]  # fmt: skip
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def issue(server: ExchangeServer) -> None:
    """The issuers' side, over the operator endpoints."""
    for issuer, key_id in ((101, "korea-audit"), (106, "registry")):
        ok(admin(server, "POST", "/attestors", issuer=issuer, key_id=key_id,
                 public_key=public_key_hex(KEY)))  # fmt: skip
    ok(admin(server, "POST", "/terms", terms=GOLD))
    ok(admin(server, "POST", "/terms", terms=CARBON))
    ok(admin(server, "POST", "/attestations", attestation=attestation("KGLD", "korea-audit", BARS)))
    ok(admin(server, "POST", "/attestations",
             attestation=attestation("KCO2", "registry", CREDITS)))  # fmt: skip
    ok(admin(server, "POST", "/subscription-terms", asset="KGLD", quote="KRW", price="100000",
             fee_bps=50, minimum="1", open=True))  # fmt: skip
    ok(admin(server, "POST", "/mint", asset="KGLD", amount="20", ref="float"))


@pytest.fixture(scope="module")
def rwa_exchange(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    root = tmp_path_factory.mktemp("issuance")
    with ExchangeServer(
        root / "data", "--demo", "--config", str(listing(root / "listing.toml")),
        "--signups-per-hour", "100000",
    ) as server:  # fmt: skip
        issue(server)
        yield server


def admin_token(server: ExchangeServer) -> str:
    return (server.data_dir / "admin.token").read_text().strip()


def user_id(page: Page, server: ExchangeServer) -> int:
    found: int = page.request.get(server.base_url + "/api/v1/account/session").json()["userId"]
    return found


def holder(browser: Browser, server: ExchangeServer, krw: str = "0") -> Page:
    """A new verified, logged-in person, with `krw` deposited by the operator."""
    page = new_page(browser)
    sign_up(page, server, unique_email("holder"))
    if krw != "0":
        server.admin("/api/v1/admin/deposits", user_id=user_id(page, server), asset="KRW",
                     amount=krw)  # fmt: skip
    return page


def confirm(page: Page, rows: dict[str, str]) -> None:
    """The "are you sure?" dialog shows `rows` (its fields by name); confirmed."""
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    for name, value in rows.items():
        expect(dialog.locator(f'dd[data-field="{name}"]')).to_have_text(value)
    page.click("#confirm-ok")
    expect(dialog).to_be_hidden()


def open_console(page: Page, server: ExchangeServer, asset: str) -> None:
    page.goto(server.base_url + "/issuer")
    page.fill("#admin-token", admin_token(server))
    page.click("#token-use")
    expect(page.locator("#token-state")).to_be_visible()
    page.select_option("#issuer-asset", asset)
    expect(page.locator("#issuer-summary")).to_contain_text(GOLD["unit"] if asset == "KGLD"
                                                           else CARBON["unit"])  # fmt: skip


def test_a_visitor_reads_what_backs_the_gold_bar_by_bar(
    browser: Browser, rwa_exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(rwa_exchange.base_url + "/assets")
    expect(page.locator("#info-title")).to_have_text("Tokenized assets")
    gold = page.locator('#assets-table tr[data-asset="KGLD"]')
    expect(gold.locator(".token-reserve")).to_have_text("249,975")
    expect(page.locator('#assets-table tr[data-asset="KCO2"] .token-supply')).to_have_text("0")
    gold.locator("a").click()
    expect(page).to_have_url(rwa_exchange.base_url + "/assets/KGLD")
    expect(page.locator("#info-title")).to_have_text("KGLD: Tokenized gold")

    # What backs it: the issuer's terms, supply within the attested reserve.
    expect(page.locator("#asset-token-unit td")).to_have_text("1 g of 999.9 fine gold")
    expect(page.locator("#asset-custodian td")).to_have_text("Korea Minting")
    expect(page.locator("#asset-vault td")).to_have_text("Busan vault 1")
    expect(page.locator("#asset-token-kind td")).to_have_text("Metal")
    expect(page.locator("#asset-supply td")).to_have_text("20 KGLD")
    expect(page.locator("#asset-reserve td")).to_have_text("249,975 KGLD")
    expect(page.locator("#asset-headroom td")).to_have_text("249,955 KGLD")

    # The latest attestation and its bars, a hundred at a time.
    expect(page.locator("#attestation-attestor td")).to_have_text("korea-audit")
    expect(page.locator("#attestation-total td")).to_have_text("249,975 KGLD")
    expect(page.locator("#attestation-lot-count td")).to_have_text("250")
    bars = page.locator("#lots-table tbody tr")
    expect(bars).to_have_count(100)
    first = bars.first.locator("td")
    expect(first).to_have_text(["KB0001", "Heraeus 1 kg", "Busan vault 1", "1,000", "999.9",
                                "999.9"])  # fmt: skip
    expect(page.locator("#lots-range")).to_have_text("Lots 1–100 of 250")
    expect(page.locator("#lots-prev")).to_be_disabled()
    page.click("#lots-next")
    expect(bars.first).to_have_attribute("data-serial", "KB0101")
    page.click("#lots-next")
    expect(page.locator("#lots-range")).to_have_text("Lots 201–250 of 250")
    expect(bars).to_have_count(50)
    expect(page.locator("#lots-next")).to_be_disabled()

    # The supply against the reserve: the attestation, then the issuer's mint.
    expect(page.locator("#asset-chart svg.supply-chart")).to_be_visible()
    # A step line: flat at zero from the attestation, up at the mint, on to the right edge.
    expect(page.locator("#asset-chart-supply")).to_have_attribute("d", SUPPLY_STEPS)
    expect(page.locator("#asset-chart-latest-supply")).to_have_text("Supply: 20 KGLD")
    page.click("#asset-chart summary")
    expect(page.locator("#asset-supply-table tbody tr")).to_have_count(2)
    expect(page.locator("#asset-supply-table tbody tr").nth(1)).to_contain_text(
        "Minted by the issuer"
    )

    expect(page.locator("#attestations-table tbody tr")).to_have_count(1)
    expect(page.locator("#documents-table td code")).to_have_text(DOCUMENT)
    expect(page.locator("#documents-table td a")).to_have_attribute(
        "href", f"/api/v1/assets/documents/{DOCUMENT}"
    )
    expect(page.locator("#subscription-price td")).to_have_text("100,000 KRW per KGLD")
    expect(page.locator("#redemption-physical td")).to_have_text("In whole lots of 999.9 KGLD")
    expect(page.locator("#distributions-none")).to_be_visible()
    expect(page.locator("#asset-login a")).to_have_attribute("href", "/login?next=%2Fassets%2FKGLD")
    expect(page.locator("#subscribe-form")).to_have_count(0)
    screenshot(page, "issuance-asset-visitor")

    page.select_option("#language", "ko")
    expect(page.locator("#info-title")).to_have_text("KGLD: 토큰화된 금")
    expect(page.locator("#asset-facts-title")).to_have_text("토큰의 기초 자산")
    expect(page.locator("#asset-attestation-title")).to_have_text("최신 준비금 증명")
    expect(page.locator("#asset-token-kind td")).to_have_text("금속")
    expect(page.locator("#lots-range")).to_have_text("250개 중 201–250번째")
    expect(page.locator("#subscription-price td")).to_have_text("KGLD당 100,000 KRW")
    screenshot(page, "issuance-asset-visitor-ko")
    assert page.request.get(rwa_exchange.base_url + "/assets/kgld").url.endswith("/assets/KGLD")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_holder_subscribes_redeems_a_bar_and_sees_the_issuer_complete_it(
    browser: Browser, rwa_exchange: ExchangeServer
) -> None:
    page = holder(browser, rwa_exchange, krw="200000000")
    page.goto(rwa_exchange.base_url + "/assets/KGLD")
    expect(page.locator("#asset-balance")).to_have_text(
        "Your balance: 0 KGLD available, 0 KGLD held for redemptions."
    )
    # Below the issuer's minimum: the server's refusal, in words; nothing bought.
    page.fill("#subscribe-amount", "0.5")
    page.click("#subscribe-submit")
    confirm(page, {"cost": "50,000 KRW", "fee": "250 KRW", "paid": "50,250 KRW"})
    expect(page.locator("#subscribe-message")).to_have_text(
        "The amount is below the issuer's minimum."
    )
    # The cost and fee as the engine reckons them, before anything is sent.
    page.fill("#subscribe-amount", "1005")
    expect(page.locator("#subscribe-amount-preview")).to_have_text(
        "You pay 100,500,000 KRW + 502,500 KRW fee = 101,002,500 KRW."
    )
    page.click("#subscribe-submit")
    screenshot(page, "issuance-subscribe-confirm")
    confirm(page, {"cost": "100,500,000 KRW", "fee": "502,500 KRW", "paid": "101,002,500 KRW"})
    expect(page.locator("#subscribe-message")).to_have_text(
        "Subscribed: 1,005 KGLD for 101,002,500 KRW."
    )
    expect(page.locator("#asset-balance")).to_have_text(
        "Your balance: 1,005 KGLD available, 0 KGLD held for redemptions."
    )
    expect(page.locator("#asset-supply td")).to_have_text("1,025 KGLD")

    # One bar and the rest in cash, less the 0.25 % fee.
    page.fill("#redeem-amount", "1005")
    expect(page.locator("#redeem-amount-preview")).to_have_text(
        "Fee 2.5125 KGLD; 1 whole lot(s) (999.9 KGLD) delivered, 2.5875 KGLD paid in cash."
    )
    page.click("#redeem-submit")
    confirm(page, {"fee": "2.5125 KGLD", "bars": "1 lot(s), 999.9 KGLD", "cash": "2.5875 KGLD"})
    expect(page.locator("#redeem-message")).to_contain_text("requested: it waits for the issuer")
    row = page.locator("#redemptions-table tbody tr").first
    expect(row).to_have_attribute("data-status", "PENDING")
    expect(row.locator(".redemption-status")).to_have_text("Waiting for the issuer")
    expect(row.locator(".redemption-cancel")).to_be_visible()
    expect(page.locator("#asset-balance")).to_have_text(
        "Your balance: 0 KGLD available, 1,005 KGLD held for redemptions."
    )
    screenshot(page, "issuance-redemption-pending")

    # The operator confirms it in the console: bar KB0001, the rest at 100,000 won a gram.
    console = new_page(browser)
    open_console(console, rwa_exchange, "KGLD")
    pending = console.locator("#pending-table tbody tr")
    expect(pending).to_have_count(1)
    expect(pending.first).to_contain_text(str(user_id(page, rwa_exchange)))
    pending.first.locator(".pending-choose").click()
    console.fill("#confirm-bars", "KB0001")
    console.fill("#confirm-pay-asset", "KRW")
    console.fill("#confirm-price", "100000")
    console.click("#confirm-submit")
    confirm(console, {"bars": "KB0001", "pay": "KRW", "price": "100000"})
    expect(console.locator("#decide-message")).to_have_text(
        f"Redemption #{row.get_attribute('data-id')} completed: 1,002.4875 KGLD burned; "
        "lots KB0001; cash 258,750 KRW."
    )
    expect(console.locator("#pending-none")).to_be_visible()
    screenshot(console, "issuance-console-confirmed")
    console.context.close()

    # The holder's page follows the redemption while it waits, and shows it done.
    expect(row).to_have_attribute("data-status", "COMPLETED", timeout=15_000)
    expect(row.locator(".redemption-bars")).to_have_text("KB0001 (999.9)")
    expect(row.locator(".redemption-cash")).to_have_text("258,750 KRW for 2.5875 KGLD")
    expect(row.locator(".redemption-cancel")).to_have_count(0)
    page.reload()
    expect(page.locator("#asset-balance")).to_have_text(
        "Your balance: 0 KGLD available, 0 KGLD held for redemptions."
    )
    # The bar left the vault: the reserve is smaller by its fine weight.
    expect(page.locator("#asset-reserve td")).to_have_text("248,975.1 KGLD")
    page.select_option("#language", "ko")
    expect(row.locator(".redemption-status")).to_have_text("완료")
    expect(page.locator("#subscribe-submit")).to_have_text("청약 내용 확인")
    screenshot(page, "issuance-redemption-completed-ko")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_holder_cancels_a_pending_redemption(
    browser: Browser, rwa_exchange: ExchangeServer
) -> None:
    page = holder(browser, rwa_exchange, krw="1000000")
    page.goto(rwa_exchange.base_url + "/assets/KGLD")
    page.fill("#subscribe-amount", "5")
    page.click("#subscribe-submit")
    confirm(page, {"paid": "502,500 KRW"})
    # The page draws itself again once the subscription is in (the token's figures, then
    # the balance): typing before that lands in the form it replaces.
    expect(page.locator("#asset-balance")).to_contain_text("5 KGLD available")
    page.fill("#redeem-amount", "2")
    page.check("#redeem-cash")
    expect(page.locator("#redeem-amount-preview")).to_have_text(
        "Fee 0.005 KGLD; 1.995 KGLD paid in cash at the issuer's price."
    )
    # Physically, two grams are less than a bar: the page says so, the server refuses.
    page.check("#redeem-physical")
    expect(page.locator("#redeem-amount-preview")).to_contain_text("Too little for a whole lot")
    page.check("#redeem-cash")
    page.click("#redeem-submit")
    confirm(page, {"cash": "1.995 KGLD"})
    row = page.locator("#redemptions-table tbody tr").first
    expect(row).to_have_attribute("data-status", "PENDING")
    row.locator(".redemption-cancel").click()
    expect(row).to_have_attribute("data-status", "CANCELED")
    expect(page.locator("#mine-message")).to_contain_text("canceled: your tokens are free again")
    expect(page.locator("#asset-balance")).to_have_text(
        "Your balance: 5 KGLD available, 0 KGLD held for redemptions."
    )
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_the_console_keeps_its_token_in_the_tab_mints_and_reads_the_register(
    browser: Browser, rwa_exchange: ExchangeServer
) -> None:
    page = new_page(browser)
    page.goto(rwa_exchange.base_url + "/issuer")
    page.fill("#admin-token", "not-the-token")
    page.click("#token-use")
    # A bound for a loaded machine (the refusal was seen taking over 5 s), not a speed.
    expect(page.locator("#token-message")).to_have_text(
        "The server does not take this token.", timeout=20_000
    )
    expect(page.locator("#issuer-mint")).to_have_count(0)
    open_console(page, rwa_exchange, "KGLD")
    stored = page.evaluate(
        "() => [sessionStorage.getItem('assetport.adminToken'), JSON.stringify(localStorage)]"
    )
    assert stored[0] == admin_token(rwa_exchange)
    assert admin_token(rwa_exchange) not in stored[1]
    assert all(admin_token(rwa_exchange) not in c["value"] for c in page.context.cookies())

    before = Decimal(ok(rwa_exchange.request("GET", "/api/v1/assets/KGLD"))["supply"])
    page.fill("#mint-amount", "10")
    page.click("#mint-submit")
    confirm(page, {})
    expect(page.locator("#mint-message")).to_have_text(
        f"Done. The supply is now {_shown(str(before + 10))} KGLD."
    )
    expect(page.locator("#issuer-summary")).to_contain_text(f"Supply {_shown(str(before + 10))}")
    # Beyond the reserve: refused, in words, and nothing minted.
    page.fill("#mint-amount", "1000000")
    page.click("#mint-submit")
    confirm(page, {})
    expect(page.locator("#mint-message")).to_have_text(
        "Minting this much would exceed the attested reserve."
    )
    assert Decimal(ok(rwa_exchange.request("GET", "/api/v1/assets/KGLD"))["supply"]) == before + 10

    # An allocation from the treasury to a holder, who then stands in the register (the
    # treasuries are not holders: what they keep is the issuer's).
    someone = rwa_exchange.user(unique_email("register"))
    page.select_option("#transfer-kind", "allocation")
    expect(page.locator("#transfer-source")).to_have_value("101")
    page.fill("#transfer-target", str(someone.user_id))
    page.fill("#transfer-amount", "7")
    page.click("#transfer-submit")
    confirm(page, {"source": "101", "target": str(someone.user_id), "amount": "7 KGLD"})
    expect(page.locator("#transfer-message")).to_have_text(
        f"Moved 7 KGLD from account 101 to account {someone.user_id}."
    )
    holders = ok(admin(rwa_exchange, "GET", "/holders", asset="KGLD"))
    expect(page.locator("#holders-table tbody tr")).to_have_count(len(holders))
    registered = page.locator(f'#holders-table tr[data-account="{someone.user_id}"]')
    expect(registered.locator(".holder-free")).to_have_text("7")
    expect(registered.locator(".holder-held")).to_have_text("0")
    expect(page.locator('#holders-table tr[data-account="101"]')).to_have_count(0)
    screenshot(page, "issuance-console")

    page.select_option("#language", "ko")
    expect(page.locator("#issuer-title")).to_have_text("발행사 콘솔")
    expect(page.locator("#issuer-holders-title")).to_have_text("보유자 명부")
    page.click("#token-forget")
    expect(page.locator("#admin-token")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('assetport.adminToken')") is None
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def _shown(amount: str) -> str:
    """An amount as the pages write it: grouped, without trailing zeros."""
    whole, _, fraction = amount.partition(".")
    fraction = fraction.rstrip("0")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def test_a_holder_retires_credits_and_anyone_reads_the_certificate(
    browser: Browser, rwa_exchange: ExchangeServer
) -> None:
    page = holder(browser, rwa_exchange)
    account = user_id(page, rwa_exchange)
    ok(admin(rwa_exchange, "POST", "/mint", asset="KCO2", amount="10", ref=f"co2-{account}"))
    ok(admin(rwa_exchange, "POST", "/transfer", asset="KCO2", source=106, target=account,
             amount="10", kind="allocation", ref=f"give-{account}"))  # fmt: skip
    page.goto(rwa_exchange.base_url + "/assets/KCO2")
    expect(page.locator("#asset-token-kind td")).to_have_text("Carbon credits")
    expect(page.locator("#subscription-none")).to_be_visible()
    page.fill("#retire-amount", "3")
    page.click("#retire-submit")
    expect(page.locator("#retire-message")).to_have_text(
        "Name the beneficiary the credits are retired for."
    )
    page.fill("#retire-beneficiary", "Busan Port Authority")
    page.fill("#retire-purpose", "2026 emissions")
    page.click("#retire-submit")
    confirm(page, {"beneficiary": "Busan Port Authority", "purpose": "2026 emissions"})
    expect(page.locator("#retire-message")).to_contain_text("Retired: certificate #")
    link = page.locator("#certificates-table tbody tr a").first
    href = link.get_attribute("href")
    assert href is not None and href.startswith("/assets/certificates/")

    anyone = new_page(browser, locale="ko-KR")
    anyone.goto(rwa_exchange.base_url + href)
    expect(anyone.locator("#certificate-beneficiary td")).to_have_text("Busan Port Authority")
    expect(anyone.locator("#certificate-amount td")).to_have_text("3 KCO2")
    expect(anyone.locator("#certificate-serials tbody tr td").first).to_have_text("DCR-1077-1")
    expect(anyone.locator("#info-title")).to_contain_text("소각 증명서 #")
    screenshot(anyone, "issuance-certificate-ko")
    anyone.goto(rwa_exchange.base_url + "/assets/certificates/999999")
    expect(anyone.locator("#certificate-none")).to_have_text("해당 소각 증명서가 없습니다.")
    assert anyone.request.get(rwa_exchange.base_url + "/assets/certificates/x").status == 404
    assert page.script_errors == [] and anyone.script_errors == []  # type: ignore[attr-defined]
    anyone.context.close()
    page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_issuance_pages_have_no_serious_accessibility_violation(
    browser: Browser, rwa_exchange: ExchangeServer, locale: str
) -> None:
    language = locale[:2]
    visitor = new_page(browser, locale=locale)
    check_page(visitor, rwa_exchange, f"issuance-assets-{language}", "/assets", "#assets-table")
    check_page(visitor, rwa_exchange, f"issuance-asset-{language}", "/assets/KGLD",
               "#lots-table tbody tr")  # fmt: skip
    visitor.context.close()

    phone = new_page(browser, width=390, height=844, locale=locale)
    check_page(phone, rwa_exchange, f"issuance-asset-phone-{language}", "/assets/KGLD",
               "#lots-table tbody tr")  # fmt: skip
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.context.close()

    page = holder(browser, rwa_exchange)
    page.context.add_init_script(f"localStorage.setItem('assetport.lang', '{language}')")
    check_page(page, rwa_exchange, f"issuance-asset-user-{language}", "/assets/KGLD",
               "#redemptions-none")  # fmt: skip
    check_page(page, rwa_exchange, f"issuance-carbon-user-{language}", "/assets/KCO2",
               "#retire-form")  # fmt: skip
    page.context.close()

    console = new_page(browser, locale=locale)
    console.goto(rwa_exchange.base_url + "/issuer")
    console.evaluate(
        f"sessionStorage.setItem('assetport.adminToken', {json.dumps(admin_token(rwa_exchange))})"
    )
    check_page(
        console,
        rwa_exchange,
        f"issuance-console-{language}",
        "/issuer",
        "#holders-table, #holders-none",
    )
    console.context.close()


def test_every_issuance_text_has_its_korean_translation() -> None:
    """The issuance catalog as a browser loads it (Node imports the module, so a text that
    breaks its syntax fails here too) has the same keys in English and Korean, each a text
    of its own (a missing Korean text would show English on a Korean page)."""
    catalog = Path(__file__).resolve().parents[2] / "web" / "src" / "messages" / "issuance.js"
    script = (
        "const texts = (await import(process.argv[1])).default;"
        "console.log(JSON.stringify({ en: texts.en, ko: texts.ko }));"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, catalog.as_uri()],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    texts = json.loads(done.stdout)
    assert texts["en"].keys() == texts["ko"].keys(), texts["en"].keys() ^ texts["ko"].keys()
    assert len(texts["en"]) > 200
    untranslated = [key for key in texts["en"] if texts["ko"][key] == texts["en"][key]]
    assert untranslated == ["rwa.documents.sha256"]  # a name, the same in both
