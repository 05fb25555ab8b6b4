"""Every page passes axe-core (Deque's accessibility engine, the npm package pinned in
web/package.json) with no serious or critical violation, in English and Korean, for a visitor
and, where the page differs, for a logged-in user; the trade and markets pages at a phone's
size too. What axe finds is written to artifacts/browser/axe-*.json, every impact included,
so a failure can be read without rerunning."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS, new_page, screenshot, sign_up

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
SYMBOL = "KGLDKRW"

# (path, what shows the page is drawn). Verify and reset are checked without a token (the
# forms a person reaches by hand) and with a mailed link's token that the server refuses
# (verify's error state) or has yet to check (reset's new-password form).
VISITOR_PAGES = {
    "markets-root": ("/", "#markets-body tr"),
    "markets": ("/markets", "#markets-body tr"),
    "trade": (f"/trade/{SYMBOL}", "#book-bids .book-row:not(.empty)"),
    "login": ("/login", "#login-submit"),
    "signup": ("/signup", "#signup-submit"),
    "verify": ("/verify", "#verify-message"),
    "verify-refused": ("/verify#token=an-expired-link", "#verify-message.error"),
    "reset": ("/reset-password", "#reset-request-form"),
    "reset-form": ("/reset-password#token=an-expired-link", "#reset-form"),
    "mail": ("/sandbox/mail", "#mail-refresh"),
    # The issuance pages (the token pages with their bars, forms and console are checked with
    # tokens issued in test_issuance_pages.py): the list and the console asking for its token.
    "assets": ("/assets", "#assets-none, #assets-table"),
    "issuer": ("/issuer", "#admin-token"),
}
USER_PAGES = {
    "account": ("/account", "#profile-email"),
    "trade-user": (f"/trade/{SYMBOL}", "#book-bids .book-row:not(.empty)"),
    "mail-user": ("/sandbox/mail", "article.mail"),
    "portfolio": ("/portfolio", "#portfolio-total"),
}
PHONE_PAGES = {"markets-phone": VISITOR_PAGES["markets"], "trade-phone": VISITOR_PAGES["trade"]}
LANGUAGES = {"en": "en-US", "ko": "ko-KR"}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations of the page as drawn now, every rule of its default set."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make web` installs the pinned npm packages")
    # Evaluated rather than added as a <script>: the pages' Content-Security-Policy refuses
    # inline scripts, and the test must not loosen it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, { resultTypes: ["violations"] });
            return results.violations.map((violation) => ({
                id: violation.id,
                impact: violation.impact,
                help: violation.help,
                helpUrl: violation.helpUrl,
                nodes: violation.nodes.map((node) => ({
                    target: node.target.join(" "),
                    html: node.html.slice(0, 200),
                    summary: node.failureSummary,
                })),
            }));
        }"""
    )


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    {node['target']}  -- {node['summary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


def check_page(page: Page, exchange: ExchangeServer, name: str, path: str, ready: str) -> None:
    page.goto(exchange.base_url + path)
    expect(page.locator("#header .brand")).to_be_visible()
    expect(page.locator(ready).first).to_be_attached()
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(
        json.dumps(violations, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    screenshot(page, f"axe-{name}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{path} ({name}):\n{describe(blocking)}"


@pytest.fixture(scope="module")
def logged_in_state(browser: Browser, exchange: ExchangeServer) -> Iterator[Any]:
    """The cookies of one verified, logged-in account, for the pages only a user sees."""
    page = new_page(browser)
    sign_up(page, exchange, f"axe-{uuid.uuid4().hex[:10]}@example.com")
    yield page.context.storage_state()
    page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", VISITOR_PAGES)
def test_a_visitors_pages_have_no_serious_accessibility_violation(
    browser: Browser, exchange: ExchangeServer, name: str, language: str
) -> None:
    page = new_page(browser, locale=LANGUAGES[language])
    path, ready = VISITOR_PAGES[name]
    check_page(page, exchange, f"{name}-{language}", path, ready)
    page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", USER_PAGES)
def test_a_users_pages_have_no_serious_accessibility_violation(
    browser: Browser, exchange: ExchangeServer, logged_in_state: Any, name: str, language: str
) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 860},
        locale=LANGUAGES[language],
        storage_state=logged_in_state,
    )
    page = context.new_page()
    path, ready = USER_PAGES[name]
    check_page(page, exchange, f"{name}-{language}", path, ready)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PHONE_PAGES)
def test_pages_at_a_phones_size_have_no_serious_accessibility_violation(
    browser: Browser, exchange: ExchangeServer, name: str, language: str
) -> None:
    page = new_page(browser, width=390, height=844, locale=LANGUAGES[language])
    path, ready = PHONE_PAGES[name]
    check_page(page, exchange, f"{name}-{language}", path, ready)
    page.context.close()
