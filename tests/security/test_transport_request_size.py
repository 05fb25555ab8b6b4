"""Issue 13, "Request size": URLs, headers and bodies were unbounded and parsed before any
weight or ban (a 9.9 MB body of a million parameters froze the server for each request).
Now every HTTP path refuses, before parsing, a URL over 8 KiB (414), headers over 16 KiB or
100 of them (431) and a body over 64 KiB (413: from Content-Length before the body is even
sent, or as a chunked body grows), with Binance's JSON error and `connection: close`. A
refused request costs its address request weight, so a flood of them ends in 429 and then
a 418 ban, which is answered before anything of a request is parsed."""

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from exchange_server import ExchangeServer
from transport_support import (
    Answer,
    closed_by_server,
    connect,
    exchange,
    flood_until_banned,
    listing_file,
    read_answer,
)

PING = b"GET /api/v3/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with ExchangeServer(tmp_path_factory.mktemp("sizes") / "data") as running:
        yield running


def assert_refused(answer: Answer, status: int, code: int) -> None:
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["connection"] == "close"
    body = answer.json()
    assert body["code"] == code and body["msg"]


def test_a_url_over_8_kib_is_414(server: ExchangeServer) -> None:
    long_url = b"GET /api/v3/ping?pad=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    with connect(server.port) as sock:
        sock.sendall(long_url)
        answer = read_answer(sock)
        assert_refused(answer, 414, -1101)
        assert "8192 bytes" in answer.json()["msg"]
        assert closed_by_server(sock)
    fits = b"GET /api/v3/ping?pad=" + b"a" * 7000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert exchange(server.port, fits).status != 414


def test_headers_over_16_kib_or_100_of_them_are_431(server: ExchangeServer) -> None:
    big = PING + b"X-Big: " + b"b" * 20_000 + b"\r\n\r\n"
    assert_refused(exchange(server.port, big), 431, -1000)
    many = PING + b"".join(b"X-H%d: 1\r\n" % n for n in range(120)) + b"\r\n"
    assert_refused(exchange(server.port, many), 431, -1000)
    fits = PING + b"X-Big: " + b"b" * 12_000 + b"\r\n\r\n"
    assert exchange(server.port, fits).status == 200


def test_one_endless_header_line_is_cut_off_at_the_limit(server: ExchangeServer) -> None:
    with connect(server.port) as sock:
        sock.sendall(PING + b"X-Endless: ")
        try:
            for _ in range(64):  # 4 MB, never a line end
                sock.sendall(b"e" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused while still sending
        assert_refused(read_answer(sock), 431, -1000)


def test_a_head_of_nothing_but_line_ends_is_cut_off_at_the_limit(
    server: ExchangeServer,
) -> None:
    """The parser skips empty lines before a request line without starting a request."""
    with connect(server.port) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"\r\n" * 40_000)
        assert_refused(read_answer(sock), 431, -1000)
    assert "Traceback" not in server.log_path.read_text()


@pytest.mark.parametrize(
    "trailers",
    [b"X-Endless: " + b"t" * (1 << 20), b"X-T: t\r\n" * 100_000],
    ids=["one endless trailer line", "a hundred thousand trailers"],
)
def test_a_chunked_bodys_trailers_are_held_to_the_limits(
    server: ExchangeServer, trailers: bytes
) -> None:
    """Header lines after the last chunk, which the parser keeps as it keeps a head's."""
    with connect(server.port) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(
                b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"0\r\n" + trailers
            )
        assert_refused(read_answer(sock), 413, -1101)


@pytest.mark.parametrize("path", ["/api/v3/order", "/api/v1/account/login"])
def test_a_body_declared_over_64_kib_is_413_before_it_is_sent(
    server: ExchangeServer, path: str
) -> None:
    with connect(server.port) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
            + b"Content-Length: 100000\r\n\r\n"
        )  # and not a byte of the body
        answer = read_answer(sock)
        assert_refused(answer, 413, -1101)
        assert "65536 bytes" in answer.json()["msg"]


def test_a_chunked_body_is_refused_once_it_grows_over_64_kib(server: ExchangeServer) -> None:
    chunk = b"a=1&" * 4096  # 16 KiB
    with connect(server.port) as sock:
        sock.sendall(
            b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        try:
            for _ in range(6):
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert_refused(read_answer(sock), 413, -1101)


def test_the_issues_9_9_mb_body_is_refused_and_the_client_reads_why(
    server: ExchangeServer,
) -> None:
    body = b"&".join([b"a=1"] * 1_000_000) + b"&" + b"b" * (9_900_000 - 3_999_999 - 1)
    with connect(server.port) as sock:
        head = (
            b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        sock.sendall(head + body)  # read and dropped by the server, not reset
        assert_refused(read_answer(sock), 413, -1101)


def test_a_request_that_is_not_http_gets_a_json_400(server: ExchangeServer) -> None:
    tls_hello = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\r\n\r\n"
    assert_refused(exchange(server.port, tls_hello), 400, -1000)


def test_a_flood_of_refused_requests_is_weighed_then_banned(tmp_path: Path) -> None:
    """From 127.0.0.2, so that the address the fixture's own calls come from stays free."""
    config = listing_file(tmp_path / "listing.toml", {}, weight_per_minute=100)
    oversized = PING + b"X-Big: " + b"b" * 20_000 + b"\r\n\r\n"
    with ExchangeServer(tmp_path / "data", "--config", str(config)) as server:

        def send() -> int:
            with socket.create_connection(
                ("127.0.0.1", server.port), timeout=10, source_address=("127.0.0.2", 0)
            ) as sock:
                sock.sendall(oversized)
                return read_answer(sock).status

        statuses = flood_until_banned(send)
        # 10 refusals of weight 10 use up the 100; then 429s; ignoring them earns the ban.
        assert statuses[:10] == [431] * 10
        assert statuses[10] == 429
        assert statuses[-1] == 418
        with socket.create_connection(
            ("127.0.0.1", server.port), timeout=10, source_address=("127.0.0.2", 0)
        ) as sock:
            sock.sendall(b"GET /api/v3/ping?a=1&a=2 HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = read_answer(sock)  # banned: not even its parameters are read
            assert (answer.status, answer.json()["code"]) == (418, -1003)
            assert int(answer.headers["retry-after"]) > 0
        assert server.request("GET", "/api/v3/ping") == (200, {})  # another address
