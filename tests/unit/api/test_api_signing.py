"""Signed requests: HMAC and Ed25519 payloads as ccxt and python-binance build them, times."""

import base64
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from assetport.api.errors import ApiError
from assetport.api.params import Params
from assetport.api.signing import (
    authenticate_rest,
    authenticate_ws,
    check_timestamp,
    split_signature,
    ws_payload,
)
from assetport.edge.keys import ApiKey, KeyStore, Permission

NOW = 1_700_000_000_000
IP = "127.0.0.1"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KeyStore]:
    keys = KeyStore(tmp_path)
    yield keys
    keys.close()


@pytest.fixture
def hmac_key(store: KeyStore) -> tuple[ApiKey, str]:
    return store.create_hmac_key(7, permissions=[Permission.READ, Permission.TRADE], now_ms=NOW)


@pytest.fixture
def ed_key(store: KeyStore) -> tuple[ApiKey, Ed25519PrivateKey]:
    private = Ed25519PrivateKey.generate()
    pem = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    key = store.register_ed25519_key(
        7, pem.decode(), permissions=[Permission.READ, Permission.TRADE], now_ms=NOW
    )
    return key, private


def hex_sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def ed_sign(private: Ed25519PrivateKey, payload: str) -> str:
    return base64.b64encode(private.sign(payload.encode())).decode()


def order_params() -> list[tuple[str, str]]:
    return [
        ("symbol", "BTCUSDT"),
        ("side", "BUY"),
        ("newClientOrderId", "x-TKT5PX2F0123456789abcdef012345"),
        ("newOrderRespType", "FULL"),
        ("type", "LIMIT"),
        ("quantity", "0.0001"),
        ("price", "50000"),
        ("timeInForce", "GTC"),
    ]


def ccxt_body(extra: list[tuple[str, str]]) -> str:
    """ccxt: timestamp first, then the method's params in insertion order, then recvWindow."""
    return urlencode([("timestamp", str(NOW - 50)), *extra, ("recvWindow", "10000")])


def python_binance_body(extra: list[tuple[str, str]]) -> str:
    """python-binance: parameters sorted by name."""
    return urlencode(sorted([*extra, ("timestamp", str(NOW - 50))]))


def auth(
    store: KeyStore,
    api_key: str | None,
    query: bytes = b"",
    body: bytes = b"",
    now: int = NOW,
    permission: Permission = Permission.TRADE,
    ip: str = IP,
) -> ApiKey:
    return authenticate_rest(
        store,
        api_key=api_key,
        raw_query=query,
        raw_body=body,
        params=Params.parse(query, body),
        client_ip=ip,
        server_time_ms=now,
        permission=permission,
    )


def code_of(call: object) -> tuple[int, str, int]:
    assert callable(call)
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code, info.value.msg, info.value.http_status


BAD_SIGNATURE = (-1022, "Signature for this request is not valid.", 400)


def test_binance_documented_hmac_vector() -> None:
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    payload = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    assert hex_sign(secret, payload) == (
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )


@pytest.mark.parametrize("build", [ccxt_body, python_binance_body])
def test_hmac_as_clients_sign_it(
    store: KeyStore, hmac_key: tuple[ApiKey, str], build: object
) -> None:
    key, secret = hmac_key
    assert callable(build)
    body = build(order_params())
    signed = f"{body}&signature={hex_sign(secret, body)}".encode()
    assert auth(store, key.api_key, body=signed) is key
    # The same, in the query string (GET/DELETE as ccxt sends them).
    assert auth(store, key.api_key, query=signed) is key
    # Hex is compared without regard to case.
    upper = f"{body}&signature={hex_sign(secret, body).upper()}".encode()
    assert auth(store, key.api_key, body=upper) is key


@pytest.mark.parametrize("build", [ccxt_body, python_binance_body])
def test_ed25519_as_clients_sign_it(
    store: KeyStore, ed_key: tuple[ApiKey, Ed25519PrivateKey], build: object
) -> None:
    key, private = ed_key
    assert callable(build)
    body = build(order_params())
    signature = quote(ed_sign(private, body), safe="")
    assert "%" in signature or "=" not in signature
    assert auth(store, key.api_key, body=f"{body}&signature={signature}".encode()) is key


