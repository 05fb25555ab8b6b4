"""Browser tests: Debian's Chromium driven by Playwright against a real `assetport serve
--demo`. Screenshots go to artifacts/browser/ (kept by CI as test artifacts)."""

import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "api"))

from exchange_server import ExchangeServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


# One demo server for the whole browser run (each test signs up its own users): starting
# one per file cost most of the suite's time.
@pytest.fixture(scope="session")
def exchange(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    # Every test signs up from 127.0.0.1: no limit of sign-ups per address here.
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    with ExchangeServer(data_dir, "--demo", "--signups-per-hour", "100000") as server:
        yield server


# Module scope, not session: Playwright's sync API runs an event loop on this thread while it
# is open, and every later test calling asyncio.run() would find it running.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def new_page(
    browser: Browser, *, width: int = 1280, height: int = 860, locale: str = "en-US"
) -> Page:
    """A page in a fresh context (its own cookies and storage), failing on script errors."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors  # type: ignore[attr-defined]
    return page


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# The password every test account uses (the pages never see another).
PASSWORD = "correct horse battery staple"


def unique_email(name: str) -> str:
    """A new address per call: the module's server keeps every account of its tests."""
    return f"{name}-{uuid.uuid4().hex[:10]}@example.com"


def submit_sign_up(
    page: Page, exchange: ExchangeServer, email: str, password: str = PASSWORD
) -> None:
    """Fills and sends /signup; waits for its "check your mail" answer."""
    page.goto(exchange.base_url + "/signup")
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#password-confirm", password)
    page.click("#signup-submit")
    expect(page.locator("#signup-check-mail")).to_contain_text(email.lower())


def find_mail(page: Page, exchange: ExchangeServer, selector: str) -> Locator:
    """Opens the sandbox's mailbox of this browser; the first (newest) match of `selector`
    in a mail, once there (a mail may take a moment: the page is refreshed until it is)."""
    page.goto(exchange.base_url + "/sandbox/mail")
    found = page.locator(f"article.mail {selector}").first
    for _ in range(100):
        if found.count():
            break
        page.click("#mail-refresh")
        page.wait_for_timeout(100)
    return found


def open_mail(page: Page, exchange: ExchangeServer, link: str) -> None:
    """Follows the newest mailed link to `link` (a path: "/verify", "/reset-password")."""
    find_mail(page, exchange, f'a.mail-link[href^="{link}"]').click()


def log_in_on_page(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fills and sends the /login form open on `page`; waits until the page has left /login
    (the user is logged in)."""
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)


def verify_and_log_in(
    page: Page, exchange: ExchangeServer, email: str, password: str = PASSWORD
) -> None:
    """After a sign-up in this browser: the verification mail's link, then the login; waits
    until the page has left /login (the user is logged in)."""
    open_mail(page, exchange, "/verify")
    expect(page.locator("#verify-message")).to_contain_text(email.lower())
    page.click("#verify-continue")
    expect(page).to_have_url(re.compile(r"/login$"))
    log_in_on_page(page, email, password)


def sign_up(page: Page, exchange: ExchangeServer, email: str, password: str = PASSWORD) -> None:
    """Signs up on /signup, verifies the address through the sandbox's mailbox, logs in."""
    submit_sign_up(page, exchange, email, password)
    verify_and_log_in(page, exchange, email, password)


def open_account_page(page: Page, exchange: ExchangeServer) -> None:
    """Opens /account of the logged-in user and waits until its cards are drawn."""
    page.goto(exchange.base_url + "/account")
    expect(page.locator("#profile-email")).to_be_visible()
