"""Raw sockets against a real server, for the transport tests: HTTP requests written byte by
byte as a hostile client would, WebSocket handshakes and masked frames, and listing files
with the demo markets and a `[limits]` table."""

import base64
import contextlib
import json
import os
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assetport.listings import DEMO_ASSETS, DEMO_MARKETS


def listing_file(path: Path, limits: dict[str, Any], weight_per_minute: int | None = None) -> Path:
    """The demo markets, with `[limits]` and, optionally, a small request weight limit."""
    lines: list[str] = []
    for code, precision in DEMO_ASSETS:
        lines += ["[[assets]]", f'code = "{code}"', f"precision = {precision}", ""]
    for market in DEMO_MARKETS:
        lines.append("[[markets]]")
        lines += [f'{name} = "{value}"' for name, value in market.items()]
        lines.append("")
    if weight_per_minute is not None:
        lines += [
            "[[rate_limits]]",
            'rateLimitType = "REQUEST_WEIGHT"',
            'interval = "MINUTE"',
            "intervalNum = 1",
            f"limit = {weight_per_minute}",
            "",
        ]
    lines.append("[limits]")
    lines += [f"{name} = {value}" for name, value in limits.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def flood_until_banned(send: Callable[[], int], most: int = 400) -> list[int]:
    """The statuses of requests sent by `send` until one is banned (418), at most `most`.

    Rate-limit windows are aligned to the minute, as Binance's are: a flood that began in
    a minute's last seconds would find its weight forgiven at the turn and need more
    requests, so it starts in a fresh minute and keeps sending until the ban."""
    seconds_left = 60 - time.time() % 60
    if seconds_left < 5:
        time.sleep(seconds_left + 0.1)
    statuses: list[int] = []
    while len(statuses) < most and (not statuses or statuses[-1] != 418):
        statuses.append(send())
    return statuses


def connect(port: int, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


class Answer:
    """An HTTP answer read off a raw socket."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def read_answer(sock: socket.socket) -> Answer:
    """One HTTP answer (with a Content-Length), read off `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before an answer: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Answer(status, headers, body[:length])


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed the connection (read until EOF or a reset)."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def exchange(port: int, request: bytes) -> Answer:
    """Send `request` on a new connection and read the answer."""
    with connect(port) as sock:
        sock.sendall(request)
        return read_answer(sock)


# -- WebSocket -------------------------------------------------------------------------------


def client_frame(
    opcode: int, payload: bytes, *, final: bool = True, mask: bytes | None = None
) -> bytes:
    """One frame as a client sends it: masked (with a random mask unless given)."""
    first = (0x80 if final else 0) | opcode
    mask = os.urandom(4) if mask is None else mask
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", first, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", first, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", first, 0x80 | 127, n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class WsClient:
    """A WebSocket connection on a raw socket: frames in and out, nothing hidden."""

    def __init__(self, port: int, path: str, timeout: float = 10.0) -> None:
        self.sock = connect(port, timeout)
        key = base64.b64encode(os.urandom(16))
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
            + b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + key
            + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError(f"closed during the handshake: {self.buffer!r}")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.head = head.decode("latin-1")
        assert self.head.startswith("HTTP/1.1 101 "), self.head

    def send(self, data: bytes) -> None:
        """Write `data`; a server that closed the connection meanwhile is no error here
        (its close frame is still there to be read)."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.sock.sendall(data)

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def frame(self) -> tuple[int, bytes]:
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        return first & 0x0F, self._read(length)

    def message(self) -> tuple[int, bytes]:
        """The next data or close frame (the server's pings and pongs skipped)."""
        opcode, payload = self.frame()
        while opcode in (0x9, 0xA):
            opcode, payload = self.frame()
        return opcode, payload

    def json(self) -> Any:
        opcode, payload = self.message()
        assert opcode == 0x1, (opcode, payload)
        return json.loads(payload)

    def close_code(self) -> int:
        """The code of the close frame the server sends next (data frames skipped)."""
        opcode, payload = self.message()
        while opcode != 0x8:
            opcode, payload = self.message()
        return int(struct.unpack("!H", payload[:2])[0])

    def close(self) -> None:
        self.sock.close()