def test_tampering_one_byte_fails(
    store: KeyStore,
    hmac_key: tuple[ApiKey, str],
    ed_key: tuple[ApiKey, Ed25519PrivateKey],
) -> None:
    key, secret = hmac_key
    body = ccxt_body(order_params())
    tampered = body.replace("quantity=0.0001", "quantity=0.0002")
    signed = f"{tampered}&signature={hex_sign(secret, body)}".encode()
    assert code_of(lambda: auth(store, key.api_key, body=signed)) == BAD_SIGNATURE
    sig = hex_sign(secret, body)
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    signed = f"{body}&signature={flipped}".encode()
    assert code_of(lambda: auth(store, key.api_key, body=signed)) == BAD_SIGNATURE

    ed, private = ed_key
    raw = bytearray(private.sign(body.encode()))
    raw[0] ^= 1
    signature = quote(base64.b64encode(bytes(raw)).decode(), safe="")
    signed = f"{body}&signature={signature}".encode()
    assert code_of(lambda: auth(store, ed.api_key, body=signed)) == BAD_SIGNATURE
    signed = f"{body}&signature=not-base64!".encode()
    assert code_of(lambda: auth(store, ed.api_key, body=signed)) == BAD_SIGNATURE


def test_signature_in_the_middle_or_first_is_removed_exactly() -> None:
    assert split_signature(b"a=1&signature=abc&b=%2F2") == (b"a=1&b=%2F2", b"abc")
    assert split_signature(b"signature=abc&a=1") == (b"a=1", b"abc")
    assert split_signature(b"a=1&signature=abc") == (b"a=1", b"abc")
    assert split_signature(b"signature=abc") == (b"", b"abc")
    assert split_signature(b"a=1&xsignature=abc") == (b"a=1&xsignature=abc", None)
    assert split_signature(b"a=1", b"b=2&signature=s") == (b"a=1b=2", b"s")
    with pytest.raises(ApiError) as info:
        split_signature(b"a=1&signature=x", b"signature=y")
    assert info.value.code == -1101


def test_signature_in_the_middle_verifies(store: KeyStore, hmac_key: tuple[ApiKey, str]) -> None:
    key, secret = hmac_key
    first, rest = "symbol=BTCUSDT&side=BUY", f"timestamp={NOW}&label=a%2Fb+c"
    signature = hex_sign(secret, f"{first}&{rest}")
    query = f"{first}&signature={signature}&{rest}".encode()
    assert auth(store, key.api_key, query=query, permission=Permission.READ) is key


def test_query_plus_form_body(store: KeyStore, hmac_key: tuple[ApiKey, str]) -> None:
    """Binance's own example: the payload is the query then the body, with no separator."""
    key, secret = hmac_key
    query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
    body = f"quantity=1&price=0.1&recvWindow=5000&timestamp={NOW}"
    signature = hex_sign(secret, query + body)
    signed_body = f"{body}&signature={signature}".encode()
    assert auth(store, key.api_key, query=query.encode(), body=signed_body) is key


