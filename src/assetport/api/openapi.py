"""The OpenAPI document of the REST API (`/openapi.json`), for schema-driven clients and
fuzzers.

It says what the server checks, so generated requests can reach past the parameter checks:

- authentication: the `X-MBX-APIKEY` header (with a signature for USER_DATA and TRADE), or
  a logged-in web session's cookie, plus the session's `X-CSRF-Token` header on a request
  that changes state (see docs/accounts.md);
- each parameter's constraints, by its Binance name: the listed symbols as an enum (known
  only at run time, so the document is made for the symbols listed now), the order
  vocabulary's enums (side, type, timeInForce, newOrderRespType, selfTradePreventionMode,
  cancel-replace modes, kline intervals), and decimal amounts as the decimal-string
  pattern the parser accepts (amounts are never JSON numbers: they are exact);
- an example for the parameters of a plain limit order (the first listed symbol, BUY,
  LIMIT, GTC, 1 at 100000), so a client or fuzzer trying the examples places one order.
"""

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, Final

from assetport.api import rest_nft_media, rest_nft_trade
from assetport.api.http import Endpoint, ParamDoc, Security
from assetport.api.params import (
    CLIENT_ORDER_ID_RANGE,
    DECIMAL_RANGE,
    INT64_MAX,
    KLINE_INTERVALS,
    SYMBOL_RANGE,
    SYMBOLS_RANGE,
    CancelReplaceMode,
    NewOrderRespType,
)
from assetport.domain.nft.collections import COLLECTION_CODE, Standard
from assetport.domain.nft.trading import AuctionKind
from assetport.domain.orders import (
    CancelRestriction,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from assetport.edge.nft_media import CONTENT_TYPES

# The accounts package's session cookie (accounts/sessions.py COOKIE_NAME; that package is a
# floor above this one, a test holds the two equal) and its CSRF header.
SESSION_COOKIE: Final = "ap_session"
CSRF_HEADER: Final = "X-CSRF-Token"
API_KEY_HEADER: Final = "X-MBX-APIKEY"

_SESSION_SECURITY: Final = (
    Security.USER_DATA,
    Security.TRADE,
    Security.WITHDRAW,
    Security.USER_STREAM,
)
_SIGNED: Final = (Security.USER_DATA, Security.TRADE, Security.WITHDRAW)
# Parameters of a signed request that a session request does not need (it has no signature).
_SIGNATURE_PARAMS: Final = frozenset({"timestamp", "signature", "recvWindow"})


def _enum(values: Iterable[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _members(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


_DECIMAL: Final[dict[str, Any]] = {"type": "string", "pattern": DECIMAL_RANGE}
_CLIENT_ID: Final[dict[str, Any]] = {"type": "string", "pattern": CLIENT_ORDER_ID_RANGE}
_BOOLEAN: Final[dict[str, Any]] = _enum(["true", "false"])

# By the parameter's Binance name: its meaning, and so its constraints, are the same on
# every endpoint that takes it.
_BY_NAME: Final[dict[str, dict[str, Any]]] = {
    "symbols": {"type": "string", "pattern": SYMBOLS_RANGE},
    "side": _enum(_members(Side)),
    "type": _enum(_members(OrderType)),
    "timeInForce": _enum(_members(TimeInForce)),
    "newOrderRespType": _enum(_members(NewOrderRespType)),
    "selfTradePreventionMode": _enum(_members(SelfTradePrevention)),
    "cancelReplaceMode": _enum(_members(CancelReplaceMode)),
    "cancelRestrictions": _enum(_members(CancelRestriction)),
    "interval": _enum(sorted(KLINE_INTERVALS)),
    "symbolStatus": _enum(["TRADING", "HALT", "BREAK", "END_OF_DAY", "CANCEL_ONLY"]),
    "price": _DECIMAL,
    "quantity": _DECIMAL,
    "quoteOrderQty": _DECIMAL,
    "stopPrice": _DECIMAL,
    "icebergQty": _DECIMAL,
    "newQty": _DECIMAL,
    "recvWindow": {"type": "string", "pattern": r"^[0-9]{1,5}(\.[0-9]{1,3})?$"},
    "newClientOrderId": _CLIENT_ID,
    "origClientOrderId": _CLIENT_ID,
    "cancelNewClientOrderId": _CLIENT_ID,
    "cancelOrigClientOrderId": _CLIENT_ID,
    "computeCommissionRates": _BOOLEAN,
    "omitZeroBalances": _BOOLEAN,
    "windowSize": {"type": "string", "pattern": "^[1-9][0-9]?[mhd]$"},
    "timeZone": {"type": "string", "pattern": "^[+-]?[0-9]{1,2}(:[0-9]{2})?$"},
    # HMAC-SHA256 as 64 hex digits, Ed25519 as base64 of 64 bytes.
    "signature": {"type": "string", "pattern": "^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{86}==)$"},
    # Issuance (api/rest_assets.py) and the wallet: decimal amounts, a holder's reference.
    "amount": _DECIMAL,
    "clientRef": _CLIENT_ID,
    "physical": _BOOLEAN,
    # The NFT market's public reads (api/rest_nft_market.py).
    "listed": _BOOLEAN,
    "code": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$"},
    # NFT media (api/rest_nft_media.py): a file's SHA-256.
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
}
# Together, the parameters of a limit order most markets take (tick and step sizes of 1 or
# less, notional above their minimum); the others have none, so an example leaves them out.
_EXAMPLES: Final[dict[str, str]] = {
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "price": "100000",
    "quantity": "1",
    "newOrderRespType": "RESULT",
    "cancelReplaceMode": "STOP_ON_FAILURE",
    "interval": "1h",
    "windowSize": "1d",
    "timeZone": "+09:00",
    "recvWindow": "5000",
}
_INTEGER: Final[dict[str, Any]] = {
    "type": "integer",
    "format": "int64",
    "minimum": 0,
    "maximum": INT64_MAX,
}


def _schema(param: ParamDoc, symbols: Sequence[str]) -> dict[str, Any]:
    if param.name == "symbol":
        schema: dict[str, Any] = {"type": "string", "pattern": SYMBOL_RANGE}
        if symbols:
            schema["enum"] = list(symbols)
        return schema
    if param.name in _BY_NAME:
        return dict(_BY_NAME[param.name])
    if param.type == "integer":
        return dict(_INTEGER)
    return {"type": param.type}


def _parameter(param: ParamDoc, endpoint: Endpoint, symbols: Sequence[str]) -> dict[str, Any]:
    security = endpoint.security
    # A path parameter (`/api/v1/assets/{asset}`) is always required, and in the path.
    in_path = f"{{{param.name}}}" in endpoint.path
    required = param.required or in_path
    description = param.description
    if security in _SIGNED and param.name in _SIGNATURE_PARAMS:
        # Required with an API key, absent with the session cookie: OpenAPI cannot say
        # "required for one security scheme", so the description does.
        required = False
        description = (
            f"{description + '. ' if description else ''}With an API key: "
            + ("required." if param.required else "optional.")
            + " With the session cookie: not needed."
        )
    example = symbols[0] if param.name == "symbol" and symbols else _EXAMPLES.get(param.name)
    return {
        "name": param.name,
        "in": "path" if in_path else "query",
        "required": required,
        "schema": _schema(param, symbols),
        **({"description": description} if description else {}),
        **({"example": example} if example is not None else {}),
    }


def _security(endpoint: Endpoint) -> list[dict[str, list[str]]]:
    if endpoint.security is Security.NONE:
        return []
    schemes: list[dict[str, list[str]]] = [{"ApiKey": []}]
    if endpoint.security in _SESSION_SECURITY:
        session: dict[str, list[str]] = {"SessionCookie": []}
        if endpoint.method != "GET":
            session["CsrfToken"] = []
        schemes.append(session)
    return schemes


def _description(security: Security) -> str:
    if security in _SIGNED:
        return (
            f"{security.value}: with an API key, signed with HMAC-SHA256 or Ed25519 over the "
            "query string and body (timestamp and signature); or with a logged-in web "
            f"session's cookie, and its {CSRF_HEADER} header unless the method is GET."
        )
    if security is Security.USER_STREAM:
        return (
            f"{security.value}: the {API_KEY_HEADER} header only, no signature; or a web "
            f"session's cookie (and its {CSRF_HEADER} header unless the method is GET)."
        )
    return f"{security.value}: the {API_KEY_HEADER} header only, no signature."


def openapi_document(endpoints: Sequence[Endpoint], symbols: Sequence[str]) -> dict[str, Any]:
    """The document for `endpoints`, with `symbols` (the markets listed now) as the enum of
    every `symbol` parameter."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in (*endpoints, *rest_nft_media.ENDPOINTS, *rest_nft_trade.ROUTED):
        operation: dict[str, Any] = {
            "summary": endpoint.summary,
            "operationId": f"{endpoint.method.lower()}{endpoint.path.replace('/', '_')}",
            "parameters": [_parameter(p, endpoint, symbols) for p in endpoint.params],
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
            operation["security"] = _security(endpoint)
            operation["description"] = _description(endpoint.security)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    _describe_nft_media(paths)
    _describe_nft_trade(paths)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Assetport API",
            "version": "1",
            "description": "Binance Spot compatible REST API of the Assetport exchange. "
            "Times are milliseconds; a request with the header X-MBX-TIME-UNIT: MICROSECOND "
            "gets every time of its answer in microseconds (any other unit: -1194).",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER},
                "SessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": "A logged-in web session (POST /api/v1/account/login).",
                },
                "CsrfToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": CSRF_HEADER,
                    "description": "The session's CSRF token (csrfToken of "
                    "GET /api/v1/account/me); needed with the cookie unless the method is GET.",
                },
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


def _describe_nft_media(paths: dict[str, dict[str, Any]]) -> None:
    """NFT media are bytes, not parameters: the upload's body is the image, and a read
    answers the image itself."""
    image: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
    images = {content_type: image for content_type in CONTENT_TYPES}
    upload = paths[rest_nft_media.PATH]["post"]
    upload["requestBody"] = {
        "required": True,
        "description": "The image's bytes; Content-Type the type they are (or left out).",
        "content": images,
    }
    upload["responses"]["200"]["content"]["application/json"] = {
        "schema": {
            "type": "object",
            "properties": {
                "sha256": {"type": "string"},
                "contentType": {"type": "string", "enum": list(CONTENT_TYPES)},
                "size": {"type": "integer"},
                "width": {"type": "integer"},
                "height": {"type": "integer"},
                "url": {"type": "string"},
            },
            "required": ["sha256", "contentType", "size", "width", "height", "url"],
        }
    }
    read = paths[rest_nft_media.ITEM_PATH]["get"]
    read["responses"]["200"] = {"description": "The image", "content": images}


# The NFT marketplace's own parameters (api/rest_nft_trade.py), on its paths only: names such
# as `kind` mean other things elsewhere.
_NFT_TRADE_SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    "standard": _enum(_members(Standard)),
    "kind": _enum(_members(AuctionKind)),
    "collection": {"type": "string", "pattern": f"^{COLLECTION_CODE.pattern}$"},
    "code": {"type": "string", "pattern": f"^{COLLECTION_CODE.pattern}$"},
    "cover": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "startPrice": _DECIMAL,
    "endPrice": _DECIMAL,
    "reservePrice": _DECIMAL,
    "buyNowPrice": _DECIMAL,
}


def _describe_nft_trade(paths: dict[str, dict[str, Any]]) -> None:
    """The marketplace's enums and patterns, on its own operations' parameters."""
    for endpoint in (*rest_nft_trade.ENDPOINTS, *rest_nft_trade.ROUTED):
        operation = paths[endpoint.path][endpoint.method.lower()]
        for parameter in operation["parameters"]:
            schema = _NFT_TRADE_SCHEMAS.get(parameter["name"])
            if schema is not None:
                parameter["schema"] = dict(schema)
