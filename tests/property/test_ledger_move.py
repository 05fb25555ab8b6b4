"""`Ledger.move` on random postings: every asset still sums to zero over all accounts, no
bucket but the external account's free goes below zero, and a posting that is refused
(short) or raises (unbalanced) changes nothing at all."""

from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FEE_ACCOUNT
from assetport.engine.ledger import Ledger, Posting, UnbalancedPosting

ACCOUNTS = (EXTERNAL_ACCOUNT, FEE_ACCOUNT, 10, 1000, 1001, 1002)
ASSETS = ("KRW", "KGLD", "NFTA")

# One leg: (account, free delta, held delta); a run: an asset and its legs.
legs = st.lists(
    st.tuples(
        st.sampled_from(ACCOUNTS),
        st.integers(-(10**6), 10**6),
        st.integers(-(10**6), 10**6),
    ),
    min_size=1,
    max_size=5,
)
runs = st.lists(st.tuples(st.sampled_from(ASSETS), legs, st.booleans()), min_size=1, max_size=3)
postings = st.lists(runs, min_size=1, max_size=30)


def _snapshot(ledger: Ledger) -> list[tuple[int, str, int, int]]:
    # Records made empty while the posting was built are no change of money.
    return [row for row in ledger.section() if row[2] or row[3]]


@settings(max_examples=200, deadline=None)
@given(postings)
def test_random_postings_keep_the_ledger_balanced(plan: list) -> None:  # type: ignore[type-arg]
    ledger = Ledger()
    posting = Posting()
    for seed in ASSETS:  # some money to move around
        for account in ACCOUNTS[1:]:
            posting.add(ledger.balance(EXTERNAL_ACCOUNT, seed), -(10**7), 0)
            posting.add(ledger.balance(account, seed), 10**7, 0)
    assert ledger.move(posting)

    for runs_of_one_posting in plan:
        balanced = True
        for asset, run, closes in runs_of_one_posting:
            for account, free, held in run:
                posting.add(ledger.balance(account, asset), free, held)
            total = sum(free + held for _, free, held in run)
            if closes:  # a last leg that balances the run, paid into the fee account's free
                posting.add(ledger.balance(FEE_ACCOUNT, asset), -total, 0)
            elif total:
                balanced = False
        before = _snapshot(ledger)
        try:
            moved = ledger.move(posting)
        except UnbalancedPosting:
            assert not balanced
            assert _snapshot(ledger) == before
            continue
        assert balanced
        if not moved:
            assert _snapshot(ledger) == before
        assert not any(ledger.totals().values()), ledger.totals()
        for account, asset, free, held in ledger.section():
            assert held >= 0 and (free >= 0 or account == EXTERNAL_ACCOUNT), (account, asset)
