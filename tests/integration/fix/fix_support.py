"""A FIX 4.4 client for the integration tests, written on simplefix as a Binance FIX user
would: Logon<A> signed with an Ed25519 key, sequence numbers, and a blocking reader with a
timeout."""

import base64
import itertools
import json
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import simplefix

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ws"))
from exchange_server import ExchangeServer, Trader
from ws_support import Ed25519User, ed25519_user

__all__ = [
    "LISTING",
    "Ed25519User",
    "ExchangeServer",
    "FixClient",
    "Ports",
    "Received",
    "Trader",
    "ed25519_user",
]

SOH = "\x01"
LISTING = """
[[assets]]
code = "KRW"
precision = 0

[[assets]]
code = "KGLD"
precision = 4

[[markets]]
symbol = "KGLDKRW"
base = "KGLD"
quote = "KRW"
tick_size = "10"
step_size = "0.1"
min_qty = "0.1"
max_qty = "100000"
min_notional = "5000"

# Binance's HeartBtInt starts at 5 s: a shorter one keeps the timeout tests quick.
[fix]
heartbeat_min_s = 1
logon_timeout_s = 1
"""
_sender_ids = itertools.count(1)


class Ports:
    """A server's FIX ports, from the `server.json` it announced."""

    def __init__(self, server: ExchangeServer) -> None:
        info = json.loads((server.data_dir / "server.json").read_text())
        self.server = server
        self.order_entry = int(info["fix_order_entry_port"])
        self.drop_copy = int(info["fix_drop_copy_port"])


def sending_time(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y%m%d-%H:%M:%S.%f")[:-3]


class Received:
    """One message from the server: its type and fields (the first of each tag)."""

    def __init__(self, message: Any) -> None:
        self.message = message
        self.msg_type = message.get(35).decode()

    def get(self, tag: int, nth: int = 1) -> str | None:
        value = self.message.get(tag, nth)
        return None if value is None else value.decode()

    def __getitem__(self, tag: int) -> str:
        value = self.get(tag)
        assert value is not None, f"tag {tag} missing in {self}"
        return value

    def __repr__(self) -> str:
        return self.message.to_string()


class FixClient:
    def __init__(self, port: int, sender: str | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.parser = simplefix.FixParser()
        self.sender = sender or f"T{next(_sender_ids)}"
        self.seq = 1
        self.eof = False

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "FixClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def encode(self, msg_type: str, fields: list[tuple[int, Any]], **header: Any) -> bytes:
        message = simplefix.FixMessage()
        message.append_pair(8, "FIX.4.4", header=True)
        message.append_pair(35, msg_type, header=True)
        message.append_pair(34, header.get("seq", self.seq), header=True)
        message.append_pair(49, header.get("sender", self.sender), header=True)
        message.append_pair(52, header.get("sending_time") or sending_time(), header=True)
        message.append_pair(56, header.get("target", "SPOT"), header=True)
        for tag, value in fields:
            message.append_pair(tag, value)
        encoded: bytes = message.encode()
        return encoded

    def send(self, msg_type: str, fields: list[tuple[int, Any]], **header: Any) -> None:
        self.sock.sendall(self.encode(msg_type, fields, **header))
        if "seq" not in header:
            self.seq += 1

    def logon_message(
        self,
        user: Ed25519User,
        *,
        heartbeat: int = 30,
        drop_copy: bool = False,
        response_mode: str | None = None,
        api_key: str | None = None,
        sign_with: Any = None,
        moment: datetime | None = None,
    ) -> bytes:
        stamp = sending_time(moment)
        payload = SOH.join(["A", self.sender, "SPOT", "1", stamp]).encode()
        signature = base64.b64encode((sign_with or user.private_key).sign(payload)).decode()
        fields: list[tuple[int, Any]] = [
            (95, len(signature)), (96, signature), (98, 0), (108, heartbeat), (141, "Y"),
            (553, api_key or user.api_key), (25035, 2),
        ]  # fmt: skip
        if response_mode is not None:
            fields.append((25036, response_mode))
        if drop_copy:
            fields.append((9406, "Y"))
        return self.encode("A", fields, seq=1, sending_time=stamp)

    def logon(self, user: Ed25519User, **options: Any) -> Received:
        self.sock.sendall(self.logon_message(user, **options))
        self.seq = 2
        return self.receive()

    def receive(self, timeout: float = 5) -> Received:
        """The next message; AssertionError if the connection closes first."""
        received = self.next(timeout)
        assert received is not None, "the server closed the connection"
        return received

    def next(self, timeout: float = 5) -> Received | None:
        """The next message, or None once the server has closed the connection."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.parser.get_message()
            if message is not None:
                return Received(message)
            if self.eof:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no message from the server")
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                self.eof = True
            self.parser.append_buffer(data)

    def until(self, msg_type: str, timeout: float = 5) -> Received:
        """The next message of this type (skipping heartbeats and others)."""
        while True:
            received = self.receive(timeout)
            if received.msg_type == msg_type:
                return received

    def rest(self, timeout: float = 5) -> list[Received]:
        """Everything the server sends until it closes the connection."""
        messages = []
        while (received := self.next(timeout)) is not None:
            messages.append(received)
        return messages
