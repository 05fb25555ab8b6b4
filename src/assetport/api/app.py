"""The ASGI application: Binance-compatible REST under /api/v3, market streams (/ws,
/stream) and the WebSocket API (/ws-api/v3), operator endpoints under /api/v1/admin, the
OpenAPI document and a docs page."""

from typing import Any

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from assetport.api import errors, rest_market, rest_trade
from assetport.api.gateway import Gateway
from assetport.api.http import Endpoint, Security, respond
from assetport.api.keys import AdminToken
from assetport.api.rest_admin import admin_routes
from assetport.api.users import UserStore
from assetport.api.ws_routes import Realtime, realtime

REST_ENDPOINTS: tuple[Endpoint, ...] = (*rest_market.ENDPOINTS, *rest_trade.ENDPOINTS)


def create_app(
    gateway: Gateway,
    users: UserStore,
    admin_token: AdminToken,
    extra_routes: list[BaseRoute] | None = None,
    live: Realtime | None = None,
) -> Starlette:
    """The ASGI app: REST, the operator endpoints, the market streams. The WebSocket API's
    connections are served by `ws_server` (`live.ws_api`), below the ASGI layer."""
    routes: list[BaseRoute] = []
    live = live if live is not None else realtime(gateway)
    endpoints = (*REST_ENDPOINTS, *live.endpoints)
    by_path: dict[str, dict[str, Endpoint]] = {}
    for endpoint in endpoints:
        by_path.setdefault(endpoint.path, {})[endpoint.method] = endpoint
    for path, methods in by_path.items():
        routes.append(Route(path, _dispatch(gateway, methods), methods=list(methods)))
    routes.extend(admin_routes(gateway, users, admin_token))
    routes.extend(live.routes)
    document = openapi_document(endpoints)
    encoded = msgspec.json.encode(document)

    async def openapi(request: Request) -> Response:
        return Response(encoded, media_type="application/json")

    async def docs(request: Request) -> Response:
        return HTMLResponse(_docs_page(endpoints))

    routes.append(Route("/openapi.json", openapi))
    routes.append(Route("/docs", docs))
    routes.extend(extra_routes or [])
    app = Starlette(routes=routes)
    app.add_exception_handler(404, _not_found)
    app.add_exception_handler(405, _not_allowed)
    return app


def _dispatch(gateway: Gateway, methods: dict[str, Endpoint]) -> Any:
    async def endpoint(request: Request) -> Response:
        return await respond(gateway, methods[request.method], request)

    return endpoint


async def _not_found(request: Request, exc: Exception) -> Response:
    error = errors.ApiError(-1000, "Unknown endpoint.", 404)
    return Response(error.body(), 404, media_type="application/json")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    error = errors.ApiError(-1000, "Method not allowed for this endpoint.", 405)
    return Response(error.body(), 405, media_type="application/json")


def openapi_document(endpoints: tuple[Endpoint, ...]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation: dict[str, Any] = {
            "summary": endpoint.summary,
            "operationId": f"{endpoint.method.lower()}{endpoint.path.replace('/', '_')}",
            "parameters": [
                {
                    "name": param.name,
                    "in": "query",
                    "required": param.required,
                    "schema": {"type": param.type},
                    **({"description": param.description} if param.description else {}),
                }
                for param in endpoint.params
            ],
            "responses": {
                "200": {"description": "Success", "content": {"application/json": {}}},
                "4XX": {
                    "description": 'Binance-style error: {"code": -1121, "msg": "..."}',
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
        if endpoint.security is not Security.NONE:
            operation["security"] = [{"ApiKey": []}]
            operation["description"] = (
                f"{endpoint.security.value}: signed with HMAC-SHA256 or Ed25519 over the "
                "query string and body; needs timestamp and signature."
                if endpoint.security in (Security.TRADE, Security.USER_DATA)
                else f"{endpoint.security.value}: the X-MBX-APIKEY header only, no signature."
            )
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Assetport API",
            "version": "1",
            "description": "Binance Spot compatible REST API of the Assetport exchange.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-MBX-APIKEY"}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"code": {"type": "integer"}, "msg": {"type": "string"}},
                    "required": ["code", "msg"],
                }
            },
        },
    }


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
