"""The FIX API's wire code against Binance's own examples (fix-api.md): the logon
signature's test vector, its sample messages framed and read, and what is refused."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from assetport.api.fix.session import logon_payload
from assetport.api.fix.wire import (
    Framer,
    Garbled,
    Message,
    Unframeable,
    encode,
    parse_utc_timestamp,
    timestamp_from_ms,
)

# Binance's example key and signature ("How to sign Logon<A> request"): for illustration.
EXAMPLE_KEY = b"""-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u
-----END PRIVATE KEY-----
"""
EXAMPLE_SIGNATURE = (
    "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA=="
)
EXAMPLE_LOGON = (
    "8=FIX.4.4|9=247|35=A|34=1|49=EXAMPLE|52=20240627-11:17:25.223|56=SPOT|95=88|"
    f"96={EXAMPLE_SIGNATURE}|98=0|108=30|141=Y|"
    "553=sBRXrJx2DsOraMXOaUovEhgVRcjOvCtQwnWj8VxkOh1xqboS02SPGfKi2h8spZJb|25035=2|10=227|"
)


def wire(text: str) -> bytes:
    return text.replace("|", "\x01").encode()


def framer() -> Framer:
    return Framer(8192, 128)


def test_the_logon_signature_is_binances() -> None:
    key = load_pem_private_key(EXAMPLE_KEY, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    payload = logon_payload("EXAMPLE", "SPOT", "1", "20240627-11:17:25.223")
    assert base64.b64encode(key.sign(payload)).decode() == EXAMPLE_SIGNATURE


def test_binances_sample_logon_is_framed_and_read_in_pieces() -> None:
    data = wire(EXAMPLE_LOGON)
    reader = framer()
    assert list(reader.feed(data[:10])) == []
    assert list(reader.feed(data[10:100])) == []
    [message] = list(reader.feed(data[100:] + data[:20]))  # and the start of the next
    assert isinstance(message, Message)
    assert (message.msg_type, message.get(49), message.get(96)) == (
        "A",
        "EXAMPLE",
        EXAMPLE_SIGNATURE,
    )
    assert message.get(25035) == "2" and message.get(12345) is None


def test_a_wrong_checksum_or_a_control_byte_is_garbled_and_reading_goes_on() -> None:
    data = bytearray(wire(EXAMPLE_LOGON))
    data[-3] = ord("8")  # 10=228
    [bad] = list(framer().feed(bytes(data)))
    assert isinstance(bad, Garbled) and bad.error.code == -1177 and bad.seq_num == 1
    reader = framer()  # a right checksum over a byte that is not printable
    [control, after] = list(
        reader.feed(encode("0", 2, "EXAMPL\x7f", "SPOT", []) + wire(EXAMPLE_LOGON))
    )
    assert isinstance(control, Garbled) and "printable ASCII" in control.error.msg
    assert isinstance(after, Message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GET / HTTP/1.1\r\n", "BeginString (8) is not the first tag in a message."),
        (b"8=FIX.4.4\x019=99999\x01", "Message too large: at most 8192 bytes of body are read."),
        (b"8=FIX.4.4\x019=abc\x01", "BodyLength (9) does not contain the correct byte count."),
        (
            b"8=FIX.4.4\x019=5\x0135=0\x01X0=000\x01",
            "BodyLength (9) does not contain the correct byte count.",
        ),
    ],
)
def test_what_cannot_be_framed_ends_the_stream(data: bytes, message: str) -> None:
    with pytest.raises(Unframeable) as refused:
        list(framer().feed(data))
    assert refused.value.error.msg == message


def test_encoded_messages_read_back() -> None:
    data = encode("8", 7, "SPOT", "abc", [(11, "id-1"), (150, "0")])
    [message] = list(framer().feed(data))
    assert isinstance(message, Message)
    assert message.tags()[:5] == [8, 9, 35, 34, 49]
    assert (message.get(34), message.get(56), message.get(11)) == ("7", "abc", "id-1")


def test_utc_timestamps() -> None:
    assert parse_utc_timestamp("20240627-11:17:25") == 1719487045000
    assert parse_utc_timestamp("20240627-11:17:25.223") == 1719487045223
    assert parse_utc_timestamp("20240627-11:17:25.223456") == 1719487045223
    for bad in ("20240627 11:17:25", "20241327-11:17:25", "20240627-11:17:25.22", ""):
        assert parse_utc_timestamp(bad) is None
    assert timestamp_from_ms(1719487045223) == "20240627-11:17:25.223000"
