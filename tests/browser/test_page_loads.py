"""Every page loads cleanly, for a visitor and for a logged-in user: nothing in the console,
no request that fails or is answered with an error (a visitor's page once asked
/api/v1/account/me and got a 401, and the browser's /favicon.ico a 404).

These tests load many pages in a few seconds, all from 127.0.0.1: they get a server of
their own, so that its request weight budget (Binance's 6000 a minute per address) is
theirs alone and the other browser tests' server keeps its own.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from exchange_server import ExchangeServer
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response

from conftest import new_page, screenshot, sign_up, unique_email

PAGES = (
    "/",
    "/trade/KGLDKRW",
    "/signup",
    "/login",
    "/account",
    "/portfolio",
    "/verify",
    "/reset-password",
    "/sandbox/mail",
)


@dataclass
class Problems:
    """What a user (or their browser's developer tools) would see go wrong."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"script error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.seen.append(f"console {message.type}: {message.text} ({message.location})")

    def _failed(self, request: Request) -> None:
        # A page that moves on (the login page sends a logged-in user on) cancels what it
        # was still loading: the browser's doing, not a failure anyone sees.
        if request.failure == "net::ERR_ABORTED":
            return
        self.seen.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.seen.append(f"{response.status} for {response.request.method} {response.url}")


def _load_every_page(page: Page, server: ExchangeServer, problems: Problems) -> None:
    for path in PAGES:
        page.goto(server.base_url + path, wait_until="networkidle")
        # The header is drawn once the page knows whether someone is logged in.
        page.locator("#header .brand").wait_for()
        page.wait_for_load_state("networkidle")
        assert problems.seen == [], f"{path}: {problems.seen}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    data_dir: Path = tmp_path_factory.mktemp("page-loads") / "data"
    with ExchangeServer(data_dir, "--demo") as running:
        yield running


@pytest.fixture
def visitor(browser: Browser) -> Iterator[Page]:
    page = new_page(browser)
    yield page
    page.context.close()


def test_a_visitor_loads_every_page_without_an_error(visitor: Page, server: ExchangeServer) -> None:
    problems = Problems()
    problems.watch(visitor)
    _load_every_page(visitor, server, problems)
    assert visitor.locator("#login-link").is_visible()
    screenshot(visitor, "page-loads-visitor")


def test_a_logged_in_user_loads_every_page_without_an_error(
    visitor: Page, server: ExchangeServer
) -> None:
    problems = Problems()
    problems.watch(visitor)
    email = unique_email("pages")
    sign_up(visitor, server, email)  # the visitor's way in is watched too
    assert problems.seen == []
    _load_every_page(visitor, server, problems)
    visitor.goto(server.base_url + "/account", wait_until="networkidle")
    assert visitor.locator("#user-email").inner_text() == email.lower()
    screenshot(visitor, "page-loads-logged-in")


def test_every_page_names_the_site_icon(visitor: Page, server: ExchangeServer) -> None:
    visitor.goto(server.base_url + "/")
    icon = visitor.locator('link[rel="icon"]')
    assert icon.get_attribute("type") == "image/svg+xml"
    href = icon.get_attribute("href")
    assert href is not None
    answer = visitor.request.get(server.base_url + href)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text().lstrip().startswith("<svg")
    # A client that asks for the traditional address is sent to the same icon.
    legacy = visitor.request.get(server.base_url + "/favicon.ico")
    assert legacy.status == 200
    assert legacy.headers["content-type"].startswith("image/svg+xml")
