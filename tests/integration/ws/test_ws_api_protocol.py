"""The WebSocket API's connections are served by the gateway's own RFC 6455 code
(`api/ws_server.py`): what a client's library relies on, frame by frame, over a raw socket
against a real server: the handshake, fragmented and pipelined requests, ping and pong,
the close handshake, and the refusals (unmasked frames, invalid UTF-8, a bad handshake)."""

import asyncio
import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from ws_support import ExchangeServer

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("wsproto") / "data") as running:
        yield running


def client_frame(opcode: int, payload: bytes, *, final: bool = True, mask: bool = True) -> bytes:
    first = (0x80 if final else 0) | opcode
    key = os.urandom(4) if mask else b""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", first, (0x80 if mask else 0) | n)
    else:
        head = struct.pack("!BBH", first, (0x80 if mask else 0) | 126, n)
    if not mask:
        return head + payload
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class RawClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, server: ExchangeServer, headers: str | None = None) -> "RawClient":
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        key = base64.b64encode(os.urandom(16))
        writer.write(
            b"GET /ws-api/v3?returnRateLimits=false HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + (
                headers.encode()
                if headers is not None
                else b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + key
                + b"\r\nSec-WebSocket-Version: 13\r\n"
            )
            + b"\r\n"
        )
        client = cls(reader, writer)
        client.head = (await reader.readuntil(b"\r\n\r\n")).decode()
        client.expected_accept = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        return client

    head: str
    expected_accept: str

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def frame(self) -> tuple[int, bytes]:
        first, second = await self.reader.readexactly(2)
        assert not second & 0x80, "server frames are not masked"
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        return first & 0x0F, await self.reader.readexactly(length)

    async def answer(self) -> Any:
        opcode, payload = await self.frame()
        while opcode == 0x9:  # the server's keep-alive ping
            opcode, payload = await self.frame()
        assert opcode == 0x1
        return json.loads(payload)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def run(scenario: Any) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_handshake_and_requests_answered_in_order(server: ExchangeServer) -> None:
    async def scenario() -> None:
        client = await RawClient.connect(server)
        assert client.head.startswith("HTTP/1.1 101 ")
        assert f"Sec-WebSocket-Accept: {client.expected_accept}" in client.head
        # Three requests in one write: three answers, in order.
        client.send(
            b"".join(
                client_frame(0x1, json.dumps({"id": n, "method": "ping"}).encode())
                for n in (1, 2, 3)
            )
        )
        assert [(await client.answer())["id"] for _ in range(3)] == [1, 2, 3]
        await client.close()

    run(scenario)


def test_a_fragmented_request_and_a_ping_between_its_fragments(server: ExchangeServer) -> None:
    async def scenario() -> None:
        client = await RawClient.connect(server)
        text = json.dumps({"id": "frag", "method": "time"}).encode()
        client.send(client_frame(0x1, text[:10], final=False))
        client.send(client_frame(0x9, b"hello"))  # control frames may come between
        client.send(client_frame(0x0, text[10:]))
        opcode, payload = await client.frame()
        while opcode == 0x9:
            opcode, payload = await client.frame()
        assert (opcode, payload) == (0xA, b"hello")
        answer = await client.answer()
        assert answer["id"] == "frag" and answer["status"] == 200
        assert "serverTime" in answer["result"]
        await client.close()

    run(scenario)


def test_binary_frames_and_bad_json_get_binance_errors(server: ExchangeServer) -> None:
    async def scenario() -> None:
        client = await RawClient.connect(server)
        client.send(client_frame(0x2, json.dumps({"id": 7, "method": "ping"}).encode()))
        assert (await client.answer())["id"] == 7
        client.send(client_frame(0x1, b"{not json"))
        answer = await client.answer()
        assert answer["status"] == 400 and answer["error"]["code"] == -1102
        client.send(client_frame(0x1, json.dumps({"id": 8, "method": "nope"}).encode()))
        assert (await client.answer())["error"] == {
            "code": -1100,
            "msg": "Unknown method 'nope'.",
        }
        await client.close()

    run(scenario)


def test_the_close_handshake_echoes_the_code(server: ExchangeServer) -> None:
    async def scenario() -> None:
        client = await RawClient.connect(server)
        client.send(client_frame(0x8, struct.pack("!H", 1000) + b"bye"))
        opcode, payload = await client.frame()
        assert (opcode, payload[:2]) == (0x8, struct.pack("!H", 1000))
        assert await client.reader.read() == b""  # then the server closes the socket
        await client.close()

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (client_frame(0x1, b'{"id":1,"method":"ping"}', mask=False), 1002),  # unmasked
        (client_frame(0x1, b'"\xff\xfe"'), 1007),  # not UTF-8
        (client_frame(0x0, b"stray"), 1002),  # continuation of nothing
        (client_frame(0x9, b"x", final=False), 1002),  # fragmented control frame
        (client_frame(0x3, b""), 1002),  # reserved opcode
    ],
    # Named, not by their bytes: the masks are random, and every test process (pytest-xdist's
    # workers) must collect the same ids.
    ids=["unmasked", "not-utf8", "stray-continuation", "fragmented-control", "reserved-opcode"],
)
def test_protocol_violations_close_the_connection(
    server: ExchangeServer, frame: bytes, code: int
) -> None:
    async def scenario() -> None:
        client = await RawClient.connect(server)
        client.send(frame)
        opcode, payload = await client.frame()
        while opcode == 0x9:
            opcode, payload = await client.frame()
        assert opcode == 0x8 and struct.unpack("!H", payload[:2])[0] == code
        assert await client.reader.read() == b""  # the server ends the connection
        await client.close()

    run(scenario)


def test_a_bad_handshake_is_refused(server: ExchangeServer) -> None:
    async def scenario() -> None:
        old = await RawClient.connect(
            server,
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n",
        )
        assert old.head.startswith("HTTP/1.1 426 ")
        assert "Sec-WebSocket-Version: 13" in old.head
        await old.close()
        keyless = await RawClient.connect(
            server, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        )
        assert keyless.head.startswith("HTTP/1.1 400 ")
        await keyless.close()

    run(scenario)


def test_market_streams_still_upgrade_through_the_app(server: ExchangeServer) -> None:
    async def scenario() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        key = base64.b64encode(os.urandom(16))
        writer.write(
            b"GET /ws/kgldkrw@trade HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        assert head.startswith("HTTP/1.1 101 ")
        writer.close()
        await writer.wait_closed()

    run(scenario)
