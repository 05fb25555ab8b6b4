"""A distribution pays out exactly what was declared, for any amount and any holder set:
payouts + remainder = amount, no holder beyond their exact share, the remainder less than
one unit per holder, and a larger holding never paid less."""

from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.issuance.distributions import pro_rata

AMOUNTS = st.integers(min_value=0, max_value=2**62)
HOLDINGS = st.dictionaries(
    st.integers(min_value=1000, max_value=10**9),
    st.integers(min_value=1, max_value=2**62),
    min_size=1,
    max_size=200,
)


@settings(max_examples=400, deadline=None)
@given(AMOUNTS, HOLDINGS)
def test_payouts_and_remainder_are_the_amount(amount: int, holders: dict[int, int]) -> None:
    holdings = list(holders.items())
    shares = pro_rata(amount, holdings)
    paid = dict(shares.payouts)
    assert sum(paid.values()) + shares.remainder == amount
    assert 0 <= shares.remainder < len(holdings)
    total = sum(holders.values())
    for account, held in holdings:
        exact = Fraction(amount * held, total)
        assert exact - 1 < paid.get(account, 0) <= exact
    assert [account for account, _ in shares.payouts] == sorted(paid)
    ranked = sorted(holdings, key=lambda item: item[1])
    for (smaller, _), (larger, _) in pairwise(ranked):
        assert paid.get(smaller, 0) <= paid.get(larger, 0)


@given(AMOUNTS, HOLDINGS)
def test_the_order_of_the_register_does_not_matter(amount: int, holders: dict[int, int]) -> None:
    holdings = list(holders.items())
    assert pro_rata(amount, holdings) == pro_rata(amount, holdings[::-1])


def test_nobody_to_pay_or_a_bad_holding_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one holder"):
        pro_rata(100, [])
    with pytest.raises(ValueError, match="positive"):
        pro_rata(100, [(1000, 0)])
    with pytest.raises(ValueError, match="negative"):
        pro_rata(-1, [(1000, 1)])
