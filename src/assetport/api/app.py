"""The ASGI application: Binance-compatible REST under /api/v3, market streams (/ws,
/stream) and the WebSocket API (/ws-api/v3), operator endpoints under /api/v1/admin, the
OpenAPI document (`openapi.py`, made for the markets listed at the time of the request) and
a docs page with the web pages' security headers."""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from assetport.api import (
    errors,
    rest_assets,
    rest_health,
    rest_market,
    rest_nft_drops,
    rest_nft_market,
    rest_nft_trade,
    rest_order_lists,
    rest_reserves,
    rest_trade,
    rest_wallet,
)
from assetport.api.gateway import Gateway
from assetport.api.http import Endpoint, Security, respond
from assetport.api.openapi import openapi_document
from assetport.api.rest_admin import EmailVerifier, admin_routes
from assetport.api.rest_documents import document_routes
from assetport.api.rest_issuance import issuance_routes
from assetport.api.rest_nft_media import nft_media_routes
from assetport.api.rest_nft_trade import nft_trade_routes
from assetport.api.security_headers import SECURITY_HEADERS
from assetport.api.ws_routes import Realtime, realtime
from assetport.edge.issuer_agents import IssuerAgents
from assetport.edge.keys import AdminToken
from assetport.edge.users import UserStore

REST_ENDPOINTS: tuple[Endpoint, ...] = (
    *rest_market.ENDPOINTS,
    *rest_health.ENDPOINTS,
    *rest_trade.ENDPOINTS,
    *rest_order_lists.ENDPOINTS,
    *rest_wallet.ENDPOINTS,
    *rest_reserves.ENDPOINTS,
    *rest_assets.ENDPOINTS,
    *rest_nft_market.ENDPOINTS,
    *rest_nft_trade.ENDPOINTS,
    *rest_nft_drops.ENDPOINTS,
)


def create_app(
    gateway: Gateway,
    users: UserStore,
    admin_token: AdminToken,
    extra_routes: list[BaseRoute] | None = None,
    live: Realtime | None = None,
    verifier: EmailVerifier | None = None,
    extra_endpoints: Sequence[Endpoint] = (),
    issuer_agents: IssuerAgents | None = None,
) -> Starlette:
    """The ASGI app: REST (with the faces' own Binance-style endpoints, `extra_endpoints`:
    the wallet's custody endpoints), the operator endpoints (the issuer's also open to the
    tokens of `issuer_agents`), the market streams. The WebSocket API's connections are
    served by `ws_server` (`live.ws_api`), below the ASGI layer."""
    routes: list[BaseRoute] = [*document_routes(gateway), *nft_media_routes(gateway)]
    live = live if live is not None else realtime(gateway)
    endpoints = (*REST_ENDPOINTS, *live.endpoints, *extra_endpoints)
    by_path: dict[str, dict[str, Endpoint]] = {}
    for endpoint in endpoints:
        by_path.setdefault(endpoint.path, {})[endpoint.method] = endpoint
    for path, methods in by_path.items():
        routes.append(Route(path, _dispatch(gateway, methods), methods=list(methods)))
    routes.extend(admin_routes(gateway, users, admin_token, verifier))
    routes.extend(issuance_routes(gateway, users, admin_token, issuer_agents))
    routes.extend(nft_trade_routes(gateway, users, admin_token))
    routes.extend(live.routes)
    # Listings change at run time: the document is made again when the markets have.
    encoded: dict[tuple[str, ...], bytes] = {}

    async def openapi(request: Request) -> Response:
        symbols = tuple(sorted(gateway.markets.symbols()))
        if symbols not in encoded:
            encoded.clear()
            encoded[symbols] = msgspec.json.encode(openapi_document(endpoints, symbols))
        return Response(encoded[symbols], media_type="application/json")

    async def docs(request: Request) -> Response:
        return HTMLResponse(_docs_page(endpoints), headers=SECURITY_HEADERS)

    routes.append(Route("/openapi.json", openapi))
    routes.append(Route("/docs", docs))
    routes.extend(extra_routes or [])
    app = Starlette(routes=routes)
    app.add_exception_handler(404, _not_found)
    app.add_exception_handler(405, _not_allowed)
    return app


def _dispatch(gateway: Gateway, methods: dict[str, Endpoint]) -> Any:
    """The route of one path. A path parameter (`/api/v1/assets/{asset}`) is one more
    parameter of the request, put ahead of its query: sent there too, it is a repeat
    (-1101). Only unsigned endpoints have them, since a signature covers the query as the
    client sent it."""
    for declared in methods.values():
        if "{" in declared.path and declared.security is not Security.NONE:
            raise ValueError(f"{declared.path}: a signed endpoint with a path parameter")

    async def endpoint(request: Request) -> Response:
        if request.path_params:
            query = request.scope["query_string"]
            given = urlencode(request.path_params).encode()
            request.scope["query_string"] = given + b"&" + query if query else given
        return await respond(gateway, methods[request.method], request)

    return endpoint


async def _not_found(request: Request, exc: Exception) -> Response:
    error = errors.UNKNOWN_ENDPOINT.error()
    return Response(error.body(), 404, media_type="application/json")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    error = errors.METHOD_NOT_ALLOWED.error()
    return Response(error.body(), 405, media_type="application/json")


def _docs_page(endpoints: tuple[Endpoint, ...]) -> str:
    rows = "\n".join(
        f"<tr><td>{e.method}</td><td><code>{e.path}</code></td><td>{e.security.value}</td>"
        f"<td>{e.summary}</td><td>{', '.join(p.name for p in e.params)}</td></tr>"
        for e in endpoints
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Assetport API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:2rem;background:#0f1115;color:#e6e6e6}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #333;padding:.4rem;
text-align:left;vertical-align:top}}code{{color:#f0b90b}}a{{color:#f0b90b}}</style></head>
<body><h1>Assetport API</h1>
<p>The Binance Spot API: point an existing client at this server's base URL. Signed
endpoints take an <code>X-MBX-APIKEY</code> header and a <code>signature</code> over the
query string and body, exactly as Binance. The machine-readable description is
<a href="/openapi.json">/openapi.json</a>.</p>
<table><tr><th>Method</th><th>Path</th><th>Security</th><th>What</th><th>Parameters</th></tr>
{rows}
</table></body></html>"""
