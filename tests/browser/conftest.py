"""Browser tests: Debian's Chromium driven by Playwright against a real `assetport serve
--demo`. Screenshots go to artifacts/browser/ (kept by CI as test artifacts)."""

import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "api"))

from exchange_server import ExchangeServer

from assetport.api.ratelimit import DEFAULT_RATE_LIMITS, RateLimitType
from assetport.listings import DEMO_ASSETS, DEMO_FEE_ASSET, DEMO_FEES_BPS, DEMO_MARKETS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "browser"
WEB_SOURCES = ROOT / "web" / "src"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The longest a test waits for a page to show what it expects. Playwright's 5 s default was
# passed on a loaded machine by pages that were right, only slow (a mailed link, a refusal).
# A bound, not a speed: a page that is right passes as soon as it shows it.
EXPECT_TIMEOUT_MS = 15_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def demo_listing_with_room(path: Path) -> Path:
    """The demo listing as a listing file, with a request weight budget 100 times Binance's:
    every browser test loads its pages from 127.0.0.1, and a whole run of them is far more
    than one person's 6000 weight a minute. The order limits stay Binance's."""
    lines = []
    for code, precision in DEMO_ASSETS:
        lines += ["[[assets]]", f'code = "{code}"', f"precision = {precision}", ""]
    for market in DEMO_MARKETS:
        lines.append("[[markets]]")
        lines += [f'{key} = "{value}"' for key, value in market.items()]
        lines += [f"maker_fee_bps = {DEMO_FEES_BPS}", f"taker_fee_bps = {DEMO_FEES_BPS}"]
        lines += [f'fee_asset = "{DEMO_FEE_ASSET[market["quote"] == "KRW"]}"', ""]
    for limit in DEFAULT_RATE_LIMITS:
        room = 100 if limit.type is RateLimitType.REQUEST_WEIGHT else 1
        lines += [
            "[[rate_limits]]",
            f'rateLimitType = "{limit.type.value}"',
            f'interval = "{limit.interval.value}"',
            f"intervalNum = {limit.interval_num}",
            f"limit = {limit.limit * room}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# One demo server for the whole browser run (each test signs up its own users): starting
# one per file cost most of the suite's time.
@pytest.fixture(scope="session")
def exchange(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    # Every test signs up from 127.0.0.1: no limit of sign-ups per address here.
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    listing = demo_listing_with_room(data_dir.parent / "listing.toml")
    with ExchangeServer(
        data_dir, "--demo", "--config", str(listing), "--signups-per-hour", "100000"
    ) as server:
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
    """Fills and sends /signup, accepting the terms; waits for its "check your mail"
    answer."""
    page.goto(exchange.base_url + "/signup")
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#password-confirm", password)
    page.check("#signup-terms")
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


def serve_sources(page: Page, exchange: ExchangeServer) -> None:
    """Serves web/src under /__source__/ on the exchange's own origin, so that a test can
    import a library module the bundled pages are built from."""

    def answer(route: Route) -> None:
        relative = route.request.url.split("/__source__/", 1)[1].split("?", 1)[0]
        path = (WEB_SOURCES / relative).resolve()
        assert path.is_relative_to(WEB_SOURCES) and path.is_file(), relative
        route.fulfill(status=200, content_type="text/javascript", body=path.read_text())

    page.route(f"{exchange.base_url}/__source__/**", answer)


def call_module(page: Page, module: str, script: str, *args: Any) -> Any:
    """Runs `script` (a function body with the module as `lib` and `args`) in the page."""
    return page.evaluate(
        f"""async (args) => {{
            const lib = await import("/__source__/lib/{module}");
            {script}
        }}""",
        list(args),
    )
