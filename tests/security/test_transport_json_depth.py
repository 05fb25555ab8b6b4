"""Issue 13: deeply nested JSON gave a 500 (`RecursionError`) on the account and operator
endpoints and dropped a `/ws` connection with a traceback. The depth (32) and size are
bounded before decoding: each endpoint answers its own 400 error, and a WebSocket stays
open for the next request."""

import json
from collections.abc import Iterator

import pytest
from exchange_server import ExchangeServer
from transport_support import WsClient, client_frame

DEEP = "[" * 5000 + "]" * 5000  # 10 KB: far inside the size limits, far too deep


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("depth") / "data") as running:
        yield running


@pytest.mark.parametrize("path", ["/api/v1/account/signup", "/api/v1/account/login"])
def test_the_account_endpoints_answer_400(server: ExchangeServer, path: str) -> None:
    status, answer = server.request(
        "POST", path, {"Content-Type": "application/json"}, DEEP.encode()
    )
    assert status == 400
    assert set(answer) == {"code", "msg"}


def test_the_operator_endpoints_answer_400(server: ExchangeServer) -> None:
    token = (server.data_dir / "admin.token").read_text().strip()
    body = '{"user_id": 1000, "asset": "KRW", "amount": ' + DEEP + "}"
    status, answer = server.request(
        "POST",
        "/api/v1/admin/deposits",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        body.encode(),
    )
    assert (status, answer["code"]) == (400, -1130)


def test_a_market_stream_answers_invalid_json_and_stays_open(server: ExchangeServer) -> None:
    client = WsClient(server.port, "/ws")
    client.send(client_frame(0x1, ('{"method": "SUBSCRIBE", "params": ' + DEEP + "}").encode()))
    answer = client.json()
    assert answer["id"] is None and answer["error"]["code"] == 3
    client.send(client_frame(0x1, b'{"method": "LIST_SUBSCRIPTIONS", "id": 2}'))
    assert client.json() == {"result": [], "id": 2}
    client.close()


def test_the_websocket_api_answers_400_and_stays_open(server: ExchangeServer) -> None:
    client = WsClient(server.port, "/ws-api/v3?returnRateLimits=false")
    request = '{"id": 1, "method": "ping", "params": {"x": ' + DEEP + "}}"
    client.send(client_frame(0x1, request.encode()))
    answer = client.json()
    assert (answer["status"], answer["error"]["code"]) == (400, -1102)
    client.send(client_frame(0x1, json.dumps({"id": 2, "method": "ping"}).encode()))
    assert client.json() == {"id": 2, "status": 200, "result": {}}
    client.close()
