"""Addresses typed by users: both forms convert exactly, and every malformed or foreign
address is refused with a reason the user can act on."""

import pytest
from bech32 import bech32_encode, convertbits
from bip_utils import Bech32Encoder
from hypothesis import given
from hypothesis import strategies as st

from assetport.chain.addresses import (
    MAX_ADDRESS_TEXT,
    Address,
    InvalidAddress,
    parse_address,
    to_bech32,
    to_checksum,
)

PREFIX = "busan"
# EIP-55's own examples: mixed case (checksummed), then all-caps and all-lowercase.
EIP55_CHECKSUMMED = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
EIP55_ONE_CASE = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
]
nonzero_addresses = st.binary(min_size=20, max_size=20).filter(any).map(Address)


def bech32_of(data: bytes, prefix: str = PREFIX) -> str:
    groups = convertbits(data, 8, 5, True)
    assert groups is not None
    return bech32_encode(prefix, groups)


def refusal(text: str) -> str:
    with pytest.raises(InvalidAddress) as raised:
        parse_address(text, PREFIX)
    return raised.value.reason


@pytest.mark.parametrize("text", EIP55_CHECKSUMMED)
def test_eip55_examples_parse_and_print_as_written(text: str) -> None:
    address = parse_address(text, PREFIX)
    assert to_checksum(address) == text
    assert str(address) == text


@pytest.mark.parametrize("text", EIP55_ONE_CASE)
def test_one_case_hex_is_accepted_without_a_checksum(text: str) -> None:
    address = parse_address(text, PREFIX)
    assert address.raw == bytes.fromhex(text[2:])
    assert to_checksum(address).lower() == text.lower()


@given(nonzero_addresses)
def test_the_checksummed_form_round_trips(address: Address) -> None:
    assert parse_address(to_checksum(address), PREFIX) == address
    assert parse_address(address.hex, PREFIX) == address
    assert parse_address("0x" + address.raw.hex().upper(), PREFIX) == address


@given(nonzero_addresses)
def test_the_bech32_form_round_trips_and_agrees_with_another_encoder(address: Address) -> None:
    text = to_bech32(address, PREFIX)
    assert text.startswith("busan1")
    assert text == Bech32Encoder.Encode(PREFIX, address.raw)
    assert parse_address(text, PREFIX) == address
    assert parse_address(text.upper(), PREFIX) == address


def test_surrounding_whitespace_of_a_paste_is_ignored() -> None:
    text = EIP55_CHECKSUMMED[0]
    assert parse_address(f"  {text}\n", PREFIX) == parse_address(text, PREFIX)


def test_empty() -> None:
    assert refusal("") == "empty: enter an address"
    assert refusal("   ") == "empty: enter an address"


def test_too_long_is_refused_before_it_is_read() -> None:
    assert refusal("0x" + "ab" * 1_000_000).startswith("too long")
    assert refusal(" " * (MAX_ADDRESS_TEXT + 1)).startswith("too long")


def test_wrong_length() -> None:
    assert refusal("0x" + "ab" * 19) == (
        "wrong length: an address is 0x followed by 40 hex digits, this one has 38"
    )
    assert refusal("0x" + "ab" * 21).endswith("this one has 42")


def test_not_hex() -> None:
    assert refusal("0x" + "g" * 40) == (
        "not hex: after 0x an address has only the digits 0-9 and a-f"
    )


def test_a_mistyped_checksummed_address_is_refused() -> None:
    good = EIP55_CHECKSUMMED[0]
    one_letter_recased = good[:3] + good[3].upper() + good[4:]
    one_digit_changed = good[:-1] + "E"
    for text in (one_letter_recased, one_digit_changed):
        assert refusal(text) == (
            "bad checksum: the capital letters do not match (EIP-55); check for a typo"
        )


def test_an_address_of_another_chain() -> None:
    raw = bytes(range(1, 21))
    assert refusal(bech32_of(raw, "cosmos")) == "an address of another chain: expected busan1…"
    assert refusal(bech32_of(raw, "evmos")) == "an address of another chain: expected busan1…"
    bitcoin = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    assert refusal(bitcoin) == "an address of another chain: expected busan1…"


def test_a_mistyped_bech32_address_is_refused() -> None:
    good = to_bech32(Address(bytes(range(1, 21))), PREFIX)
    typo = good[:-3] + ("q" if good[-3] != "q" else "p") + good[-2:]
    assert refusal(typo) == "bad checksum: this bech32 address has a typo"


def test_bech32_with_characters_outside_its_alphabet() -> None:
    good = to_bech32(Address(bytes(range(1, 21))), PREFIX)
    assert refusal(good[:-1] + "b").startswith("not bech32: after busan1")


def test_bech32_in_mixed_case() -> None:
    good = to_bech32(Address(bytes(range(1, 21))), PREFIX)
    assert refusal(good[:-1] + good[-1].upper()).startswith("mixed case")


@pytest.mark.parametrize("size", [19, 21, 32])
def test_bech32_holding_another_number_of_bytes(size: int) -> None:
    assert refusal(bech32_of(bytes(range(1, size + 1)))) == (
        "wrong data length: a busan1… address holds 20 bytes"
    )


def test_the_zero_address_in_either_form() -> None:
    zero = Address(bytes(20))
    for text in (to_checksum(zero), to_bech32(zero, PREFIX)):
        assert refusal(text) == "the zero address: whatever is sent to it is lost"


def test_something_else_entirely() -> None:
    for text in ("hello", "0X" + "ab" * 20, "12345", "ěščř1"):
        assert refusal(text) == (
            "not an address: expected 0x followed by 40 hex digits, or busan1…"
        )


def test_an_address_is_twenty_bytes() -> None:
    with pytest.raises(ValueError):
        Address(bytes(19))


def test_a_bad_prefix_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        to_bech32(Address(bytes(range(1, 21))), "Busan")
