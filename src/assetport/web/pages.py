"""The web pages, served by the exchange itself.

Each page is a small HTML shell; the script bundled from `web/src/pages/<name>.js` draws it
and talks to the same public REST and WebSocket API as every client (the session cookie
authenticates it). The shells carry what the script cannot ask the API: which page this
is, the market in the path and whether the server runs as the sandbox.

    /                   markets overview
    /trade/{symbol}     trading page of one market
    /signup, /login     account entry
    /account            password, two-factor login, anti-phishing code, API keys
    /wallet/deposit     the deposit address on the chain (with its QR code), deposits
    /wallet/withdraw    the withdrawal address book, withdrawals (/wallet goes to deposit)
    /verify             opens an email verification link (the token after `#`)
    /reset-password     asks for a reset link, or sets a new password with one
    /sandbox/mail       the mails the sandbox caught for this browser (sandbox only)
    /help, /fees, /api-guide, /terms, /risk-disclosure
                        the information pages the footer links (pages/info.js)
    /sandbox            what the sandbox is, linked from its banner (sandbox only)
    /assets             the tokens issued against an attested reserve (pages/assets.js)
    /assets/{code}      a tokenized real-world asset: what one token stands for, what backs
                        it (attestations, bars, supply against reserve), the holder's
                        subscribe, redeem and retire forms (pages/asset.js)
    /assets/certificates/{id}
                        a carbon retirement certificate, for anyone (pages/certificate.js)
    /issuer             the issuer console: the operator's tool, with the admin token the
                        page asks for (pages/issuer.js)
    /nft                the NFT marketplace: collections by volume and floor, live drops and
                        auctions (pages/nft.js)
    /nft/studio         the creator studio: collections, media, mints, drops (nft_studio.js)
    /nft/mine           my NFTs: items held, listings, offers, bids, sales (nft_mine.js)
    /nft/drops/{id}     a primary sale, its draw re-derived after the reveal (nft_drop.js)
    /nft/{code}         a collection: its items with trait filters, activity (nft_collection.js)
    /nft/{code}/{tokenId}
                        an item: media, owners, price history, listings, offers, auction
                        (nft_item.js)
    /static/...         the bundle (scripts, style sheet, source maps)
    /favicon.svg        the site's icon (also at /favicon.ico, where browsers look for one
                        on pages that name none, such as the API's /docs)

Any other address a browser asks for, and a market that does not exist, gets a page saying
so with status 404, written in the language the browser prefers (English or Korean) and
redrawn by pages/notfound.js in the language the person chose on the site. The API's own
paths keep their JSON answers.
"""

import html
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles

from assetport.api import errors
from assetport.api.security_headers import SECURITY_HEADERS
from assetport.domain.nft.collections import COLLECTION_CODE
from assetport.domain.nft.items import MAX_TOKEN_ID
from assetport.domain.proof_of_reserves import verify as por_verify

STATIC_DIR = Path(__file__).resolve().parent / "static"
VERIFIER = Path(por_verify.__file__)
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
    "portfolio": "Portfolio",
    "deposit": "Deposit",
    "withdraw": "Withdraw",
    "reserves": "Proof of reserves",
    "info": "Help",
    "asset": "Asset",
    "assets": "Tokenized assets",
    "certificate": "Retirement certificate",
    "issuer": "Issuer console",
    "nft": "NFT marketplace",
    "nft_collection": "NFT collection",
    "nft_item": "NFT",
    "nft_studio": "Creator studio",
    "nft_mine": "My NFTs",
    "nft_drop": "NFT drop",
}

# The information pages (one script, pages/info.js, draws each by its path) and their
# titles before the script puts them in the reader's language.
INFO_PAGES = {
    "/help": "Help",
    "/fees": "Fees",
    "/api-guide": "Using the API",
    "/terms": "Terms of use",
    "/risk-disclosure": "Risk disclosure",
}
SANDBOX_EXPLAINER = "About the sandbox"
# The tokenized real-world assets with an asset page (their words are in
# web/src/messages/info.js, as the listing describes no asset).
ASSET_PAGES = {
    "KGLD": "Tokenized gold",
    "KSLV": "Tokenized silver",
    "KCU": "Tokenized copper",
    "KOIL": "Tokenized crude oil",
    "KRE1": "Tokenized real estate",
    "KCO2": "Carbon credit",
}

