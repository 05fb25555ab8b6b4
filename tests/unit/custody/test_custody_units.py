"""Chain amounts to ledger units: exact, rounded down, the rest kept as dust."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetport.custody.networks import ChainAsset, to_ledger_units

WEI_PER_ETH = 10**18


def test_eth_keeps_what_the_ledger_cannot_hold_as_dust() -> None:
    raw = 1_000_000_001_234 * 10**6  # 1.000000001234 ETH in wei
    assert to_ledger_units(raw, 18, 8) == (100_000_000, 1_234 * 10**6)


def test_never_rounds_up() -> None:
    assert to_ledger_units(WEI_PER_ETH - 1, 18, 8) == (99_999_999, 10**10 - 1)
    assert to_ledger_units(10**10 - 1, 18, 8) == (0, 10**10 - 1)


def test_same_precision_is_one_to_one() -> None:
    assert to_ledger_units(123_456, 6, 6) == (123_456, 0)


def test_a_finer_ledger_scales_up_exactly() -> None:
    assert to_ledger_units(5, 2, 8) == (5_000_000, 0)


def test_a_uint256_amount_converts_exactly() -> None:
    raw = 2**256 - 1
    credited, dust = to_ledger_units(raw, 18, 8)
    assert credited * 10**10 + dust == raw


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError):
        to_ledger_units(-1, 18, 8)


def test_a_chain_asset_checks_its_configuration() -> None:
    eth = ChainAsset("ETH", None, 18, 8, 12, 100_000)
    assert eth.is_native
    assert eth.to_ledger_units(WEI_PER_ETH) == (100_000_000, 0)
    with pytest.raises(ValueError):
        ChainAsset("ETH", None, 18, 8, 0, 0)  # the deposit's own block is one confirmation
    with pytest.raises(ValueError):
        ChainAsset("ETH", None, 80, 8, 1, 0)
    with pytest.raises(ValueError):
        ChainAsset("ETH", None, 18, 8, 1, -1)


@given(
    raw=st.integers(min_value=0, max_value=2**256 - 1),
    chain_decimals=st.integers(min_value=0, max_value=36),
    ledger_precision=st.integers(min_value=0, max_value=36),
)
def test_credit_and_dust_add_up_to_the_transfer(
    raw: int, chain_decimals: int, ledger_precision: int
) -> None:
    credited, dust = to_ledger_units(raw, chain_decimals, ledger_precision)
    assert credited >= 0 and dust >= 0
    if ledger_precision >= chain_decimals:
        assert dust == 0
        assert credited == raw * 10 ** (ledger_precision - chain_decimals)
    else:
        scale = 10 ** (chain_decimals - ledger_precision)
        assert dust < scale
        assert credited * scale + dust == raw
