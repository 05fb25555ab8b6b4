"""NFT media over real HTTP (api/rest_nft_media.py): a creator uploads an image, signed as
every USER_DATA request, and anyone reads it back by its hash with its type, `nosniff` and
for good; an unsigned upload, an oversize body, a disguised file or no image at all are
refused with Binance-style errors and write nothing; an unknown hash is 404.

The server's transport holds every request body to 64 KiB unless the listing file raises
it (`[limits] max_body_bytes`): these servers raise it past the media's own 10 MiB, so
that the endpoint's limit is the one reached. An image over 64 KiB on a server with the
default limits is refused by the transport today (see the last test).
"""

import hashlib
import hmac
import http.client
import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_server import ExchangeServer, Trader
from nft_images import HTML, SVG, gif, jpeg, png, webp_lossless

PATH = "/api/v1/nft/media"
MAX_MEDIA_BYTES = 10 << 20
LISTING = f"""
[[assets]]
code = "KRW"
precision = 0

[limits]
max_body_bytes = {12 << 20}
"""


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    server: ExchangeServer,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request as sent, headers and all (no Content-Type made up for the body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, answer_headers, response.read())
    finally:
        connection.close()


def signed_path(trader: Trader, **params: Any) -> str:
    params.setdefault("timestamp", int(time.time() * 1000))
    query = urllib.parse.urlencode(params)
    signature = hmac.new(trader.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{PATH}?{query}&signature={signature}"


def upload(
    server: ExchangeServer,
    trader: Trader,
    data: Any,
    content_type: str | None = "image/png",
    **params: Any,
) -> Answer:
    headers = {"X-MBX-APIKEY": trader.api_key}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return send(server, "POST", signed_path(trader, **params), data, headers)


def kept(server: ExchangeServer) -> list[str]:
    folder = server.data_dir / "nft-media"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def assert_refused(answer: Answer, status: int, code: int) -> None:
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["code"] == code and body["msg"], body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    folder = tmp_path_factory.mktemp("nft-media")
    listing = folder / "listing.toml"
    listing.write_text(LISTING, encoding="utf-8")
    with ExchangeServer(folder / "data", "--config", str(listing)) as running:
        yield running


@pytest.fixture(scope="module")
def creator(server: ExchangeServer) -> Trader:
    return server.user("label")


@pytest.mark.parametrize(
    ("image", "content_type", "name", "size"),
    [
        (png(3, 2), "image/png", "cover.png", (3, 2)),
        (jpeg(640, 480, exif=bytes(30_000)), "image/jpeg", "photo.jpg", (640, 480)),
        (gif(16, 16), "image/gif", "spin.gif", (16, 16)),
        (webp_lossless(50, 40), "image/webp", "art.webp", (50, 40)),
    ],
)
def test_an_image_is_uploaded_and_read_back_by_its_hash(
    server: ExchangeServer,
    creator: Trader,
    image: bytes,
    content_type: str,
    name: str,
    size: tuple[int, int],
) -> None:
    digest = hashlib.sha256(image).hexdigest()
    answer = upload(server, creator, image, content_type, fileName=name)
    assert answer.status == 200, answer.body
    assert answer.json() == {
        "sha256": digest,
        "contentType": content_type,
        "size": len(image),
        "width": size[0],
        "height": size[1],
        "url": f"{PATH}/{digest}",
    }

    read = send(server, "GET", f"{PATH}/{digest}")
    assert (read.status, read.body) == (200, image)
    assert read.headers["content-type"] == content_type
    assert read.headers["x-content-type-options"] == "nosniff"
    assert read.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert read.headers["etag"] == f'"{digest}"'
    assert "sandbox" in read.headers["content-security-policy"]
    again = send(server, "GET", f"{PATH}/{digest}", headers={"If-None-Match": f'"{digest}"'})
    assert (again.status, again.body) == (304, b"")


def test_the_same_bytes_twice_answer_the_same_and_keep_one_file(
    server: ExchangeServer, creator: Trader
) -> None:
    image = png(7, 7)
    first = upload(server, creator, image)
    # Declared as nothing in particular, with no name: the bytes say what it is.
    second = upload(server, creator, image, "application/octet-stream")
    assert first.status == second.status == 200
    assert first.json() == second.json()
    assert kept(server).count(first.json()["sha256"]) == 1
    assert not [name for name in kept(server) if name.startswith(".")]  # no leftovers


def test_an_upload_must_be_signed_and_the_signature_covers_the_query(
    server: ExchangeServer, creator: Trader
) -> None:
    image = png(11, 13)
    before = kept(server)
    unsigned = send(server, "POST", PATH, image, {"Content-Type": "image/png"})
    assert_refused(unsigned, 401, -2014)
    stamp = int(time.time() * 1000)
    no_signature = send(server, "POST", f"{PATH}?timestamp={stamp}", image,
                        {"Content-Type": "image/png", "X-MBX-APIKEY": creator.api_key})  # fmt: skip
    assert_refused(no_signature, 400, -1102)
    # A name added after signing is not what was signed.
    tampered = signed_path(creator) + "&fileName=cover.png"
    answer = send(server, "POST", tampered, image,
                  {"Content-Type": "image/png", "X-MBX-APIKEY": creator.api_key})  # fmt: skip
    assert_refused(answer, 400, -1022)
    assert kept(server) == before


def test_a_body_over_10_mib_is_413_and_nothing_is_written(
    server: ExchangeServer, creator: Trader
) -> None:
    before = kept(server)
    oversize = png(4, 4) + bytes(MAX_MEDIA_BYTES)
    assert_refused(upload(server, creator, oversize), 413, -7100)

    # Sent in chunks, with no length said beforehand: refused as it grows past the limit.
    def chunks() -> Iterator[bytes]:
        yield png(4, 4)
        for _ in range(11):
            yield bytes(1 << 20)

    assert_refused(upload(server, creator, chunks()), 413, -7100)
    assert kept(server) == before
    # Exactly 10 MiB is not too large: it is taken.
    fits = png(4, 4) + bytes(MAX_MEDIA_BYTES - len(png(4, 4)))
    assert upload(server, creator, fits).status == 200


@pytest.mark.parametrize(
    ("data", "content_type", "name", "status", "code"),
    [
        (png(), "image/jpeg", None, 400, -7102),  # a PNG declared as a JPEG
        (png(), "image/png", "photo.jpg", 400, -7102),  # a PNG named .jpg
        (png(), None, "page.html", 400, -7102),
        (SVG, "image/svg+xml", "art.svg", 415, -7101),  # SVG can carry scripts
        (HTML, "image/png", "art.png", 415, -7101),  # HTML passed off as an image
        (b"", "image/png", None, 400, -7101),
        (png()[:20], "image/png", None, 400, -7103),  # the header cut short
        (png(8192, 8192, pixels=False), "image/png", None, 400, -7104),  # 67 million pixels
    ],
    ids=["declared-jpeg", "named-jpg", "named-html", "svg", "html", "empty", "cut", "bomb"],
)
def test_what_is_no_allowed_image_is_refused_and_nothing_is_written(
    server: ExchangeServer,
    creator: Trader,
    data: bytes,
    content_type: str | None,
    name: str | None,
    status: int,
    code: int,
) -> None:
    before = kept(server)
    params = {} if name is None else {"fileName": name}
    assert_refused(upload(server, creator, data, content_type, **params), status, code)
    assert kept(server) == before


def test_unknown_malformed_or_altered_media_are_not_served(
    server: ExchangeServer, creator: Trader
) -> None:
    assert_refused(send(server, "GET", f"{PATH}/{'ab' * 32}"), 404, -7105)
    assert_refused(send(server, "GET", f"{PATH}/not-a-hash"), 400, -1130)
    assert_refused(send(server, "GET", f"{PATH}/{'AB' * 32}"), 400, -1130)
    image = gif(5, 5)
    digest = upload(server, creator, image, "image/gif").json()["sha256"]
    # Changed on disk before anyone read it: its bytes no longer hash to its name.
    (server.data_dir / "nft-media" / digest).write_bytes(image + b"<script>")
    assert_refused(send(server, "GET", f"{PATH}/{digest}"), 404, -7105)


def _response(sock: socket.socket) -> tuple[int, Any]:
    """The status and JSON body of one answer read from a raw socket."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(65536)
    head, body = received.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in lines
                  if line.lower().startswith("content-length:"))  # fmt: skip
    while len(body) < length:
        body += sock.recv(65536)
    return int(lines[0].split(" ", 2)[1]), json.loads(body[:length])


def test_at_most_8_uploads_are_read_at_once(server: ExchangeServer, creator: Trader) -> None:
    """Each upload being read holds up to 10 MiB: the ninth at one time is refused (429)
    rather than held too, and the eight finish as if alone."""
    images = [png(100 + n, 1) for n in range(8)]
    sockets = []
    for image in images:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        head = (f"POST {signed_path(creator)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"X-MBX-APIKEY: {creator.api_key}\r\nContent-Type: image/png\r\n"
                f"Content-Length: {len(image)}\r\n\r\n")  # fmt: skip
        sock.sendall(head.encode() + image[:10])  # the rest of the body is still to come
        sockets.append(sock)
    try:
        # The eight are authenticated and waiting for their bodies once the ninth is refused
        # (each is let in as soon as the server has read its head: a few tries at most).
        statuses = []
        while 429 not in statuses and len(statuses) < 200:
            statuses.append(upload(server, creator, png(3, 3)).status)
            time.sleep(0.01)
        assert statuses[-1] == 429 and set(statuses) <= {200, 429}, statuses
        refused = upload(server, creator, png(3, 3))
        assert_refused(refused, 429, -1003)
        for n, (sock, image) in enumerate(zip(sockets, images, strict=True)):
            sock.sendall(image[10:])
            status, answer = _response(sock)
            assert (status, answer["width"]) == (200, 100 + n), answer
            assert answer["sha256"] == hashlib.sha256(image).hexdigest()
    finally:
        for sock in sockets:
            sock.close()
    assert upload(server, creator, png(3, 3)).status == 200  # room again


def test_both_endpoints_are_in_the_openapi_document(server: ExchangeServer) -> None:
    document = json.loads(send(server, "GET", "/openapi.json").body)
    upload_operation = document["paths"][PATH]["post"]
    assert {"ApiKey": []} in upload_operation["security"]
    assert set(upload_operation["requestBody"]["content"]) == {
        "image/png", "image/jpeg", "image/gif", "image/webp",
    }  # fmt: skip
    read = document["paths"][f"{PATH}/{{sha256}}"]["get"]
    assert read["parameters"][0]["in"] == "path"
    assert "image/png" in read["responses"]["200"]["content"]


def test_an_image_over_64_kib_is_taken_with_the_default_limits(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as default_server:
        creator = default_server.user("studio")
        image = jpeg(1920, 1080, scan=bytes(range(1, 255)) * 1000)  # 254 kB of image data
        answer = upload(default_server, creator, image, "image/jpeg")
        assert answer.status == 200, answer.body