# An address that cannot name a collection (its code, domain/nft/collections.py) or an id
# (a token's or a drop's, at most 2^63 - 1) is no page, before any script asks the API. The
# NFT pages' own words (studio, mine, drops) come first among the routes: a collection with
# one of them as its code is reached through the API only.
MAX_ID_DIGITS = len(str(MAX_TOKEN_ID))

NOSCRIPT = "<noscript>Assetport's pages need JavaScript.</noscript>"

# The not-found page's texts, as the server writes them before any script runs (the same
# words as web/src/messages/common.js, which the script shows after).
NOT_FOUND_TEXTS = {
    "en": {
        "title": "Page not found",
        "text": "There is no page at this address. It may have moved, or the link may have a typo.",
        "marketTitle": "No market {symbol}",
        "marketText": "There is no market called {symbol} on Assetport. "
        "Pick one from the list of markets.",
        "toMarkets": "See every market",
    },
    "ko": {
        "title": "페이지를 찾을 수 없습니다",
        "text": "이 주소에는 페이지가 없습니다. 옮겨졌거나 링크에 오타가 있을 수 있습니다.",
        "marketTitle": "{symbol} 마켓이 없습니다",
        "marketText": "Assetport에는 {symbol}(이)라는 마켓이 없습니다. 마켓 목록에서 고르세요.",
        "toMarkets": "전체 마켓 보기",
    },
}

# Paths of the API and its streams: an unknown one answers Binance's JSON, not a page.
_API_PREFIXES = ("/api/", "/sapi/", "/ws", "/stream", "/static/", "/openapi.json", "/docs")


def render_shell(
    page: str,
    *,
    sandbox: bool,
    default_symbol: str,
    symbol: str = "",
    lang: str = "en",
    title: str = "",
    main: str = NOSCRIPT,
    data: dict[str, str] | None = None,
) -> str:
    """The HTML shell of a page; `data` adds `data-*` attributes to its body (what the page
    needs from the server that no public API answers, e.g. the markets' fee rates)."""
    title = title or TITLES[page] + (f" {symbol}" if symbol else "")
    attributes = {
        "data-page": page,
        "data-sandbox": "1" if sandbox else "0",
        "data-default-symbol": default_symbol,
        "data-symbol": symbol,
    }
    attributes.update({f"data-{name}": value for name, value in (data or {}).items()})
    body_attributes = " ".join(
        f'{name}="{html.escape(value)}"' for name, value in attributes.items()
    )
    return f"""<!doctype html>
<html lang="{lang}">
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
<main id="main">{main}</main>
<script type="module" src="/static/pages/{page}.js"></script>
</body>
</html>
"""


def preferred_language(accept_language: str | None) -> str:
    """The language to write a page in: Korean when the browser's Accept-Language ranks it
    above English, else English."""
    best, best_weight = "en", 0.0
    for part in (accept_language or "").split(","):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        # Strictly greater: of two equal weights the header's earlier entry is preferred.
        if language in NOT_FOUND_TEXTS and weight > best_weight:
            best, best_weight = language, weight
    return best


def render_not_found(*, sandbox: bool, default_symbol: str, lang: str, symbol: str = "") -> str:
    """The 404 page: an unknown market when `symbol` is given, else an unknown address."""
    texts = NOT_FOUND_TEXTS[lang]
    name = html.escape(symbol)
    heading = texts["marketTitle"].format(symbol=name) if symbol else html.escape(texts["title"])
    text = texts["marketText"].format(symbol=name) if symbol else html.escape(texts["text"])
    main = (
        f'<section class="not-found panel" id="not-found"><h1>{heading}</h1><p>{text}</p>'
        f'<p><a class="button primary" href="/" id="to-markets">{texts["toMarkets"]}</a></p>'
        "</section>"
    )
    title = texts["marketTitle"].format(symbol=symbol) if symbol else texts["title"]
    return render_shell(
        "notfound",
        sandbox=sandbox,
        default_symbol=default_symbol,
        symbol=symbol,
        lang=lang,
        title=title,
        main=main,
    )


