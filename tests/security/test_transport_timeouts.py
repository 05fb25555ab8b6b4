"""Issue 13, "Timeouts": idle sockets were held forever (200 of them locked every new client
out once the file limit was near), and market-stream clients that never read were never
dropped. Now a connection that sends nothing, or trickles a request, is closed after
`request_timeout_s` (408 for a request begun); an address holds at most
`connections_per_address` connections (-1034, 429, beyond: WebSockets included); and a
WebSocket client that stops reading is dropped once what waits for it (the kernel's send
queue and the server's buffer) passes `ws_max_queued_bytes`.

The server runs with small limits from its listing file's `[limits]` table."""

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from exchange_server import ExchangeServer
from transport_support import (
    WsClient,
    client_frame,
    closed_by_server,
    connect,
    exchange,
    listing_file,
    read_answer,
)

LIMITS = {
    "request_timeout_s": 1,
    "connections_per_address": 6,
    "ws_max_queued_bytes": 32768,
    "ws_send_buffer_bytes": 4096,
}
PING = b"GET /api/v3/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    root = tmp_path_factory.mktemp("timeouts")
    config = listing_file(root / "listing.toml", LIMITS)
    with ExchangeServer(root / "data", "--config", str(config), "--demo") as running:
        yield running


def test_a_connection_that_sends_nothing_is_closed(server: ExchangeServer) -> None:
    with connect(server.port, timeout=15) as sock:
        assert sock.recv(1) == b""  # closed by the server, without a word


def test_a_trickled_request_head_is_answered_408(server: ExchangeServer) -> None:
    with connect(server.port, timeout=15) as sock:
        sock.sendall(b"GET /api/v3/ping HTTP/1.1\r\nX-Slow: ")
        sock.settimeout(0.2)
        answer = None
        for _ in range(75):  # a byte every 0.2 s, for up to 15 s
            try:
                sock.sendall(b"s")
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.settimeout(5)
        answer = read_answer(sock)
        assert answer.status == 408
        assert answer.json()["code"] == -1000
        assert closed_by_server(sock)


def test_line_ends_after_an_answer_do_not_keep_the_connection_open(
    server: ExchangeServer,
) -> None:
    """The parser skips empty lines without starting a request, and any byte ends the
    keep-alive wait: they must make a request in time, as any other byte."""
    with connect(server.port, timeout=15) as sock:
        sock.sendall(PING)
        assert read_answer(sock).status == 200
        sock.sendall(b"\r\n")
        assert read_answer(sock).status == 408
        assert closed_by_server(sock)


def test_an_address_holds_at_most_its_connections_websockets_included(
    server: ExchangeServer,
) -> None:
    streams = [WsClient(server.port, "/ws") for _ in range(LIMITS["connections_per_address"])]
    try:
        answer = exchange(server.port, PING)
        assert answer.status == 429
        assert answer.json() == {
            "code": -1034,
            "msg": "Too many concurrent connections; current limit is '6'.",
        }
        streams.pop().close()
        for _ in range(50):  # the server sees the close a moment later
            answer = exchange(server.port, PING)
            if answer.status == 200:
                break
            time.sleep(0.1)
        assert answer.status == 200
    finally:
        for stream in streams:
            stream.close()


def test_a_market_stream_client_that_stops_reading_is_dropped(server: ExchangeServer) -> None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window, soon full
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    symbols = ["kgldkrw", "kslvkrw", "kcukrw", "koilkrw", "btckrw", "ethkrw", "btcusdt"]
    names = "/".join(f"{s}@depth20@100ms/{s}@bookTicker/{s}@trade" for s in symbols)
    sock.sendall(
        f"GET /stream?streams={names} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n".encode()
        + b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    time.sleep(8)  # the demo's market makers keep the streams busy; this client reads nothing
    dropped = False
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                dropped = True
                break
    except ConnectionResetError:
        dropped = True
    finally:
        sock.close()
    assert dropped


def test_a_websocket_api_client_that_stops_reading_is_dropped(server: ExchangeServer) -> None:
    client = WsClient(server.port, "/ws-api/v3")
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    request = client_frame(0x1, json.dumps({"id": 1, "method": "time"}).encode())
    client.send(request * 2000)  # 2000 answers of ~200 bytes, none of them read for now
    time.sleep(3)
    answers = 0
    try:
        while True:
            opcode, _ = client.frame()
            if opcode == 0x8:
                break
            answers += 1
    except (ConnectionError, TimeoutError):
        pass
    finally:
        client.close()
    assert answers < 2000  # dropped (1013) long before all were sent


def test_the_limits_of_the_listing_file_are_checked(tmp_path: Path) -> None:
    config = listing_file(tmp_path / "listing.toml", {"request_timeout": 5})
    server = ExchangeServer(tmp_path / "data", "--config", str(config))
    try:
        with pytest.raises(RuntimeError, match="unknown limit 'request_timeout'"):
            server.start()
    finally:
        server.stop()  # had it started after all
