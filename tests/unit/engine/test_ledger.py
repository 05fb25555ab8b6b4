"""The ledger's one way to move money: `Ledger.move`, a balanced posting of many legs,
applied whole or not at all; and the one-leg holds and releases."""

import pytest
from engine_harness import ALICE, BOB, Exchange, assert_balanced, kgld

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FEE_ACCOUNT, ISSUER_TREASURIES
from assetport.domain.orders import Side
from assetport.engine.ledger import Ledger, Overdrawn, Posting, UnbalancedPosting

CREATOR, CO_CREATOR = 1000, 1001


def funded(ledger: Ledger, account: int, asset: str, amount: int) -> None:
    posting = Posting()
    posting.add(ledger.balance(EXTERNAL_ACCOUNT, asset), -amount, 0)
    posting.add(ledger.balance(account, asset), amount, 0)
    assert ledger.move(posting)


def state(ledger: Ledger) -> list[tuple[int, str, int, int]]:
    return ledger.section()


def test_a_sale_pays_seller_royalties_and_the_platform_fee_in_one_posting() -> None:
    """The shape an NFT sale will have: the buyer's hold pays four receivers, and the
    token goes from the seller's hold to the buyer, all in one move."""
    ledger = Ledger()
    funded(ledger, ALICE, "KRW", 1_000_000)
    funded(ledger, BOB, "NFTA", 1)
    buyer_krw = ledger.balance(ALICE, "KRW")
    assert ledger.hold(buyer_krw, 100_000)
    seller_token = ledger.balance(BOB, "NFTA")
    assert ledger.hold(seller_token, 1)

    sale = Posting()
    sale.add(buyer_krw, 0, -100_000)
    sale.add(ledger.balance(BOB, "KRW"), 90_000, 0)  # the seller
    sale.add(ledger.balance(CREATOR, "KRW"), 3_000, 0)  # royalty split 60/40
    sale.add(ledger.balance(CO_CREATOR, "KRW"), 2_000, 0)
    sale.add(ledger.balance(FEE_ACCOUNT, "KRW"), 5_000, 0)  # the platform's fee
    sale.add(seller_token, 0, -1)
    sale.add(ledger.balance(ALICE, "NFTA"), 1, 0)
    assert ledger.move(sale)

    assert state(ledger) == [
        (EXTERNAL_ACCOUNT, "KRW", -1_000_000, 0),
        (EXTERNAL_ACCOUNT, "NFTA", -1, 0),
        (FEE_ACCOUNT, "KRW", 5_000, 0),
        (ALICE, "KRW", 900_000, 0),
        (ALICE, "NFTA", 1, 0),
        (BOB, "KRW", 90_000, 0),
        (BOB, "NFTA", 0, 0),
        (CREATOR, "KRW", 3_000, 0),
        (CO_CREATOR, "KRW", 2_000, 0),
    ]
    assert not any(ledger.totals().values())


def test_an_unbalanced_posting_raises_and_changes_nothing() -> None:
    ledger = Ledger()
    funded(ledger, ALICE, "KRW", 1_000)
    before = state(ledger)
    posting = Posting()
    posting.add(ledger.balance(ALICE, "KRW"), -500, 0)
    posting.add(ledger.balance(BOB, "KRW"), 499, 0)  # a unit vanishes
    with pytest.raises(UnbalancedPosting):
        ledger.move(posting)
    assert [row for row in state(ledger) if row[1:] != ("KRW", 0, 0)] == before
    # The posting was emptied: the next one starts afresh.
    posting.add(ledger.balance(ALICE, "KRW"), -500, 0)
    posting.add(ledger.balance(BOB, "KRW"), 500, 0)
    assert ledger.move(posting)
    assert ledger.free(BOB, "KRW") == 500


def test_each_asset_must_balance_on_its_own() -> None:
    """Legs of two assets that sum to zero together are still a bug: a unit of one asset
    is not a unit of another."""
    ledger = Ledger()
    funded(ledger, ALICE, "KRW", 1_000)
    funded(ledger, BOB, "KGLD", 1_000)
    posting = Posting()
    posting.add(ledger.balance(ALICE, "KRW"), -100, 0)
    posting.add(ledger.balance(BOB, "KGLD"), 100, 0)
    with pytest.raises(UnbalancedPosting):
        ledger.move(posting)
    assert ledger.free(ALICE, "KRW") == 1_000 and ledger.free(BOB, "KGLD") == 1_000


def test_a_posting_that_would_overdraw_is_refused_whole() -> None:
    ledger = Ledger()
    funded(ledger, ALICE, "KRW", 1_000)
    before = state(ledger)
    posting = Posting()
    posting.add(ledger.balance(ALICE, "KRW"), -600, 0)
    posting.add(ledger.balance(BOB, "KRW"), 600, 0)
    posting.add(ledger.balance(ALICE, "KRW"), -600, 0)  # the second debit is short
    posting.add(ledger.balance(BOB, "KRW"), 600, 0)
    assert not ledger.move(posting)
    assert [row for row in state(ledger) if row[1:] != ("KRW", 0, 0)] == before


def test_only_the_external_account_goes_below_zero() -> None:
    ledger = Ledger()
    funded(ledger, ALICE, "KRW", 10)
    assert ledger.free(EXTERNAL_ACCOUNT, "KRW") == -10
    treasury = ISSUER_TREASURIES[-1]
    posting = Posting()
    posting.add(ledger.balance(treasury, "KRW"), -10, 0)
    posting.add(ledger.balance(ALICE, "KRW"), 10, 0)
    assert not ledger.move(posting)


def test_holds_and_releases_stay_within_one_record() -> None:
    ledger = Ledger()
    funded(ledger, ALICE, "KRW", 1_000)
    record = ledger.balance(ALICE, "KRW")
    assert not ledger.hold(record, 1_001)
    assert (record.free, record.held) == (1_000, 0)
    assert ledger.hold(record, 400)
    ledger.release(record, 100)
    assert (record.free, record.held) == (700, 300)
    with pytest.raises(Overdrawn):
        ledger.release(record, 301)
    assert (record.free, record.held) == (700, 300)


def test_the_global_balance_check_sees_money_made_from_nothing() -> None:
    """The harness's check, which every hand-computed engine test runs after each command,
    fails when a balance changes outside a posting."""
    ex = Exchange()
    ex.fund(ALICE, krw=1_000_000)
    ex.limit(ALICE, Side.BUY, kgld("1"), 100_000)
    ex.engine.ledger.balance(ALICE, "KRW").free += 1
    with pytest.raises(AssertionError, match="does not sum to zero"):
        assert_balanced(ex.engine)
    ex.engine.ledger.balance(ALICE, "KRW").free -= 1
    ex.engine.ledger.balance(ALICE, "KRW").held -= 1
    ex.engine.ledger.balance(ALICE, "KRW").free += 1
    with pytest.raises(AssertionError, match="the products hold"):
        assert_balanced(ex.engine)
