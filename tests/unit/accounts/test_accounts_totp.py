"""TOTP as RFC 6238 defines it, checked against the RFC's own test vectors."""

import base64
import re
from urllib.parse import parse_qs, urlparse

from assetport.accounts import totp

# RFC 6238 appendix B: the SHA-1 seed is ASCII "12345678901234567890"; 8-digit codes.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = {
    59: "94287082",
    1111111109: "07081804",
    1111111111: "14050471",
    1234567890: "89005924",
    2000000000: "69279037",
    20000000000: "65353130",
}


def test_rfc_6238_sha1_vectors() -> None:
    key = b"12345678901234567890"
    for unix_s, code in RFC_VECTORS.items():
        assert totp.hotp(key, unix_s // 30, digits=8) == code


def test_six_digit_codes_are_the_last_six_of_the_rfc_codes() -> None:
    for unix_s, code in RFC_VECTORS.items():
        assert totp.code_at(RFC_SECRET, unix_s) == code[-6:]


def test_one_step_of_drift_either_way_is_accepted_and_no_more() -> None:
    secret = totp.new_secret()
    now = 1_700_000_015
    step = now // 30
    for offset in (-30, 0, 30):
        assert (
            totp.matching_step(secret, totp.code_at(secret, now + offset), now)
            == step + offset // 30
        )
    for offset in (-60, 60):
        assert totp.matching_step(secret, totp.code_at(secret, now + offset), now) is None


def test_a_code_is_good_once() -> None:
    secret = totp.new_secret()
    now = 1_700_000_015
    code = totp.code_at(secret, now)
    used = totp.matching_step(secret, code, now)
    assert used is not None
    assert totp.matching_step(secret, code, now, after_step=used) is None


def test_malformed_codes_are_refused() -> None:
    secret = totp.new_secret()
    for code in ("", "12345", "1234567", "abcdef", "12 456"):
        assert totp.matching_step(secret, code, 1_700_000_000) is None


def test_secrets_are_160_bit_base32_and_the_uri_names_issuer_and_account() -> None:
    secret = totp.new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    uri = totp.otpauth_uri(secret, "alice@example.com", "Assetport")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert parsed.path == "/Assetport:alice@example.com"
    query = parse_qs(parsed.query)
    assert query["secret"] == [secret] and query["issuer"] == ["Assetport"]
    assert query["digits"] == ["6"] and query["period"] == ["30"]
