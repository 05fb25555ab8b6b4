"""Browser tests: Debian's Chromium driven by Playwright against a real `assetport serve
--demo`. Screenshots go to artifacts/browser/ (kept by CI as test artifacts)."""

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

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
    with ExchangeServer(tmp_path_factory.mktemp("browser") / "data", "--demo") as server:
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


def sign_up(page: Page, exchange: ExchangeServer, email: str, password: str = PASSWORD) -> None:
    """Signs up on /signup and waits until the page has left it (the user is logged in)."""
    page.goto(exchange.base_url + "/signup")
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#password-confirm", password)
    page.click("#signup-submit")
    page.wait_for_url(lambda url: "/signup" not in url)


def open_account_page(page: Page, exchange: ExchangeServer) -> None:
    """Opens /account of the logged-in user and waits until its cards are drawn."""
    page.goto(exchange.base_url + "/account")
    expect(page.locator("#profile-email")).to_be_visible()
