"""The page's way in: the public REST API with the session cookie instead of a signature,
and API keys made on the key page working on the signed API."""

import asyncio
import base64
import json
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from account_web_client import PASSWORD, ExchangeServer, WebUser, account_server
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from exchange_server import Trader

ORDER = {"symbol": "KGLDKRW", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
         "quantity": "1", "price": "100000"}  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeServer]:
    with account_server(tmp_path_factory.mktemp("web-trading") / "data") as running:
        yield running


def funded(server: ExchangeServer, email: str) -> tuple[WebUser, int]:
    web = WebUser(server)
    user_id = web.sign_up(email)["userId"]
    server.admin("/api/v1/admin/deposits", user_id=user_id, asset="KRW", amount="1000000")
    return web, user_id


def query(**params: Any) -> str:
    return "?" + urllib.parse.urlencode(params)


def test_an_order_with_the_session_cookie_and_csrf_header(server: ExchangeServer) -> None:
    web, _ = funded(server, "trader@example.com")
    status, refused = web.call("POST", "/api/v3/order" + query(**ORDER), csrf=False)
    assert (status, refused["code"]) == (403, -8009)
    status, order = web.call("POST", "/api/v3/order" + query(**ORDER))
    assert status == 200, order
    assert order["status"] == "NEW" and order["symbol"] == "KGLDKRW"
    status, account = web.call("GET", "/api/v3/account")  # a GET needs no CSRF token
    assert status == 200, account
    krw = next(b for b in account["balances"] if b["asset"] == "KRW")
    assert krw["locked"] != "0" and krw["free"] != "1000000"
    status, open_orders = web.call("GET", "/api/v3/openOrders")
    assert [o["orderId"] for o in open_orders] == [order["orderId"]]
    # Nobody else's: another user's session sees no such order.
    other, _ = funded(server, "other@example.com")
    assert other.call("GET", "/api/v3/openOrders")[1] == []


def test_a_logged_out_cookie_places_nothing(server: ExchangeServer) -> None:
    web, _ = funded(server, "leaver@example.com")
    cookie, csrf = web.cookie, web.csrf
    web.account("POST", "/logout")
    web.cookie, web.csrf = cookie, csrf
    status, answer = web.call("POST", "/api/v3/order" + query(**ORDER))
    assert (status, answer["code"]) == (401, -8008)
    web.cookie = None  # no cookie and no key: Binance's own answer
    status, answer = web.call("POST", "/api/v3/order" + query(**ORDER))
    assert (status, answer["code"]) == (401, -2014)


def test_hmac_keys_from_the_key_page_work_on_the_signed_api(server: ExchangeServer) -> None:
    web, user_id = funded(server, "bot@example.com")
    status, made = web.account(
        "POST", "/apikeys",
        {"type": "HMAC", "label": "my bot", "permissions": ["read", "trade"],
         "ipAllowlist": ["127.0.0.1"], "password": PASSWORD},
    )  # fmt: skip
    assert status == 200, made
    assert made["permissions"] == ["read", "trade"] and made["ipAllowlist"] == ["127.0.0.1/32"]
    bot = Trader(server, user_id, made["apiKey"], made["secretKey"])
    status, order = bot.post("/api/v3/order", **ORDER)
    assert status == 200, order
    status, listed = web.account("GET", "/apikeys")
    assert [k["apiKey"] for k in listed["apiKeys"]] == [made["apiKey"]]
    assert "secretKey" not in listed["apiKeys"][0] and listed["apiKeys"][0]["label"] == "my bot"
    status, deleted = web.account("DELETE", f"/apikeys/{made['apiKey']}")
    assert status == 200 and deleted["deleted"] is True
    assert bot.get("/api/v3/account")[1]["code"] == -2015


