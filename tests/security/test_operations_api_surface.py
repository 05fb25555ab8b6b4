"""The API's surface (issue 13, operations): a stream name with a trailing newline (or any
character outside the grammar) is not a second stream; `/docs` carries the pages' security
headers; `/openapi.json` declares the session-cookie authentication and the parameters'
constraints, so schema-driven clients and fuzzers can use it."""

import asyncio
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
import websockets
from exchange_server import ExchangeServer

from assetport.accounts.sessions import COOKIE_NAME
from assetport.marketdata.streams import Stream, parse_stream

VALID = [
    "kgldkrw@trade", "kgldkrw@aggTrade", "kgldkrw@kline_1m", "kgldkrw@miniTicker",
    "kgldkrw@ticker", "kgldkrw@bookTicker", "kgldkrw@avgPrice", "kgldkrw@depth",
    "kgldkrw@depth@100ms", "kgldkrw@depth5", "kgldkrw@depth20@100ms", "!ticker@arr",
    "!miniTicker@arr",
]  # fmt: skip
SYMBOLS = {"KGLDKRW"}


@pytest.mark.parametrize("name", VALID)
@pytest.mark.parametrize("extra", ["\n", "\r\n", " ", "\t", "\x00"])
def test_a_name_with_a_character_outside_the_grammar_is_refused(name: str, extra: str) -> None:
    assert isinstance(parse_stream(name, SYMBOLS), Stream)
    for variant in (name + extra, extra + name, name.replace("@", extra + "@", 1)):
        assert isinstance(parse_stream(variant, SYMBOLS), str), repr(variant)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("surface") / "data") as running:
        yield running


def test_a_trailing_newline_does_not_subscribe_a_second_stream(server: ExchangeServer) -> None:
    async def ask(ws: Any, message: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0.25)  # 5 messages a second per connection
        await ws.send(json.dumps(message))
        while True:
            answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if "id" in answer:
                return answer

    async def scenario() -> None:
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws/0") as ws:
            ok = await ask(ws, {"method": "SUBSCRIBE", "params": ["kgldkrw@depth"], "id": 1})
            assert ok == {"result": None, "id": 1}
            again = {"method": "SUBSCRIBE", "params": ["kgldkrw@depth\n"], "id": 2}
            refused = await ask(ws, again)
            assert refused["id"] == 2 and refused["error"]["code"] == 2, refused
            listed = await ask(ws, {"method": "LIST_SUBSCRIPTIONS", "id": 3})
            assert listed == {"result": ["kgldkrw@depth"], "id": 3}

    asyncio.run(scenario())


def _get(server: ExchangeServer, path: str) -> tuple[int, Message, bytes]:
    """Status, headers (names compared case-insensitively) and body."""
    request = urllib.request.Request(server.base_url + path)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:  # the pages answer 503 before `make web`
        return error.code, error.headers, error.read()


def test_docs_carry_the_pages_security_headers(server: ExchangeServer) -> None:
    _, page_headers, _ = _get(server, "/login")
    status, docs_headers, body = _get(server, "/docs")
    assert status == 200 and b"/openapi.json" in body
    shared = ["Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
              "Referrer-Policy"]  # fmt: skip
    assert "frame-ancestors 'none'" in page_headers.get("Content-Security-Policy", "")
    for name in shared:
        assert docs_headers.get(name) == page_headers.get(name), name


@pytest.fixture(scope="module")
def document(server: ExchangeServer) -> dict[str, Any]:
    status, _, body = _get(server, "/openapi.json")
    assert status == 200
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def _parameter(document: dict[str, Any], method: str, path: str, name: str) -> dict[str, Any]:
    operation = document["paths"][path][method]
    found: dict[str, Any] = next(p for p in operation["parameters"] if p["name"] == name)
    return found


def test_openapi_declares_the_session_cookie_and_its_csrf_header(
    document: dict[str, Any],
) -> None:
    schemes = document["components"]["securitySchemes"]
    cookie = next(s for s in schemes.values() if s.get("in") == "cookie")
    assert cookie == {**cookie, "type": "apiKey", "name": COOKIE_NAME}
    csrf = next(s for s in schemes.values() if s.get("name") == "X-CSRF-Token")
    assert csrf["in"] == "header"
    names = {scheme["name"]: key for key, scheme in schemes.items()}
    cookie_key, csrf_key, key_key = names[COOKIE_NAME], names["X-CSRF-Token"], names["X-MBX-APIKEY"]
    place = document["paths"]["/api/v3/order"]["post"]["security"]
    assert {key_key: []} in place and {cookie_key: [], csrf_key: []} in place
    read = document["paths"]["/api/v3/openOrders"]["get"]["security"]
    assert {key_key: []} in read and {cookie_key: []} in read
    assert "security" not in document["paths"]["/api/v3/depth"]["get"]
    # A session request is not signed: timestamp and signature are not required then.
    assert not _parameter(document, "post", "/api/v3/order", "timestamp")["required"]


def test_openapi_declares_the_parameter_constraints(
    server: ExchangeServer, document: dict[str, Any]
) -> None:
    status, info = server.request("GET", "/api/v3/exchangeInfo")
    assert status == 200
    listed = sorted(symbol["symbol"] for symbol in info["symbols"])

    def schema(method: str, path: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = _parameter(document, method, path, name)["schema"]
        return found

    assert schema("get", "/api/v3/depth", "symbol")["enum"] == listed
    assert schema("post", "/api/v3/order", "symbol")["enum"] == listed
    assert set(schema("post", "/api/v3/order", "side")["enum"]) == {"BUY", "SELL"}
    assert {"LIMIT", "MARKET", "STOP_LOSS_LIMIT"} <= set(
        schema("post", "/api/v3/order", "type")["enum"]
    )
    assert set(schema("post", "/api/v3/order", "timeInForce")["enum"]) == {"GTC", "IOC", "FOK"}
    assert set(schema("post", "/api/v3/order", "newOrderRespType")["enum"]) == {
        "ACK", "RESULT", "FULL",
    }  # fmt: skip
    assert "EXPIRE_MAKER" in schema("post", "/api/v3/order", "selfTradePreventionMode")["enum"]
    assert {"1s", "1m", "1h", "1d", "1w", "1M"} <= set(
        schema("get", "/api/v3/klines", "interval")["enum"]
    )
    for name in ("price", "quantity", "stopPrice"):
        amount = schema("post", "/api/v3/order", name)
        assert amount["type"] == "string"
        pattern = re.compile(amount["pattern"])
        assert pattern.search("130000") and pattern.search("0.0001")
        assert not any(pattern.search(bad) for bad in ("1e5", "-1", "1,5", "NaN", ".5"))
    order_id = schema("get", "/api/v3/order", "orderId")
    assert order_id["type"] == "integer" and order_id["minimum"] == 0
