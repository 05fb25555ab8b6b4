"""The draws of NFT primary sales hold for any seed, sale and entries: the same inputs give
the same outcome, a draw hands out exactly min(winners, tickets) winning tickets and never
more to an entry than it holds, numbers stay in range, and a box opens into one of its
outcomes. A seed's commitment opens only with that seed."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assetport.domain.nft.draws import (
    DrawStream,
    box_roll,
    commitment,
    draw_tickets,
    explain_tickets,
    open_box,
    seed_from_hex,
    seed_problem,
    uniform_below,
    winning_tickets,
)

SEEDS = st.binary(min_size=32, max_size=32)
SALES = st.integers(min_value=0, max_value=2**64 - 1)
ENTRIES = st.dictionaries(
    st.integers(min_value=1000, max_value=10**12),
    st.integers(min_value=1, max_value=50),
    max_size=30,
).map(lambda tickets: list(tickets.items()))
WINNERS = st.integers(min_value=0, max_value=400)
WEIGHTS = st.lists(st.integers(min_value=1, max_value=2**40), min_size=1, max_size=50)


@settings(max_examples=300, deadline=None)
@given(SEEDS, SALES, ENTRIES, WINNERS)
def test_a_draw_is_the_same_every_time(
    seed: bytes, sale: int, entries: list[tuple[int, int]], winners: int
) -> None:
    assert explain_tickets(seed, sale, entries, winners) == explain_tickets(
        seed, sale, list(entries), winners
    )


@settings(max_examples=300, deadline=None)
@given(SEEDS, SALES, ENTRIES, WINNERS)
def test_a_draw_hands_out_exactly_the_winning_tickets_there_are(
    seed: bytes, sale: int, entries: list[tuple[int, int]], winners: int
) -> None:
    won = draw_tickets(seed, sale, entries, winners)
    total = sum(tickets for _, tickets in entries)
    assert [account for account, _ in won] == [account for account, _ in entries]
    assert sum(count for _, count in won) == min(winners, total)
    for (_, tickets), (_, count) in zip(entries, won, strict=True):
        assert 0 <= count <= tickets


@settings(max_examples=300, deadline=None)
@given(SEEDS, SALES, st.integers(min_value=0, max_value=10**6), WINNERS)
def test_winning_tickets_are_distinct_tickets_of_the_draw(
    seed: bytes, sale: int, total: int, winners: int
) -> None:
    winning = winning_tickets(seed, sale, total, winners)
    assert len(winning) == len(set(winning)) == min(winners, total)
    assert all(0 <= ticket < total for ticket in winning)


@settings(max_examples=200, deadline=None)
@given(SEEDS, SALES, st.integers(min_value=1, max_value=2_000), WINNERS, WINNERS)
def test_more_winners_only_extend_the_draw(
    seed: bytes, sale: int, total: int, fewer: int, more: int
) -> None:
    fewer, more = sorted((fewer, more))
    assume(more < total)  # when every ticket wins they are listed in ticket order instead
    assert winning_tickets(seed, sale, total, more)[:fewer] == winning_tickets(
        seed, sale, total, fewer
    )


@settings(max_examples=300, deadline=None)
@given(SEEDS, SALES, st.integers(min_value=1, max_value=2**64), st.integers(1, 20))
def test_uniform_below_stays_below(seed: bytes, sale: int, n: int, draws: int) -> None:
    stream = DrawStream(seed, "tickets", sale)
    for _ in range(draws):
        assert 0 <= uniform_below(stream, n) < n


@settings(max_examples=300, deadline=None)
@given(SEEDS, SALES, SALES, WEIGHTS)
def test_a_box_opens_into_one_of_its_outcomes(
    seed: bytes, sale: int, serial: int, weights: list[int]
) -> None:
    index = open_box(seed, sale, serial, weights)
    assert 0 <= index < len(weights)
    roll = box_roll(seed, sale, serial, sum(weights))
    assert sum(weights[:index]) <= roll < sum(weights[: index + 1])
    assert open_box(seed, sale, serial, weights) == index


@settings(max_examples=200, deadline=None)
@given(SEEDS, SALES, WEIGHTS, st.integers(min_value=0, max_value=49), st.integers(-5, 0))
def test_a_weight_that_is_not_positive_is_refused(
    seed: bytes, sale: int, weights: list[int], at: int, bad: int
) -> None:
    weights[at % len(weights)] = bad
    with pytest.raises(ValueError, match="positive"):
        open_box(seed, sale, 0, weights)


@settings(max_examples=300, deadline=None)
@given(SEEDS, SEEDS)
def test_a_commitment_opens_only_with_its_seed(seed: bytes, other: bytes) -> None:
    committed = commitment(seed)
    assert seed_problem(seed, committed) is None
    assert seed_from_hex(seed.hex()) == seed
    if other != seed:
        assert seed_problem(other, committed) == "the seed does not hash to the commitment"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200) | st.text("0123456789abcdefABCDEF", min_size=60, max_size=68))
def test_a_seed_from_any_text_is_a_seed_or_a_clear_refusal(text: str) -> None:
    try:
        seed = seed_from_hex(text)
    except ValueError as refused:
        assert "64 lower-case hex digits" in str(refused)
    else:
        assert len(seed) == 32
        assert seed.hex() == text
