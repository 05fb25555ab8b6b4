"""Issue 13, "WebSocket fragments": a message sent as tens of thousands of empty continuation
frames froze every client of `/ws-api/v3` for seconds (quadratic reassembly) and grew
memory without a bound on the market streams. Every WebSocket path now refuses a message in
too many fragments (1008) or too large (1009), and a flood of control frames (1008), as
soon as it breaks the limit; a fragmented message within the limits still gets through."""

import contextlib
import json
import struct
from collections.abc import Iterator

import pytest
from exchange_server import ExchangeServer
from transport_support import WsClient, client_frame, connect

PATHS = ["/ws-api/v3", "/ws", "/stream?streams=btcusdt@trade"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("fragments") / "data") as running:
        yield running


def fragmented(text: bytes, parts: int) -> bytes:
    """`text` as a text frame and `parts - 1` continuation frames."""
    size = -(-len(text) // parts)
    pieces = [text[i * size : (i + 1) * size] for i in range(parts)]
    return b"".join(
        client_frame(0x1 if i == 0 else 0x0, piece, final=i == parts - 1)
        for i, piece in enumerate(pieces)
    )


@pytest.mark.parametrize("path", PATHS)
def test_forty_thousand_empty_fragments_close_the_connection_with_1008(
    server: ExchangeServer, path: str
) -> None:
    client = WsClient(server.port, path)
    empty = client_frame(0x0, b"", final=False)
    client.send(client_frame(0x1, b"{", final=False) + empty * 40_000 + client_frame(0x0, b"}"))
    assert client.close_code() == 1008
    client.close()
    # Nobody else waited on it: a new client is answered at once.
    assert server.request("GET", "/api/v3/ping") == (200, {})


@pytest.mark.parametrize("path", PATHS)
def test_fragments_sent_with_the_handshake_are_held_to_the_same_limit(
    server: ExchangeServer, path: str
) -> None:
    """As the issue's hostile client does: the upgrade request and the frames in one write."""
    empty = client_frame(0x0, b"", final=False)
    frames = client_frame(0x1, b"{", final=False) + empty * 40_000 + client_frame(0x0, b"}")
    with connect(server.port) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n".encode()
                + b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + b"Sec-WebSocket-Version: 13\r\n\r\n"
                + frames
            )
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                answer += chunk
    if path.startswith("/ws-api/v3") or answer:
        assert answer.startswith(b"HTTP/1.1 101 ")
        close = answer[answer.index(b"\r\n\r\n") + 4 :]
        assert close[:1] == b"\x88" and struct.unpack("!H", close[2:4])[0] == 1008
    # else: a market stream's handshake is answered once the app accepts it; a client
    # that broke the limit before that is dropped without an answer.


@pytest.mark.parametrize("path", PATHS)
def test_a_message_too_large_in_fragments_is_1009(server: ExchangeServer, path: str) -> None:
    client = WsClient(server.port, path)
    piece = b"x" * 16_000
    client.send(client_frame(0x1, b'{"a":"', final=False))
    client.send(b"".join(client_frame(0x0, piece, final=False) for _ in range(6)))  # 96 KB
    assert client.close_code() == 1009
    client.close()


@pytest.mark.parametrize("path", PATHS)
def test_a_flood_of_pings_closes_the_connection_with_1008(
    server: ExchangeServer, path: str
) -> None:
    client = WsClient(server.port, path)
    client.send(client_frame(0x9, b"hi") * 500)
    assert client.close_code() == 1008
    client.close()


def test_a_request_in_twenty_fragments_is_answered_by_the_websocket_api(
    server: ExchangeServer,
) -> None:
    client = WsClient(server.port, "/ws-api/v3?returnRateLimits=false")
    client.send(fragmented(json.dumps({"id": "frag", "method": "time"}).encode(), 20))
    answer = client.json()
    assert answer["id"] == "frag" and answer["status"] == 200
    client.close()


def test_a_subscription_in_twenty_fragments_is_acknowledged_by_the_market_streams(
    server: ExchangeServer,
) -> None:
    client = WsClient(server.port, "/ws")
    command = {"method": "SUBSCRIBE", "params": ["btcusdt@trade"], "id": 7}
    client.send(fragmented(json.dumps(command).encode(), 20))
    assert client.json() == {"result": None, "id": 7}
    client.close()