def test_missing_signature_is_1102(store: KeyStore, hmac_key: tuple[ApiKey, str]) -> None:
    key, _ = hmac_key
    assert code_of(lambda: auth(store, key.api_key, query=f"timestamp={NOW}".encode()))[:2] == (
        -1102,
        "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    )


def test_api_key_errors(store: KeyStore, hmac_key: tuple[ApiKey, str]) -> None:
    _, secret = hmac_key
    body = ccxt_body([])
    signed = f"{body}&signature={hex_sign(secret, body)}".encode()
    bad_format = (-2014, "API-key format invalid.", 401)
    rejected = (-2015, "Invalid API-key, IP, or permissions for action.", 401)
    assert code_of(lambda: auth(store, None, body=signed)) == bad_format
    assert code_of(lambda: auth(store, "short", body=signed)) == bad_format
    assert code_of(lambda: auth(store, "é" * 64, body=signed)) == bad_format
    assert code_of(lambda: auth(store, "A" * 64, body=signed)) == rejected
    read_only, read_secret = store.create_hmac_key(7, permissions=[Permission.READ], now_ms=NOW)
    signed = f"{body}&signature={hex_sign(read_secret, body)}".encode()
    assert code_of(lambda: auth(store, read_only.api_key, body=signed)) == rejected
    assert auth(store, read_only.api_key, body=signed, permission=Permission.READ) is read_only


def test_ip_allowlist(store: KeyStore) -> None:
    key, secret = store.create_hmac_key(
        7, permissions=[Permission.READ], now_ms=NOW, ip_allowlist=["10.0.0.0/8", "2001:db8::/32"]
    )
    body = ccxt_body([])
    signed = f"{body}&signature={hex_sign(secret, body)}".encode()

    def call(ip: str) -> ApiKey:
        return auth(store, key.api_key, body=signed, permission=Permission.READ, ip=ip)

    assert call("10.1.2.3") is key
    assert call("::ffff:10.1.2.3") is key
    assert call("2001:db8::7") is key
    assert code_of(lambda: call("127.0.0.1"))[0] == -2015
    assert code_of(lambda: call("not an ip"))[0] == -2015


def timestamp_params(timestamp: int | str, recv_window: str | None = None) -> Params:
    query = f"timestamp={timestamp}"
    if recv_window is not None:
        query += f"&recvWindow={recv_window}"
    return Params.parse(query.encode())


OUTSIDE = (-1021, "Timestamp for this request is outside of the recvWindow.", 400)
AHEAD = (-1021, "Timestamp for this request was 1000ms ahead of the server's time.", 400)


def test_timestamp_rules() -> None:
    check_timestamp(timestamp_params(NOW - 5000), NOW)
    check_timestamp(timestamp_params(NOW + 999), NOW)
    assert code_of(lambda: check_timestamp(timestamp_params(NOW + 1000), NOW)) == AHEAD
    assert code_of(lambda: check_timestamp(timestamp_params(NOW - 5001), NOW)) == OUTSIDE
    check_timestamp(timestamp_params(NOW - 10000, "10000"), NOW)
    check_timestamp(timestamp_params(NOW - 60000, "60000"), NOW)
    assert code_of(lambda: check_timestamp(timestamp_params(NOW - 60001, "60000"), NOW)) == OUTSIDE
    assert code_of(lambda: check_timestamp(timestamp_params(NOW, "60000.001"), NOW)) == (
        -1102,
        "'recvWindow' contains unexpected value. Cannot be greater than '60000'.",
        400,
    )
    assert code_of(lambda: check_timestamp(timestamp_params(NOW, "10.0001"), NOW))[0] == -1111
    assert code_of(lambda: check_timestamp(timestamp_params("abc"), NOW))[0] == -1100
    assert code_of(lambda: check_timestamp(Params.parse(b""), NOW))[0] == -1102


def test_recv_window_with_decimals_and_microsecond_timestamps() -> None:
    now_us = NOW * 1000
    check_timestamp(timestamp_params(now_us - 5_000_500, "5000.5"), NOW)
    assert code_of(
        lambda: check_timestamp(timestamp_params(now_us - 5_000_501, "5000.5"), NOW)
    ) == (OUTSIDE)
    check_timestamp(timestamp_params(now_us + 999_999), NOW)
    assert code_of(lambda: check_timestamp(timestamp_params(now_us + 1_000_000), NOW)) == AHEAD


def test_stale_but_correctly_signed_request_is_1021(
    store: KeyStore, hmac_key: tuple[ApiKey, str]
) -> None:
    key, secret = hmac_key
    body = ccxt_body([])  # timestamp NOW - 50, recvWindow 10000
    signed = f"{body}&signature={hex_sign(secret, body)}".encode()
    assert code_of(lambda: auth(store, key.api_key, body=signed, now=NOW + 20_000)) == OUTSIDE


def test_websocket_api_payload_is_sorted_and_unencoded(
    store: KeyStore,
    hmac_key: tuple[ApiKey, str],
    ed_key: tuple[ApiKey, Ed25519PrivateKey],
) -> None:
    key, secret = hmac_key
    params: dict[str, object] = {
        "apiKey": key.api_key,
        "timestamp": NOW,
        "recvWindow": 10000,
        "symbols": '["A1","B2"]',
    }
    payload = ws_payload(params)
    assert payload == (
        f'apiKey={key.api_key}&recvWindow=10000&symbols=["A1","B2"]&timestamp={NOW}'.encode()
    )
    params["signature"] = hex_sign(secret, payload.decode())
    assert (
        authenticate_ws(store, params, client_ip=IP, server_time_ms=NOW, permission=Permission.READ)
        is key
    )

    ed, private = ed_key
    ed_params: dict[str, object] = {"apiKey": ed.api_key, "timestamp": NOW}
    ed_params["signature"] = ed_sign(private, ws_payload(ed_params).decode())  # plain base64
    assert (
        authenticate_ws(
            store, ed_params, client_ip=IP, server_time_ms=NOW, permission=Permission.READ
        )
        is ed
    )
    ed_params["timestamp"] = NOW - 1
    with pytest.raises(ApiError) as info:
        authenticate_ws(
            store, ed_params, client_ip=IP, server_time_ms=NOW, permission=Permission.READ
        )
    assert info.value.code == -1022