def test_read_only_and_ip_restricted_keys(server: ExchangeServer) -> None:
    web, user_id = funded(server, "careful@example.com")
    _, reader = web.account("POST", "/apikeys", {"permissions": ["read"]})
    read_only = Trader(server, user_id, reader["apiKey"], reader["secretKey"])
    assert read_only.get("/api/v3/account")[0] == 200
    assert read_only.post("/api/v3/order", **ORDER)[1]["code"] == -2015
    _, elsewhere = web.account(
        "POST", "/apikeys", {"permissions": ["read"], "ipAllowlist": ["10.1.2.0/24"]}
    )
    away = Trader(server, user_id, elsewhere["apiKey"], elsewhere["secretKey"])
    assert away.get("/api/v3/account")[1]["code"] == -2015
    # A key that may withdraw needs two-factor login first (test_keys_withdraw_2fa.py).
    status, answer = web.account("POST", "/apikeys", {"permissions": ["withdraw"]})
    assert (status, answer["code"]) == (403, -8028)
    status, answer = web.account("POST", "/apikeys", {"permissions": ["spend"]})
    assert (status, answer["code"]) == (400, -8014)


def test_ed25519_public_keys_register_and_sign(server: ExchangeServer) -> None:
    web, _ = funded(server, "ed@example.com")
    private = Ed25519PrivateKey.generate()
    pem = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    status, made = web.account(
        "POST", "/apikeys", {"type": "ED25519", "publicKey": pem.decode(), "permissions": ["read"]}
    )
    assert status == 200 and made["type"] == "ED25519" and "secretKey" not in made
    payload = urllib.parse.urlencode({"timestamp": int(time.time() * 1000)})
    signature = base64.b64encode(private.sign(payload.encode())).decode()
    status, account = server.request(
        "GET",
        f"/api/v3/account?{payload}&signature={urllib.parse.quote(signature, safe='')}",
        {"X-MBX-APIKEY": made["apiKey"]},
    )
    assert status == 200, account


def test_nobody_deletes_someone_elses_key(server: ExchangeServer) -> None:
    owner, _ = funded(server, "owner@example.com")
    _, made = owner.account("POST", "/apikeys", {})
    thief, _ = funded(server, "thief@example.com")
    status, answer = thief.account("DELETE", f"/apikeys/{made['apiKey']}")
    assert (status, answer["code"]) == (404, -8013)
    assert len(owner.account("GET", "/apikeys")[1]["apiKeys"]) == 1


def test_the_session_follows_its_account_through_a_listen_key(server: ExchangeServer) -> None:
    web, _ = funded(server, "streamer@example.com")
    status, refused = web.call("POST", "/api/v3/userDataStream", csrf=False)
    assert (status, refused["code"]) == (403, -8009)
    status, answer = web.call("POST", "/api/v3/userDataStream")
    assert status == 200 and len(answer["listenKey"]) == 64
    listen_key = answer["listenKey"]

    async def follow() -> None:
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws/{listen_key}") as stream:
            await asyncio.sleep(0.2)  # the subscription is live once the handshake is done
            status, order = web.call("POST", "/api/v3/order" + query(**ORDER))
            assert status == 200, order
            report = json.loads(await asyncio.wait_for(stream.recv(), 5))
            assert (report["e"], report["x"], report["i"]) == (
                "executionReport",
                "NEW",
                order["orderId"],
            )

    asyncio.run(follow())
    status, _ = web.call("PUT", "/api/v3/userDataStream" + query(listenKey=listen_key))
    assert status == 200


def test_sessions_on_one_address_share_the_address_s_request_weight(
    server: ExchangeServer,
) -> None:
    # Issue 13: many accounts behind one address (here everybody is 127.0.0.1) never lift
    # the address above its limit: a web session's requests count against the address as
    # well as against the account, and the usage reported is the address's, as Binance's.
    first, _ = funded(server, "weight-one@example.com")
    second, _ = funded(server, "weight-two@example.com")

    def used(web: WebUser) -> int:
        status, _ = web.call("GET", "/api/v3/account")  # weight 20
        assert status == 200 and web.last_headers is not None
        return int(web.last_headers["X-MBX-USED-WEIGHT-1M"])

    start = used(first)
    assert used(second) == start + 20
    assert used(first) == start + 40
    visitor = WebUser(server)
    status, _ = visitor.call("GET", "/api/v3/exchangeInfo")
    assert status == 200 and visitor.last_headers is not None
    assert int(visitor.last_headers["X-MBX-USED-WEIGHT-1M"]) == start + 60
