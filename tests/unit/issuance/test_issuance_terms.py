"""A token's terms: bounded, hashed documents, redemption that makes sense; the fee rounds
up and a physical redemption takes whole lots."""

import msgspec
import pytest

from assetport.domain.issuance.terms import (
    Document,
    RedemptionTerms,
    RwaKind,
    RwaTerms,
    redemption_fee,
    split_physical,
    terms_problem,
)

GOLD = RwaTerms(
    asset="KGLD", issuer=101, kind=RwaKind.METAL, unit="1 g of 999.9 fine gold",
    custodian="Korea Minting Corp.", vault="Busan vault 1",
    redemption=RedemptionTerms(minimum=1_000_000, fee_bps=25, physical_lot=9_999_000),
    documents=(Document("terms", "ab" * 32), Document("prospectus", "cd" * 32)),
)  # fmt: skip


def test_sound_terms_have_no_problem() -> None:
    assert terms_problem(GOLD) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"issuer": 1000}, "issuer treasury"),
        ({"unit": ""}, "unit: 1 to 200"),
        ({"vault": "x" * 201}, "vault: 1 to 200"),
        ({"documents": (Document("terms", "AB" * 32),)}, "64 lower-case hex"),
        ({"documents": (Document("terms", "ab" * 32),) * 2}, "two documents have one name"),
        ({"redemption": RedemptionTerms(minimum=0)}, "minimum must be positive"),
        ({"redemption": RedemptionTerms(minimum=1, fee_bps=10_001)}, "0 to 10000 basis"),
        ({"redemption": RedemptionTerms(minimum=1, cash=False)}, "the thing or for cash"),
    ],
)
def test_bad_terms_are_refused_with_their_reason(changes: dict[str, object], reason: str) -> None:
    problem = terms_problem(msgspec.structs.replace(GOLD, **changes))
    assert problem is not None and reason in problem, problem


def test_the_fee_rounds_up_and_physical_takes_whole_bars() -> None:
    terms = GOLD.redemption
    assert redemption_fee(10_000_000, terms) == 25_000
    assert redemption_fee(1, terms) == 1  # never shaved to nothing
    assert redemption_fee(0, terms) == 0
    assert split_physical(25_000_000, terms) == (2, 25_000_000 - 2 * 9_999_000)
    assert split_physical(5, RedemptionTerms(minimum=1)) == (0, 5)
