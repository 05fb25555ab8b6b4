"""Orders over raw HTTP/1.1 the ways real clients send them: a body in a later packet,
`Expect: 100-continue`, requests pipelined on one connection (refused ones first), and a
client that leaves before its answer. Placing and canceling are answered from the
engine's callback without a task per request; these are the cases where that path hands
over to the ordinary one, or must not break the connection."""

import hashlib
import hmac
import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from exchange_server import ExchangeServer, Trader


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("http-edges") / "data") as running:
        yield running


def _order_request(trader: Trader, **params: str) -> tuple[bytes, bytes]:
    """Headers and form body of a signed POST /api/v3/order."""
    fields = {"symbol": "KGLDKRW", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
              "quantity": "0.1", "price": "100000", **params,
              "timestamp": str(int(time.time() * 1000))}  # fmt: skip
    form = urllib.parse.urlencode(fields)
    signature = hmac.new(trader.secret.encode(), form.encode(), hashlib.sha256).hexdigest()
    body = f"{form}&signature={signature}".encode()
    head = (
        "POST /api/v3/order HTTP/1.1\r\nHost: localhost\r\n"
        f"X-MBX-APIKEY: {trader.api_key}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
    ).encode()
    return head, body


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def response(self) -> tuple[int, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, body

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk


def _connect(server: ExchangeServer) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def test_a_body_in_a_later_packet_and_an_expect_continue(server: ExchangeServer) -> None:
    trader = server.user("edges-slow", KRW="1000000")
    with _connect(server) as sock:
        reader = _Reader(sock)
        head, body = _order_request(trader)
        sock.sendall(head + b"\r\n")
        time.sleep(0.2)  # the body comes in another read
        sock.sendall(body)
        status, answer = reader.response()
        assert status == 200 and b'"status":"NEW"' in answer
        head, body = _order_request(trader)
        sock.sendall(head + b"Expect: 100-continue\r\n\r\n")
        assert reader.response()[0] == 100
        sock.sendall(body)
        status, answer = reader.response()
        assert status == 200 and b'"status":"NEW"' in answer
    assert trader.balance("KRW") == ("979990", "20010")  # the order and its fee in KRW


def test_pipelined_requests_keep_their_order_and_the_connection(server: ExchangeServer) -> None:
    trader = server.user("edges-pipelined", KRW="1000000")
    with _connect(server) as sock:
        reader = _Reader(sock)
        # Refused by the gateway (while the parser still reads), refused by the engine,
        # placed: three answers in order.
        bad_head, bad_body = _order_request(trader, side="UP")
        step_head, step_body = _order_request(trader, quantity="0.15")  # off the 0.1 step
        head, body = _order_request(trader)
        sock.sendall(bad_head + b"\r\n" + bad_body + step_head + b"\r\n" + step_body)
        assert reader.response() == (400, b'{"code":-1117,"msg":"Invalid side."}')
        status, refused = reader.response()
        assert (status, refused) == (400, b'{"code":-1013,"msg":"Filter failure: LOT_SIZE"}')
        sock.sendall(head + b"\r\n" + body)
        status, answer = reader.response()
        assert status == 200 and b'"status":"NEW"' in answer
        # The connection goes on serving.
        head, body = _order_request(trader)
        sock.sendall(head + b"\r\n" + body)
        assert reader.response()[0] == 200
    assert trader.balance("KRW") == ("979990", "20010")  # the order and its fee in KRW


def test_a_client_that_leaves_before_its_answer_changes_nothing_else(
    server: ExchangeServer, tmp_path: Path
) -> None:
    trader = server.user("edges-gone", KRW="1000000")
    for _ in range(20):
        with _connect(server) as sock:
            head, body = _order_request(trader)
            sock.sendall(head + b"\r\n" + body)
    # Each order was acknowledged by the engine whether or not its client stayed to read.
    deadline = time.monotonic() + 5
    while trader.balance("KRW")[1] != "200100" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert trader.balance("KRW") == ("799900", "200100")  # with the fee in KRW (0.05 %)
    status, orders = trader.get("/api/v3/openOrders", symbol="KGLDKRW")
    assert status == 200 and len(orders) == 20