NOT_BUILT = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Assetport</title>
{ICON_LINK}</head><body><h1>The web pages are not built</h1><p>Run <code>make web</code> (or
<code>make run</code>, which builds them) and reload. The API works without them.</p>
</body></html>"""


# An icon is no secret and seldom changes: a day in any cache. `nosniff` keeps a browser
# from reading it as anything but an SVG image.
_ICON_HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


def _page(body: str, status: int = 200) -> Response:
    return HTMLResponse(body, status, headers=SECURITY_HEADERS)


def web_routes(
    *,
    sandbox: bool,
    symbols: Callable[[], Iterable[str]],
    market_fees: Callable[[], Mapping[str, tuple[int, int]]] = dict,
    tokens: Callable[[], Iterable[str]] = tuple,
) -> list[BaseRoute]:
    """The pages' routes. `symbols` lists the markets that exist now (listings change);
    `market_fees` their standard (maker, taker) rates in basis points, which /fees shows a
    visitor (an account's own rates come from the API once logged in); `tokens` the
    real-world-asset tokens listed now, each with an asset page (as have the codes of
    ASSET_PAGES, whose words the site has even where they are listed as plain coins)."""

    def default_symbol() -> str:
        return next(iter(sorted(symbols())), "")

    def shell(
        page: str, symbol: str = "", title: str = "", data: dict[str, str] | None = None
    ) -> Response:
        if not BUILT_MARKER.exists():
            return _page(NOT_BUILT, 503)
        return _page(
            render_shell(
                page,
                sandbox=sandbox,
                default_symbol=default_symbol(),
                symbol=symbol,
                title=title,
                data=data,
            )
        )

    def not_found(request: Request, symbol: str = "") -> Response:
        if not BUILT_MARKER.exists():
            return _page(NOT_BUILT, 503)
        lang = preferred_language(request.headers.get("accept-language"))
        page = render_not_found(
            sandbox=sandbox, default_symbol=default_symbol(), lang=lang, symbol=symbol
        )
        return _page(page, 404)

    async def markets(request: Request) -> Response:
        return shell("markets")

    async def trade(request: Request) -> Response:
        symbol = str(request.path_params["symbol"]).upper()
        if symbol not in set(symbols()):
            return not_found(request, symbol)
        if symbol != request.path_params["symbol"]:
            return RedirectResponse(f"/trade/{symbol}", 301)
        return shell("trade", symbol)

    def info(
        title: str, data: Callable[[], dict[str, str]] = dict
    ) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            return shell("info", title=title, data=data())

        return answer

    def standard_fees() -> dict[str, str]:
        rates = {symbol: list(pair) for symbol, pair in sorted(market_fees().items())}
        return {"market-fees": json.dumps(rates, separators=(",", ":"))}

    async def asset(request: Request) -> Response:
        code = str(request.path_params["code"]).upper()
        if code not in ASSET_PAGES and code not in set(tokens()):
            return not_found(request)
        if code != request.path_params["code"]:
            return RedirectResponse(f"/assets/{code}", 301)
        name = ASSET_PAGES.get(code)
        return shell("asset", title=f"{code}: {name}" if name else code)

    async def certificate(request: Request) -> Response:
        # Any number may be asked for: the page says when there is no such certificate.
        if not (str(request.path_params["id"]).isdigit() and len(request.path_params["id"]) <= 18):
            return not_found(request)
        return shell("certificate", title=f"{TITLES['certificate']} #{request.path_params['id']}")

    async def nft_collection(request: Request) -> Response:
        code = str(request.path_params["code"])
        if not COLLECTION_CODE.fullmatch(code):
            return not_found(request)
        return shell("nft_collection", title=f"{TITLES['nft_collection']} {code}")

    async def nft_item(request: Request) -> Response:
        code, token_id = str(request.path_params["code"]), str(request.path_params["token_id"])
        if not (COLLECTION_CODE.fullmatch(code) and _whole_number(token_id)):
            return not_found(request)
        return shell("nft_item", title=f"{code} #{token_id}")

    async def nft_drop(request: Request) -> Response:
        drop_id = str(request.path_params["id"])
        if not _whole_number(drop_id):
            return not_found(request)
        return shell("nft_drop", title=f"{TITLES['nft_drop']} #{drop_id}")

    async def wallet(request: Request) -> Response:
        return RedirectResponse("/wallet/deposit", 302)

    async def trade_default(request: Request) -> Response:
        return RedirectResponse(f"/trade/{default_symbol()}", 302)

    icon = FAVICON.read_bytes()

    async def favicon(request: Request) -> Response:
        return Response(icon, media_type="image/svg+xml", headers=_ICON_HEADERS)

    async def unknown_address(request: Request) -> Response:
        # A browser's visit to an address with no page gets one saying so; a program's
        # request (any other method, or an API path) gets the JSON it always got.
        path = request.url.path
        moved = _without_slash(request, catch_all)
        if moved is not None:
            return moved
        if request.method not in ("GET", "HEAD") or path.startswith(_API_PREFIXES):
            return _api_answer(request, catch_all)
        return not_found(request)

    # Last among the routes, and for every method: one matching only GET would turn another
    # method on an unknown path into a 405.
    catch_all = Route("/{path:path}", unknown_address, methods=_EVERY_METHOD)

    def simple(page: str) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            return shell(page)

        return answer

    async def verifier(request: Request) -> Response:
        # The stand-alone verifier users run on their own proofs: the very file the server
        # checks with, standard library only, to read before running.
        return Response(
            VERIFIER.read_bytes(),
            media_type="text/x-python; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="verify.py"'},
        )

    STATIC_DIR.mkdir(exist_ok=True)
    return [
        Route("/", markets),
        Route("/markets", markets),
        Route("/trade", trade_default),
        Route("/trade/{symbol}", trade),
        Route("/signup", simple("signup")),
        Route("/login", simple("login")),
        Route("/account", simple("account")),
        Route("/portfolio", simple("portfolio")),
        Route("/wallet", wallet),
        Route("/wallet/deposit", simple("deposit")),
        Route("/wallet/withdraw", simple("withdraw")),
        Route("/proof-of-reserves", simple("reserves")),
        Route("/proof-of-reserves/verify.py", verifier),
        Route("/verify", simple("verify")),
        Route("/reset-password", simple("reset")),
        # The mails the sandbox caught (sandbox/mail.py); a real server has no such page.
        *([Route("/sandbox/mail", simple("mail"))] if sandbox else []),
        *(
            Route(path, info(title, standard_fees if path == "/fees" else dict))
            for path, title in INFO_PAGES.items()
        ),
        *([Route("/sandbox", info(SANDBOX_EXPLAINER))] if sandbox else []),
        Route("/assets", simple("assets")),
        Route("/assets/certificates/{id}", certificate),
        Route("/assets/{code}", asset),
        # The operator's console: the page holds nothing secret; the admin token it asks
        # for is what every call it makes is judged by (api/rest_issuance.py).
        Route("/issuer", simple("issuer")),
        # The NFT marketplace: its fixed pages before a collection's code takes the path.
        Route("/nft", simple("nft")),
        Route("/nft/studio", simple("nft_studio")),
        Route("/nft/mine", simple("nft_mine")),
        Route("/nft/drops/{id}", nft_drop),
        Route("/nft/{code}", nft_collection),
        Route("/nft/{code}/{token_id}", nft_item),
        Route("/favicon.svg", favicon),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        catch_all,
    ]


def _whole_number(text: str) -> bool:
    """A token id or a drop id as a path writes it: digits only, within 64 bits."""
    digits = text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS
    return digits and int(text) <= MAX_TOKEN_ID


_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _without_slash(request: Request, catch_all: BaseRoute) -> Response | None:
    """Starlette's redirect of "/login/" to "/login", which a catch-all would otherwise
    take the place of: the redirect when the path without its last slash has a route."""
    path = request.scope["path"]
    if path == "/" or not path.endswith("/"):
        return None
    scope = {**request.scope, "path": path.rstrip("/")}
    for route in request.app.router.routes:
        if route is not catch_all and route.matches(scope)[0] is not Match.NONE:
            return RedirectResponse(request.url.replace(path=scope["path"]), 307)
    return None


def _api_answer(request: Request, catch_all: BaseRoute) -> Response:
    """What the app answered before the catch-all existed: 405 where another route has the
    path for other methods, else Binance's 404 JSON."""
    for route in request.app.router.routes:
        if route is catch_all:
            continue
        match, _ = route.matches(request.scope)
        if match is Match.PARTIAL:
            error = errors.METHOD_NOT_ALLOWED.error()
            return Response(error.body(), error.http_status, media_type="application/json")
    error = errors.UNKNOWN_ENDPOINT.error()
    return Response(error.body(), error.http_status, media_type="application/json")
