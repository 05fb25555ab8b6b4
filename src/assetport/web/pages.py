"""The web pages, served by the exchange itself.

Each page is a small HTML shell; the script bundled from `web/src/pages/<name>.js` draws it
and talks to the same public REST and WebSocket API as every client (the session cookie
authenticates it). The shells carry what the script cannot ask the API: which page this
is, the market in the path and whether the server runs as the sandbox.

    /                   markets overview
    /trade/{symbol}     trading page of one market
    /signup, /login     account entry
    /account            password, two-factor login, anti-phishing code, API keys
    /verify             opens an email verification link (the token after `#`)
    /reset-password     asks for a reset link, or sets a new password with one
    /sandbox/mail       the mails the sandbox caught for this browser (sandbox only)
    /static/...         the bundle (scripts, style sheet, source maps)
    /favicon.svg        the site's icon (also at /favicon.ico, where browsers look for one
                        on pages that name none, such as the API's /docs)
"""

import html
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from assetport.api.security_headers import SECURITY_HEADERS

STATIC_DIR = Path(__file__).resolve().parent / "static"
BUILT_MARKER = STATIC_DIR / "BUILT"
# Kept beside this module rather than in the bundle: the icon is there without a build.
FAVICON = Path(__file__).resolve().parent / "favicon.svg"
ICON_LINK = '<link rel="icon" type="image/svg+xml" href="/favicon.svg">'

# The Content-Security-Policy and the other headers are shared with the API's /docs page.

TITLES = {
    "markets": "Markets",
    "trade": "Trade",
    "signup": "Sign up",
    "login": "Log in",
    "account": "Account",
    "verify": "Verify your email",
    "reset": "Reset your password",
    "mail": "Sandbox mail",
}


def render_shell(page: str, *, sandbox: bool, default_symbol: str, symbol: str = "") -> str:
    title = TITLES[page] + (f" {symbol}" if symbol else "")
    attributes = {
        "data-page": page,
        "data-sandbox": "1" if sandbox else "0",
        "data-default-symbol": default_symbol,
        "data-symbol": symbol,
    }
    body_attributes = " ".join(
        f'{name}="{html.escape(value)}"' for name, value in attributes.items()
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>{html.escape(title)} · Assetport</title>
{ICON_LINK}
<link rel="stylesheet" href="/static/style.css">
</head>
<body {body_attributes}>
<div id="banner"></div>
<header id="header"></header>
<main id="main"><noscript>Assetport's pages need JavaScript.</noscript></main>
<script type="module" src="/static/pages/{page}.js"></script>
</body>
</html>
"""


NOT_BUILT = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Assetport</title>
{ICON_LINK}</head><body><h1>The web pages are not built</h1><p>Run <code>make web</code> (or
<code>make run</code>, which builds them) and reload. The API works without them.</p>
</body></html>"""


# An icon is no secret and seldom changes: a day in any cache. `nosniff` keeps a browser
# from reading it as anything but an SVG image.
_ICON_HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


def _page(body: str, status: int = 200) -> Response:
    return HTMLResponse(body, status, headers=SECURITY_HEADERS)


def web_routes(*, sandbox: bool, symbols: Callable[[], Iterable[str]]) -> list[BaseRoute]:
    """The pages' routes. `symbols` lists the markets that exist now (listings change)."""

    def default_symbol() -> str:
        return next(iter(sorted(symbols())), "")

    def shell(page: str, symbol: str = "") -> Response:
        if not BUILT_MARKER.exists():
            return _page(NOT_BUILT, 503)
        return _page(
            render_shell(page, sandbox=sandbox, default_symbol=default_symbol(), symbol=symbol)
        )

    async def markets(request: Request) -> Response:
        return shell("markets")

    async def trade(request: Request) -> Response:
        symbol = str(request.path_params["symbol"]).upper()
        if symbol not in set(symbols()):
            return _page(_unknown_market(symbol), 404)
        if symbol != request.path_params["symbol"]:
            return RedirectResponse(f"/trade/{symbol}", 301)
        return shell("trade", symbol)

    async def trade_default(request: Request) -> Response:
        return RedirectResponse(f"/trade/{default_symbol()}", 302)

    icon = FAVICON.read_bytes()

    async def favicon(request: Request) -> Response:
        return Response(icon, media_type="image/svg+xml", headers=_ICON_HEADERS)

    def simple(page: str) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            return shell(page)

        return answer

    STATIC_DIR.mkdir(exist_ok=True)
    return [
        Route("/", markets),
        Route("/markets", markets),
        Route("/trade", trade_default),
        Route("/trade/{symbol}", trade),
        Route("/signup", simple("signup")),
        Route("/login", simple("login")),
        Route("/account", simple("account")),
        Route("/verify", simple("verify")),
        Route("/reset-password", simple("reset")),
        # The mails the sandbox caught (sandbox/mail.py); a real server has no such page.
        *([Route("/sandbox/mail", simple("mail"))] if sandbox else []),
        Route("/favicon.svg", favicon),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def _unknown_market(symbol: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Unknown market · Assetport</title>{ICON_LINK}<link rel="stylesheet" href="/static/style.css">
</head><body><main><h1>No market {html.escape(symbol)}</h1>
<p><a href="/">See every market</a></p></main></body></html>"""
