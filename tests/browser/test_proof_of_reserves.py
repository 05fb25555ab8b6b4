"""The proof-of-reserves page (issue #16): before anything is published it says so; once
the operator has built and put a proof in place, anyone sees what users are owed per asset
and the reserves stated beside it, and a logged-in person sees their own balances in the
tree with their proof, the root and the verifier to download, in English and Korean."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import new_page, screenshot, sign_up, unique_email
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, expect
from test_accessibility import check_page

PAGE = "/proof-of-reserves"


def publish(exchange: ExchangeServer, out: Path) -> None:
    """What an operator does: build beside the running server, then put the build in place."""
    done = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "por", "build", "--data-dir",
         str(exchange.data_dir), "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    published = exchange.data_dir / "proof-of-reserves"
    shutil.rmtree(published, ignore_errors=True)
    shutil.move(out, published)


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_a_person_finds_their_balances_in_the_published_proof(
    browser: Browser, exchange: ExchangeServer, locale: str, tmp_path: Path
) -> None:
    page = new_page(browser, locale=locale)
    sign_up(page, exchange, unique_email("reserves"))
    user_id = page.request.get(exchange.base_url + "/api/v1/account/session").json()["userId"]
    exchange.admin("/api/v1/admin/deposits", user_id=user_id, asset="KRW", amount="1234567")
    publish(exchange, tmp_path / "build")

    page.goto(exchange.base_url + PAGE)
    title = "Proof of reserves" if locale == "en-US" else "준비금 증명"
    expect(page.locator("#info-title")).to_have_text(title)
    expect(page.locator("#reserves-hash")).to_have_text(
        (exchange.data_dir / "proof-of-reserves" / "root.json")
        .read_text()
        .split('"hash": "')[1][:64]
    )
    expect(page.locator('#reserves-totals tr[data-asset="KRW"] .owed')).not_to_have_text("0")
    expect(page.locator('#reserves-balances tr[data-asset="KRW"] td')).to_have_text("1,234,567")
    expect(page.locator("#reserves-command")).to_have_text(
        "python3 verify.py proof.json --root root.json"
    )
    for link in ("#reserves-proof-download", "#reserves-root-download", "#reserves-verifier"):
        expect(page.locator(link)).to_be_visible()
    verifier = page.request.get(exchange.base_url + "/proof-of-reserves/verify.py")
    assert verifier.ok and "def verify_proof" in verifier.text()
    screenshot(page, f"proof-of-reserves-{locale}")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_visitor_sees_the_root_and_is_asked_to_log_in(
    browser: Browser, exchange: ExchangeServer, tmp_path: Path
) -> None:
    page = new_page(browser)
    published = exchange.data_dir / "proof-of-reserves"
    shutil.rmtree(published, ignore_errors=True)
    page.goto(exchange.base_url + PAGE)
    expect(page.locator("#reserves-none")).to_have_text(
        "No proof of reserves has been published yet."
    )
    publish(exchange, tmp_path / "build")
    page.reload()
    expect(page.locator("#reserves-totals")).to_be_visible()
    expect(page.locator("#reserves-login a")).to_have_attribute(
        "href", "/login?next=/proof-of-reserves"
    )
    expect(page.locator("#reserves-balances")).to_have_count(0)
    check_page(page, exchange, "proof-of-reserves", PAGE, "#reserves-totals")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()
