"""The proof-of-reserves page (issue #16): before anything is published it says so; once
the operator has built and put a proof in place, anyone sees what users are owed per asset
and the reserves stated beside it, and a logged-in person sees their own balances in the
tree with their proof, the root and the verifier to download, in English and Korean. Every
root published with `assetport por publish` is listed, newest first, the one served marked
current; when the reserves were read from a chain node, the page says which chain and block."""

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, expect
from test_accessibility import check_page

from conftest import new_page, screenshot, sign_up, unique_email

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


def por_publish(exchange: ExchangeServer, *options: str) -> None:
    """`assetport por publish`: builds, switches `current`, appends to the history."""
    done = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "por", "publish", "--data-dir",
         str(exchange.data_dir), *options],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def history(exchange: ExchangeServer) -> list[dict[str, Any]]:
    """The roots published, newest first, as the history file has them."""
    lines = (exchange.data_dir / "proof-of-reserves" / "history.jsonl").read_text().splitlines()
    return [json.loads(line) for line in reversed(lines) if line.strip()]


def percent(reserves: int, owed: int) -> str:
    """What the page shows: two decimals, rounded down, computed exactly."""
    basis = reserves * 10000 // owed
    return f"{basis // 100:,}.{basis % 100:02d} %"


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


def test_the_published_roots_are_listed_newest_first_with_the_current_marked(
    browser: Browser, exchange: ExchangeServer, tmp_path: Path
) -> None:
    page = new_page(browser)
    shutil.rmtree(exchange.data_dir / "proof-of-reserves", ignore_errors=True)
    page.goto(exchange.base_url + PAGE)
    expect(page.locator("#reserves-history-none")).to_have_text(
        "No root has been recorded in the history yet."
    )

    # Two publications with a deposit between them: two roots, two different hashes.
    exchange.user("por-history-1", KRW="1000000")
    por_publish(exchange, "--no-reserves")
    exchange.user("por-history-2", KRW="2000000")
    por_publish(exchange, "--no-reserves")
    newest, older = history(exchange)
    assert newest["hash"] != older["hash"]

    page.reload()
    rows = page.locator("#reserves-history-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-hash", newest["hash"])
    expect(rows.nth(1)).to_have_attribute("data-hash", older["hash"])
    expect(rows.nth(0)).to_have_class("current")
    expect(rows.nth(0).locator(".history-current")).to_have_text("current")
    expect(rows.nth(1).locator(".history-current")).to_have_count(0)
    expect(page.locator("#reserves-hash")).to_have_text(newest["hash"])
    # The whole hash is the cell's text and its title, however little of it is shown.
    older_hash = rows.nth(1).locator(".hash-short")
    expect(older_hash).to_have_text(older["hash"])
    expect(older_hash).to_have_attribute("title", older["hash"])
    expect(rows.nth(0).locator(".seq")).to_have_text(str(newest["as_of"]["seq"]))
    expect(rows.nth(0).locator(".ratios")).to_have_text("not stated")
    expect(page.locator("#reserves-read")).to_have_count(0)

    # Reserves as `assetport admin custody reserves` prints them: read from a chain node.
    read_at = 1764900000000
    reserves = tmp_path / "reserves.json"
    reserves.write_text(
        json.dumps(
            {
                "chain": {"network": "BUSAN", "chainId": 31337, "block": 812, "readAt": read_at},
                "reserves": {"KRW": [{"address": "0x" + "ab" * 20, "balance": "1500000"}]},
            }
        )
    )
    por_publish(exchange, "--reserves", str(reserves))
    latest = history(exchange)[0]
    assert latest["reserves_read"]["block"] == 812
    page.reload()
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_attribute("data-hash", latest["hash"])
    expect(rows.nth(0)).to_have_class("current")
    expect(rows.nth(1)).not_to_have_class("current")
    when = datetime.fromtimestamp(read_at / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
    expect(page.locator("#reserves-read")).to_have_text(
        f"The reserves were read from chain BUSAN (chain id 31337) at block 812, at {when} (UTC)."
    )
    owed = next(int(total["units"]) for total in latest["totals"] if total["asset"] == "KRW")
    expect(rows.nth(0).locator('.history-ratio[data-asset="KRW"]')).to_have_text(
        f"KRW: {percent(1500000, owed)}"
    )
    check_page(page, exchange, "proof-of-reserves-history", PAGE, "#reserves-history-table")
    screenshot(page, "proof-of-reserves-history")
    assert page.script_errors == []  # type: ignore[attr-defined]
    page.context.close()

    korean = new_page(browser, locale="ko-KR")
    korean.goto(exchange.base_url + PAGE)
    expect(korean.locator("#reserves-read")).to_have_text(
        f"준비금은 {when} (UTC)에 BUSAN 체인(체인 ID 31337)의 812번 블록에서 읽었습니다."
    )
    expect(korean.locator("#reserves-history-title")).to_have_text("공개된 루트")
    expect(korean.locator("#reserves-history-table .history-current")).to_have_text("현재")
    screenshot(korean, "proof-of-reserves-history-ko-KR")
    assert korean.script_errors == []  # type: ignore[attr-defined]
    korean.context.close()
