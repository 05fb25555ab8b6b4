"""Issue 13, accounts: session cookies get `Secure` behind a TLS-terminating proxy (whose
X-Forwarded-Proto and X-Forwarded-For are believed only from a configured address) and
when the server speaks TLS itself; HSTS on every answer over TLS."""

import asyncio
import datetime
import http.client
import ipaddress
import json
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "accounts"))
from account_web_client import PASSWORD, ExchangeServer, WebUser

from assetport.accounts.terms import TERMS_VERSION

EMAIL = "tls@example.com"
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.23"}


def attributes(web: WebUser) -> set[str]:
    assert web.last_headers is not None
    cookie = next(c for c in web.last_headers.get_all("set-cookie") or [] if "ap_session" in c)
    return {part.strip() for part in cookie.split(";")}


def log_in(server: ExchangeServer, headers: dict[str, str]) -> WebUser:
    web = WebUser(server)
    status, answer = web.call(
        "POST", "/api/v1/account/login", {"email": EMAIL, "password": PASSWORD}, headers=headers
    )
    assert status == 200, answer
    return web


def test_behind_a_trusted_proxy_cookies_are_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data", "--trusted-proxy", "127.0.0.0/8") as server:
        WebUser(server).account(
            "POST", "/signup", {"email": EMAIL, "password": PASSWORD, "termsVersion": TERMS_VERSION}
        )
        proxied = log_in(server, PROXIED)
        assert "Secure" in attributes(proxied)
        assert proxied.last_headers is not None
        assert "max-age=" in proxied.last_headers["strict-transport-security"]
        plain = log_in(server, {})  # the proxy took it over http: no Secure, no HSTS
        assert "Secure" not in attributes(plain)
        assert plain.last_headers is not None
        assert plain.last_headers["strict-transport-security"] is None


def test_the_forwarded_client_address_is_the_one_weighed(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data", "--trusted-proxy", "127.0.0.1") as server:

        def used(client: str) -> int:
            web = WebUser(server)
            status, _ = web.call("GET", "/api/v3/exchangeInfo", headers={"X-Forwarded-For": client})
            assert status == 200 and web.last_headers is not None
            return int(web.last_headers["X-MBX-USED-WEIGHT-1M"])

        first = used("198.51.100.1")
        assert used("198.51.100.1") == 2 * first  # one client's requests add up
        assert used("198.51.100.2") == first  # another client behind the proxy: its own
        # A hop the client wrote itself (left of the proxy's) changes nothing.
        assert used("203.0.113.9, 198.51.100.1") == 3 * first


def test_forwarded_headers_from_anyone_else_are_ignored(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data", "--trusted-proxy", "192.0.2.0/24") as server:
        WebUser(server).account(
            "POST", "/signup", {"email": EMAIL, "password": PASSWORD, "termsVersion": TERMS_VERSION}
        )
        forged = log_in(server, PROXIED)
        assert "Secure" not in attributes(forged)
        web = WebUser(server)
        web.call("GET", "/api/v3/exchangeInfo", headers={"X-Forwarded-For": "198.51.100.3"})
        again = WebUser(server)
        again.call("GET", "/api/v3/exchangeInfo", headers={"X-Forwarded-For": "198.51.100.4"})
        assert web.last_headers is not None and again.last_headers is not None
        # Both counted against the real peer (127.0.0.1), whatever the header claimed.
        weight = "X-MBX-USED-WEIGHT-1M"
        assert int(again.last_headers[weight]) > int(web.last_headers[weight])


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def https(
    port: int, context: ssl.SSLContext, method: str, path: str, body: Any = None
) -> tuple[int, http.client.HTTPMessage, Any]:
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, data, headers)
        response = connection.getresponse()
        raw = response.read()
        is_json = response.headers.get("content-type", "").startswith("application/json")
        return response.status, response.headers, json.loads(raw) if is_json else raw
    finally:
        connection.close()


def test_the_server_speaks_tls_itself_with_secure_cookies_and_hsts(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(cafile=str(cert))
    server = ExchangeServer(tmp_path / "data", "--tls-cert", str(cert), "--tls-key", str(key))
    with server:
        port = server.port
        status, headers, _ = https(port, context, "GET", "/api/v3/ping")  # the fast path
        assert status == 200 and "max-age=" in headers["strict-transport-security"]
        account = {"email": EMAIL, "password": PASSWORD}
        sign_up = {**account, "termsVersion": TERMS_VERSION}
        status, headers, _ = https(port, context, "POST", "/api/v1/account/signup", sign_up)
        assert status == 200 and headers["strict-transport-security"]
        status, headers, _ = https(port, context, "POST", "/api/v1/account/login", account)
        assert status == 200, _
        cookie = next(c for c in headers.get_all("set-cookie") if "ap_session" in c)
        assert "Secure" in {part.strip() for part in cookie.split(";")}
        status, headers, _ = https(port, context, "GET", "/login")
        assert headers["strict-transport-security"]
        # The operator's client reaches it over https too, trusting the server's certificate.
        admin = subprocess.run(
            [sys.executable, "-m", "assetport.cli", "admin", "--data-dir", str(tmp_path / "data"),
             "status"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert admin.returncode == 0, admin.stderr
        assert json.loads(admin.stdout)["engine"]["last_seq"] > 0


def test_the_websocket_api_weighs_the_forwarded_client_too(tmp_path: Path) -> None:
    """`/ws-api/v3` is served below the ASGI layer: it too takes the client a trusted proxy
    names, so clients behind one proxy do not share one address's request weight."""

    async def weight_after_ping(server: ExchangeServer, client: str) -> int:
        url = f"ws://127.0.0.1:{server.port}/ws-api/v3"
        async with websockets.connect(url, additional_headers={"X-Forwarded-For": client}) as ws:
            await ws.send(json.dumps({"id": 1, "method": "ping"}))
            answer = json.loads(await ws.recv())
        assert answer["status"] == 200, answer
        limit = next(r for r in answer["rateLimits"] if r["rateLimitType"] == "REQUEST_WEIGHT")
        return int(limit["count"])

    async def scenario(server: ExchangeServer) -> None:
        first = await weight_after_ping(server, "198.51.100.1")
        assert await weight_after_ping(server, "198.51.100.1") == 2 * first
        assert await weight_after_ping(server, "198.51.100.2") == first

    with ExchangeServer(tmp_path / "data", "--trusted-proxy", "127.0.0.1") as server:
        asyncio.run(asyncio.wait_for(scenario(server), 30))
